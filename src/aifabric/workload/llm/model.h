// A large language model, its parallel layout and the cluster it trains on — the
// description an AI-cluster architect writes. Parameter counts and FLOPs are derived
// from it (Narayanan et al., "Efficient Large-Scale Language Model Training on GPU
// Clusters Using Megatron-LM", SC 2021), never typed in.
#pragma once

#include <cstdint>
#include <string>

#include "aifabric/core/params.h"

namespace aifabric {

enum class Precision { kFp16 = 0, kBf16 = 1, kFp8 = 2, kFp32 = 3 };
inline constexpr std::string_view kPrecisionNames[] = {"fp16", "bf16", "fp8", "fp32"};
int64_t precision_bytes(Precision p);

enum class Recompute { kFull = 0, kNone = 1 };
// Rank order from fastest-varying to slowest: Megatron's default puts tensor ranks
// innermost, then data, then pipeline (tp_dp_pp); tp_pp_dp puts a pipeline's stages on
// consecutive ranks instead.
enum class RankOrder { kTpDpPp = 0, kTpPpDp = 1 };
inline constexpr std::string_view kRankOrderNames[] = {"tp_dp_pp", "tp_pp_dp"};
inline constexpr std::string_view kRecomputeNames[] = {"full", "none"};

struct ModelConfig final : ParamsOf<ModelConfig> {
  std::string name = "gpt3-175b";
  int64_t layers = 96;
  int64_t hidden = 12288;
  int64_t heads = 96;
  int64_t kv_heads = 0;           // grouped-query attention; 0 = heads (multi-head)
  int64_t ffn_hidden = 0;         // 0 = 4 x hidden
  bool gated_mlp = false;         // SwiGLU-style MLP with three matrices (Llama)
  bool bias = true;               // linear-layer biases (GPT-3 yes, Llama no)
  bool learned_positions = true;  // position embedding table (GPT-3) vs rotary (Llama)
  bool tied_embeddings = true;    // output layer shares the input embedding
  int64_t seq_len = 2048;
  int64_t vocab = 50257;
  // Megatron pads the vocabulary to a multiple of this x tensor parallelism.
  int64_t vocab_pad = 128;
  Precision precision = Precision::kFp16;
  // Mixture of experts: `experts` > 0 makes every `moe_every`-th layer an MoE layer
  // whose MLP is `experts` experts of `expert_ffn_hidden`, `top_k` active per token.
  int64_t experts = 0;
  int64_t top_k = 2;
  int64_t expert_ffn_hidden = 0;  // 0 = ffn_hidden
  int64_t moe_every = 1;
  void visit(ParamVisitor& v) override;
  Status validate() const override;

  int64_t ffn() const { return ffn_hidden > 0 ? ffn_hidden : 4 * hidden; }
  int64_t expert_ffn() const { return expert_ffn_hidden > 0 ? expert_ffn_hidden : ffn(); }
  int64_t kv_dim() const { return (kv_heads > 0 ? kv_heads : heads) * (hidden / heads); }
  bool is_moe_layer(int64_t layer) const { return experts > 0 && (layer + 1) % moe_every == 0; }
  int64_t moe_layers() const { return experts > 0 ? layers / moe_every : 0; }
};

struct ParallelConfig final : ParamsOf<ParallelConfig> {
  int64_t tp = 8;               // tensor parallelism (inside a node by default)
  int64_t pp = 8;               // pipeline parallelism (1F1B schedule)
  int64_t dp = 16;              // data parallelism
  int64_t ep = 1;               // expert parallelism: experts split over ep data-parallel ranks
  int64_t global_batch = 1536;  // sequences per iteration
  int64_t micro_batch = 1;      // sequences per micro-batch
  Recompute recompute = Recompute::kFull;
  Bytes dp_bucket = Bytes::mib(40);  // gradient bucket for the data-parallel all-reduce
  bool dp_overlap = false;           // overlap gradient all-reduce with the last backward pass
  Precision grad_precision = Precision::kFp16;
  RankOrder order = RankOrder::kTpDpPp;
  void visit(ParamVisitor& v) override;
  Status validate() const override;
  int64_t gpus() const { return tp * pp * dp; }
  int64_t micro_batches() const { return global_batch / (micro_batch * dp); }
};

struct ClusterConfig final : ParamsOf<ClusterConfig> {
  int64_t gpus_per_node = 8;
  BitRate nvlink_rate = BitRate::gbps(2400);  // per GPU per direction (A100 NVLink3: 300 GB/s)
  Time nvlink_latency = Time::us(2);
  // Effective (achieved) throughput per GPU; 140 TFLOP/s is Megatron-LM's measured
  // A100 figure for GPT-3 (Narayanan et al. 2021, section 5.1).
  double effective_tflops = 140;
  double peak_tflops = 0;  // with mfu > 0: effective = peak x mfu
  double mfu = 0;
  double achieved_tflops() const { return mfu > 0 ? peak_tflops * mfu : effective_tflops; }
  double training_tokens = 300e9;  // for the end-to-end estimate (GPT-3: 300 B tokens)
  void visit(ParamVisitor& v) override;
  Status validate() const override {
    if (mfu > 0 && peak_tflops <= 0) return Status::error("mfu needs peak_tflops");
    return Status::ok();
  }
};

// Derived sizes of the model.
struct ModelSizes {
  int64_t padded_vocab = 0;
  int64_t params_per_layer_dense = 0;       // a dense transformer layer
  int64_t params_per_layer_moe = 0;         // an MoE layer, all experts
  int64_t active_per_layer_moe = 0;         // an MoE layer, top_k experts
  int64_t expert_params_per_moe_layer = 0;  // the experts' MLPs of one MoE layer
  int64_t embedding_params = 0;             // word (+ position) embeddings
  int64_t total_params = 0;                 // everything once (tied output counted once)
  int64_t active_params = 0;                // what one token touches
};
ModelSizes model_sizes(const ModelConfig& m, int64_t tp);

// FLOPs of one training iteration (forward, backward and recompute), counting matrix
// multiplications as 2 FLOPs per multiply-add: Megatron-LM's
// F = 96 B s l h^2 (1 + s/(6h) + V/(16 l h)) for GPT with full recompute, generalized
// to other MLP widths, grouped-query attention, MoE (active experts) and no recompute.
double iteration_flops(const ModelConfig& m, const ParallelConfig& p);

// Megatron-LM's end-to-end training time estimate T = 8 T_tokens P / (N X), seconds.
double training_time_estimate(double tokens, double params, int64_t gpus, double flops_per_gpu);

}  // namespace aifabric
