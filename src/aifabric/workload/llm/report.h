// What one executed training iteration comes to: iteration time, compute on the
// busiest GPU, the pipeline bubble, the communication the schedule could not hide, and
// each kind of collective with its time and bus bandwidth (nccl-tests' terms).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "aifabric/core/units.h"
#include "aifabric/workload/llm/plan.h"
#include "aifabric/workload/task_graph.h"

namespace aifabric {

// One collective (or pipeline exchange) kind of a training iteration, aggregated over
// its instances (e.g. every stage's and tensor rank's gradient all-reduce).
struct CollectiveRow {
  std::string name;
  std::string kind;
  uint32_t ranks = 0;
  int64_t bytes = 0;  // per-rank buffer of one instance (mean over instances)
  size_t instances = 0;
  Time mean_time;        // first transfer start to last transfer finish, averaged
  double algbw_gbs = 0;  // bytes / time, GB/s (1e9 B/s, as nccl-tests)
  double busbw_gbs = 0;  // algbw x the nccl-tests bus factor
};

struct WorkloadReport {
  std::string backend;
  bool finished = true;  // every task ran; if not, only backend and tasks are meaningful
  Time iteration;        // one iteration: the steady state over several, else the makespan
  Time first_iteration;  // the first one (with several)
  int64_t iterations = 1;
  Time compute;  // the busiest GPU's compute (forward/backward, TP included)
  // The same graph with free transfers: compute plus the pipeline bubble.
  Time without_comm;
  Time bubble;            // without_comm - compute
  Time exposed_comm;      // iteration - without_comm: what communication adds
  double comm_share = 0;  // exposed_comm / iteration
  size_t tasks = 0;
  std::vector<CollectiveRow> collectives;
  double training_days_simulated = 0;  // iteration x iterations for the training tokens
  double training_days_formula = 0;    // IterationPlan::training_days_formula
};

// `iteration_end`: the task count after each iteration (empty: one iteration). With
// several, times are per iteration: the first one, and the mean of the others.
WorkloadReport training_report(const IterationPlan& plan, const TaskGraph& g, const ClusterMap& map,
                               const TaskTimes& t, std::string backend,
                               const std::vector<uint32_t>& iteration_end = {});

}  // namespace aifabric
