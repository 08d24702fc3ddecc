// The per-iteration plan of an LLM training job: where every GPU rank sits, what each
// pipeline stage holds and computes, and how many bytes each kind of parallelism moves
// per GPU per iteration, over NVLink or the network. Pure arithmetic on the model and
// layout (Megatron-LM's placement and 1F1B schedule); the executors then time it.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "aifabric/workload/llm/model.h"

namespace aifabric {

struct StagePlan {
  int64_t layers = 0;
  int64_t moe_layers = 0;
  int64_t params_per_gpu = 0;         // held by one GPU of this stage
  int64_t expert_params_per_gpu = 0;  // of which expert weights (reduced over dp / ep)
  Time forward;                       // one micro-batch, one GPU
  Time backward;                      // one micro-batch, one GPU (recompute included)
  // Bytes one GPU of this stage sends per iteration:
  int64_t tp_bytes = 0;                           // tensor-parallel all-reduces
  int64_t pp_bytes = 0;                           // activations forward and gradients backward
  int64_t dp_bytes = 0;                           // gradient all-reduce (ring)
  int64_t ep_bytes = 0;                           // MoE all-to-all dispatch and combine
  int64_t tp_allreduce_bytes_per_microbatch = 0;  // one TP all-reduce's buffer
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
  double flops = 0;  // per iteration, whole job
  std::vector<StagePlan> stages;
  std::vector<TrafficLine> traffic;
  // Compute per iteration on the busiest GPU (no bubble, no communication).
  Time compute_per_iteration;
  // 1F1B with no communication cost: (M + pp - 1) x (forward + backward) of the
  // slowest stage.
  Time ideal_iteration;
  double iterations_for_training = 0;
  double training_days_formula = 0;  // T = 8 T_tokens P / (N X)

  // Placement per parallel.order (Megatron's default: tensor, data, pipeline).
  uint32_t rank(int64_t dp, int64_t pp, int64_t tp) const {
    if (parallel.order == RankOrder::kTpPpDp) {
      return static_cast<uint32_t>((dp * parallel.pp + pp) * parallel.tp + tp);
    }
    return static_cast<uint32_t>((pp * parallel.dp + dp) * parallel.tp + tp);
  }
  // The data-parallel rank of a GPU rank (inverse of rank()).
  int64_t dp_of(uint32_t r) const {
    const int64_t above_tp = r / parallel.tp;
    return parallel.order == RankOrder::kTpPpDp ? above_tp / parallel.pp : above_tp % parallel.dp;
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
