// One training iteration as a task graph: per GPU, the 1F1B pipeline schedule of
// forward and backward passes (tensor-parallel all-reduces on NVLink folded into each
// pass's time, as Megatron runs them without overlap), pipeline sends of activations
// and gradients between stages, MoE all-to-alls after each pass, and the gradient
// all-reduce of every (stage, tensor rank) data-parallel group in buckets, optionally
// overlapped with the last backward pass.
#pragma once

#include "aifabric/workload/llm/plan.h"
#include "aifabric/workload/task_graph.h"

namespace aifabric {

struct IterationGraph {
  TaskGraph graph;
  ClusterMap map;
  uint32_t compute_group = 0;  // the group of every forward/backward task
};

// Buckets beyond this are merged (a graph per bucket per group would be huge at
// thousands of GPUs and the ring pipeline hides the difference).
inline constexpr int64_t kMaxDpBuckets = 16;

Result<IterationGraph> build_iteration(const IterationPlan& plan);

// Time of one tensor-parallel ring all-reduce of `bytes` over NVLink among `tp` GPUs.
Time tp_allreduce_time(int64_t bytes, int64_t tp, const ClusterConfig& c);

}  // namespace aifabric
