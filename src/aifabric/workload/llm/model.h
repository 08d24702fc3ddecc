// A large language model, its parallel layout and the cluster it trains on — the
// description an AI-cluster architect writes. Parameter counts and FLOPs are derived
// from it (Narayanan et al., "Efficient Large-Scale Language Model Training on GPU
// Clusters Using Megatron-LM", SC 2021), never typed in.
#pragma once

#include <cstdint>
#include <string>

#include "aifabric/core/params.h"
#include "aifabric/workload/compute/gpu.h"

namespace aifabric {

// Activation recomputation (Korthikanti et al. 2022): full runs each layer's forward
// again in the backward pass; selective only the attention core (scores, softmax,
// dropout, weighted values), whose activations are large and cheap to recompute.
enum class Recompute { kFull = 0, kNone = 1, kSelective = 2 };
// The attention kernel: unfused (Megatron 2021-22: scores and softmax through HBM, s^2
// per head) or flash (FlashAttention: tiled on chip, recomputed in the backward).
enum class AttentionKernel { kUnfused = 0, kFlash = 1 };
inline constexpr std::string_view kAttentionNames[] = {"unfused", "flash"};
// Rank order from fastest-varying to slowest: Megatron's default puts tensor ranks
// innermost, then data, then pipeline (tp_dp_pp); tp_pp_dp puts a pipeline's stages on
// consecutive ranks instead.
enum class RankOrder { kTpDpPp = 0, kTpPpDp = 1 };
inline constexpr std::string_view kRankOrderNames[] = {"tp_dp_pp", "tp_pp_dp"};
inline constexpr std::string_view kRecomputeNames[] = {"full", "none", "selective"};

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
  int64_t dense_layers = 0;    // the first n layers stay dense (DeepSeek-V3: 3)
  int64_t shared_experts = 0;  // experts every token also goes through (DeepSeek: 1)
  // Precision of the dispatch all-to-all (DeepSeek-V3: fp8); the combine is in
  // `precision`.
  Precision dispatch_precision = Precision::kBf16;
  AttentionKernel attention = AttentionKernel::kFlash;
  void visit(ParamVisitor& v) override;
  Status validate() const override;

  int64_t ffn() const { return ffn_hidden > 0 ? ffn_hidden : 4 * hidden; }
  int64_t expert_ffn() const { return expert_ffn_hidden > 0 ? expert_ffn_hidden : ffn(); }
  int64_t kv_dim() const { return (kv_heads > 0 ? kv_heads : heads) * (hidden / heads); }
  bool is_moe_layer(int64_t layer) const {
    return experts > 0 && layer >= dense_layers && (layer + 1) % moe_every == 0;
  }
  int64_t moe_layers() const {
    int64_t n = 0;
    for (int64_t l = 0; l < layers; ++l) n += is_moe_layer(l) ? 1 : 0;
    return n;
  }
};

