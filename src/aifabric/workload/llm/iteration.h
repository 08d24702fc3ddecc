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
  // Task count after each iteration: iteration i is tasks [end[i-1], end[i]).
  std::vector<uint32_t> iteration_end;
};

struct IterationOptions {
  int64_t iterations = 1;  // back to back, each after the previous one's optimizer step
  // Give tasks to tensor rank 0 only: exact when nothing couples the tensor ranks but
  // their NVLink collectives (folded into the passes) and each has its own NIC and a
  // contention-free network (the analytic backend), tp times smaller. The other
  // tensor ranks then have no tasks (and no timeline).
  bool tensor_symmetry = false;
  // The flow level: whole-step rings as one flow per neighbour pair, each step's
  // network latency given by this from the two hosts (CollectiveSpec::coalesce).
  std::function<Time(uint32_t, uint32_t)> ring_step_latency;
};

// One slot of a pipeline rank's schedule: a forward or backward of a chunk for a
// micro-batch.
struct PipelineSlot {
  bool forward;
  int64_t chunk;
  int64_t k;
};
// The schedule of pipeline rank `device` of `pp` with `v` chunks each and `mb` micro-
// batches: 1F1B (v = 1) or Megatron-LM's interleaved 1F1B.
std::vector<PipelineSlot> pipeline_order(int64_t pp, int64_t v, int64_t mb, int64_t device);

// Buckets beyond this are merged (a graph per bucket per group would be huge at
// thousands of GPUs and the ring pipeline hides the difference).
inline constexpr int64_t kMaxDpBuckets = 16;
// A graph is refused beyond this many tasks (~5 GiB).
inline constexpr size_t kMaxIterationTasks = size_t{1} << 24;
// Above this many forward and backward passes the analytic backend uses the tensor
// symmetry (IterationOptions::tensor_symmetry).
inline constexpr int64_t kSymmetryAbovePasses = int64_t{1} << 20;

Result<IterationGraph> build_iteration(const IterationPlan& plan, const IterationOptions& opt = {});

}  // namespace aifabric
