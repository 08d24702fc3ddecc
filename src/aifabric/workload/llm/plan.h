// The per-iteration plan of an LLM training job: where every GPU rank sits, what each
// pipeline stage holds and computes, and how many bytes each kind of parallelism moves
// per GPU per iteration, over NVLink or the network. Pure arithmetic on the model and
// layout (Megatron-LM's placement and 1F1B schedule); the executors then time it.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "aifabric/workload/llm/layer_time.h"
#include "aifabric/workload/llm/model.h"

namespace aifabric {

// One model chunk: the layers one pipeline rank runs as one virtual stage (with
// interleaved 1F1B a rank holds virtual_stages chunks: chunk c of rank r is virtual
// stage c x pp + r).
struct ChunkPlan {
  int64_t device = 0;  // pipeline rank
  int64_t chunk = 0;
  int64_t first_layer = 0;
  int64_t layers = 0;
  int64_t moe_layers = 0;
  bool first = false;  // holds the embedding
  bool last = false;   // holds the output layer and loss
  // One micro-batch on one GPU, TP communication and recompute included, MoE all-to-
  // alls excluded (the executor adds them per MoE layer).
  Time forward;
  Time backward;
};

struct StagePlan {
  int64_t layers = 0;
  int64_t moe_layers = 0;
  int64_t params_per_gpu = 0;         // held by one GPU of this stage
  int64_t expert_params_per_gpu = 0;  // of which expert weights (reduced over dp / ep)
  Time forward;                       // one micro-batch, one GPU, TP communication included
  Time backward;  // one micro-batch, one GPU (recompute and TP communication included)
  Time kernels;   // of forward + backward: the GPU's kernels alone
  // Bytes one GPU of this stage sends per iteration:
  int64_t tp_bytes = 0;      // tensor-parallel all-reduces
  int64_t tp_net_bytes = 0;  // of those, what a TP group spanning servers sends on a NIC
  int64_t pp_bytes = 0;      // activations forward and gradients backward
  int64_t dp_bytes = 0;      // gradient all-reduce (ring)
  int64_t ep_bytes = 0;      // MoE all-to-all dispatch and combine
  int64_t cp_bytes = 0;      // context parallelism's key/value ring
  int64_t tp_allreduce_bytes_per_microbatch = 0;  // one TP all-reduce's buffer
  Time optimizer;                                 // the optimizer step on one GPU
};

struct TrafficLine {
  std::string kind;       // tensor, pipeline, data, expert
  std::string medium;     // NVLink, network, none
  double mean_bytes = 0;  // per GPU per iteration, averaged over GPUs
  double max_bytes = 0;   // per GPU per iteration, the busiest GPU
};

struct IterationPlan {
  ModelConfig model;
  ParallelConfig parallel;
  ClusterConfig cluster;
  ModelSizes sizes;
  int64_t gpus = 0;
  int64_t micro_batches = 0;
  double flops = 0;               // per iteration, whole job
  std::vector<StagePlan> stages;  // per pipeline rank (all its chunks)
  std::vector<ChunkPlan> chunks;  // per virtual stage, in model order
  LayerTime dense_layer;          // one dense layer, one micro-batch, one GPU
  LayerTime moe_layer;            // one MoE layer (experts' share in moe_experts_*)
  Time moe_experts_forward;       // of moe_layer.forward: the expert MLPs
  Time moe_experts_backward;
  int64_t pp_send_bytes = 0;   // one GPU's share of one activation between stages
  int64_t dispatch_bytes = 0;  // one MoE dispatch all-to-all, per rank (nccl-tests terms)
  int64_t combine_bytes = 0;   // one MoE combine all-to-all, per rank
  int64_t cp_kv_bytes = 0;     // one layer's keys and values gathered round the cp ring
  std::vector<TrafficLine> traffic;
  // Kernels per iteration on the busiest GPU (no bubble, no communication).
  Time compute_per_iteration;
  // 1F1B with no communication cost: (M + pp - 1) x (forward + backward) of the
  // slowest stage.
  Time ideal_iteration;
  double iterations_for_training = 0;
  // Megatron-LM's T = 8 T_tokens P / (N X) with P the active parameters, 8 = 2 x (1
  // forward + 2 backward + 1 recompute) passes, 6 without recompute; X the achieved
  // rate (the busiest GPU's FLOPs over its compute time with a GPU model).
  double training_days_formula = 0;
  double achieved_tflops = 0;  // per GPU, as above

  // Placement per parallel.order (Megatron's default: tensor, context, data,
  // pipeline). `d` is the data rank (data-parallel rank x cp + context rank), in
  // [0, dp x cp).
  uint32_t rank(int64_t d, int64_t pp, int64_t tp) const {
    if (parallel.order == RankOrder::kTpPpDp) {
      return static_cast<uint32_t>((d * parallel.pp + pp) * parallel.tp + tp);
    }
    return static_cast<uint32_t>((pp * parallel.data_ranks() + d) * parallel.tp + tp);
  }
  // The data-parallel rank of a GPU rank (inverse of rank()).
  int64_t dp_of(uint32_t r) const {
    const int64_t above_tp = r / parallel.tp;
    const int64_t d = parallel.order == RankOrder::kTpPpDp ? above_tp / parallel.pp
                                                           : above_tp % parallel.data_ranks();
    return d / parallel.cp;
  }
  uint32_t node_of(uint32_t rank) const {
    return static_cast<uint32_t>(rank / static_cast<uint32_t>(cluster.gpus_per_node));
  }
};

Result<IterationPlan> make_plan(const ModelConfig& m, const ParallelConfig& p,
                                const ClusterConfig& c);

// The plan as a table for people and as JSON for scripts.
std::string plan_table(const IterationPlan& plan);
nlohmann::ordered_json plan_json(const IterationPlan& plan);

}  // namespace aifabric