struct ParallelConfig final : ParamsOf<ParallelConfig> {
  int64_t tp = 8;              // tensor parallelism (inside a node by default)
  int64_t pp = 8;              // pipeline parallelism (1F1B schedule)
  int64_t virtual_stages = 1;  // model chunks per pipeline rank (interleaved 1F1B); 1 = plain
  // Uneven stages (Megatron's decoder_first/last_pipeline_num_layers); 0 = even split.
  int64_t first_stage_layers = 0;
  int64_t last_stage_layers = 0;
  bool sequence_parallel = false;  // TP all-gather / reduce-scatter; norms split over TP
  bool tp_overlap = false;         // TP communication overlapped with the GEMMs
  // Pipeline sends split over the TP ranks and all-gathered on NVLink at the receiver
  // (Megatron's scatter-gather optimization): 1/tp of the activation per GPU.
  bool pp_scatter_gather = true;
  // 0 = data-parallel all-reduce of gradients; 1, 2 = distributed optimizer (gradients
  // reduce-scattered, optimizer step on 1/dp, parameters all-gathered); 3 = fully
  // sharded (parameters all-gathered before each pass, gradients reduce-scattered).
  int64_t zero_stage = 0;
  int64_t dp = 16;              // data parallelism
  int64_t ep = 1;               // expert parallelism: experts split over ep data-parallel ranks
  int64_t cp = 1;               // context parallelism: the sequence split over cp ranks
  int64_t global_batch = 1536;  // sequences per iteration
  int64_t micro_batch = 1;      // sequences per micro-batch
  Recompute recompute = Recompute::kFull;
  Bytes dp_bucket = Bytes::mib(40);  // gradient bucket for the data-parallel all-reduce
  bool dp_overlap = false;           // overlap gradient all-reduce with the last backward pass
  Precision grad_precision = Precision::kFp16;
  RankOrder order = RankOrder::kTpDpPp;
  // MoE routing as deployed: each token's experts on at most this many servers
  // (DeepSeek-V3: 4); 0 = no limit.
  int64_t node_limit = 0;
  // Load of the busiest expert rank over the mean (1 = balanced).
  double expert_imbalance = 1.0;
  void visit(ParamVisitor& v) override;
  Status validate() const override;
  int64_t gpus() const { return tp * pp * dp * cp; }
  // Ranks that hold the same weights of a stage: data x context parallel.
  int64_t data_ranks() const { return dp * cp; }
  int64_t micro_batches() const { return global_batch / (micro_batch * dp); }
};

inline constexpr BitRate kDefaultScaleOut = BitRate::gbps(400);

struct ClusterConfig final : ParamsOf<ClusterConfig> {
  int64_t gpus_per_node = 8;
  // A member of gpu_models(): "none" keeps the constant rate below; a GPU times every
  // kernel on its roofline (compute/gpu.h).
  int gpu = 0;
  BitRate nvlink_rate = BitRate::gbps(2400);  // per GPU per direction (A100 NVLink3: 300 GB/s)
  Time nvlink_latency = Time::us(2);
  // A TP group larger than a server / scale-up domain crosses the NICs: each GPU's NIC
  // rate for it (0 = the topology's, x its planes; 400 Gbps without a topology) and the
  // latency of one ring step between domains (as CollectiveSpec::net_alpha).
  BitRate scale_out_rate = BitRate::bps(0);
  Time scale_out_latency = Time::us(5);
  // Share of the NVLink rate collectives reach: nccl-tests all_reduce busbw on DGX A100
  // is ~230-240 GB/s of 300 GB/s per direction (NVIDIA, DGX A100 user guide / nccl-tests
  // results), 0.8.
  double nvlink_efficiency = 0.8;
  // NVLS: the NVSwitches reduce and multicast (H100/B200 NVSwitch); TP collectives inside
  // a domain take the faster of NVLS and NCCL's ring, as NCCL's tuner does. nvls_rate:
  // the reduction throughput per GPU port (0 = no limit beyond NVLink).
  bool nvls = false;
  BitRate nvls_rate = BitRate::bps(0);
  // Effective (achieved) throughput per GPU, overriding the GPU model's roofline (every
  // FLOP at this rate). 0 = the GPU model's, or without one 140 TFLOP/s, Megatron-LM's
  // measured A100 figure for GPT-3 (Narayanan et al. 2021, section 5.1).
  double effective_tflops = 0;
  double peak_tflops = 0;  // with mfu > 0: effective = peak x mfu
  double mfu = 0;
  // The GPU model's GEMM efficiency (KernelEfficiency::gemm); see docs/workload.md.
  double gemm_efficiency = kCalibratedGemmEfficiency;
  const GpuModel& gpu_model() const { return gpu_models().at(static_cast<size_t>(gpu)); }
  bool roofline() const { return gpu != 0 && effective_tflops <= 0 && mfu <= 0; }
  // The constant rate, when there is one (not roofline()).
  double achieved_tflops() const {
    if (mfu > 0) return peak_tflops * mfu;
    return effective_tflops > 0 ? effective_tflops : kDefaultTflops;
  }
  static constexpr double kDefaultTflops = 140;
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
