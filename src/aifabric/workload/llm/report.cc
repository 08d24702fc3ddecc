#include "aifabric/workload/llm/report.h"

#include <algorithm>
#include <limits>

#include "aifabric/workload/collectives/collectives.h"
#include "aifabric/workload/executor.h"

namespace aifabric {

namespace {

// End of each iteration (its last task's finish).
std::vector<Time> iteration_ends(const std::vector<Time>& finish,
                                 const std::vector<uint32_t>& end) {
  std::vector<Time> out;
  size_t begin = 0;
  for (uint32_t e : end) {
    Time last;
    for (size_t i = begin; i < e && i < finish.size(); ++i) last = std::max(last, finish[i]);
    out.push_back(last);
    begin = e;
  }
  return out;
}

// One iteration of several: the mean of all but the first; of one, the makespan.
Time steady(const std::vector<Time>& ends, Time makespan) {
  if (ends.size() < 2) return makespan;
  return (ends.back() - ends.front()) / static_cast<int64_t>(ends.size() - 1);
}

}  // namespace

WorkloadReport training_report(const IterationPlan& plan, const TaskGraph& g, const ClusterMap& map,
                               const TaskTimes& t, std::string backend,
                               const std::vector<uint32_t>& iteration_end) {
  WorkloadReport r;
  r.iterations = std::max<int64_t>(1, static_cast<int64_t>(iteration_end.size()));
  r.backend = std::move(backend);
  r.tasks = g.size();
  if (!t.complete()) {
    r.finished = false;
    return r;
  }
  const std::vector<Time> ends = iteration_ends(t.finish, iteration_end);
  r.iteration = steady(ends, t.makespan());
  r.first_iteration = ends.empty() ? t.makespan() : ends.front();
  std::vector<Time> busy(static_cast<size_t>(plan.gpus));
  // Per group: the span of its tasks.
  std::vector<Time> first(g.groups().size(), Time::max());
  std::vector<Time> last(g.groups().size());
  // Pipeline exchanges are point-to-point: their time is each transfer's own.
  std::vector<Time> transfer_sum(g.groups().size());
  std::vector<int64_t> transfers(g.groups().size(), 0);
  for (size_t i = 0; i < g.size(); ++i) {
    const Task& task = g.tasks()[i];
    if (task.kind == TaskKind::kCompute) {
      busy[task.rank] += task.duration;
      continue;
    }
    first[task.group] = std::min(first[task.group], t.start[i]);
    last[task.group] = std::max(last[task.group], t.finish[i]);
    transfer_sum[task.group] += t.finish[i] - t.start[i];
    ++transfers[task.group];
  }
  for (Time b : busy) r.compute = std::max(r.compute, b);
  r.compute = r.compute / r.iterations;
  // Communication's share is what it adds to the iteration: the makespan minus that of
  // the same schedule with free transfers (which keeps the pipeline bubble).
  {
    ClusterMap free_map = map;
    free_map.nvlink_latency = Time::zero();
    free_map.free_coalesced = true;
    free_map.nvlink_rate = BitRate::bps(std::numeric_limits<int64_t>::max() / 8);
    AlphaBeta free_net;
    free_net.net_alpha = Time::zero();
    free_net.net_beta = BitRate::bps(std::numeric_limits<int64_t>::max() / 8);
    free_net.net_efficiency = 1;
    auto baseline = run_analytic(g, free_map, free_net);
    r.without_comm =
        baseline ? steady(iteration_ends(baseline->finish, iteration_end), baseline->makespan())
                 : r.compute;
  }
  r.bubble = r.without_comm > r.compute ? r.without_comm - r.compute : Time::zero();
  r.exposed_comm = r.iteration > r.without_comm ? r.iteration - r.without_comm : Time::zero();
  r.comm_share =
      r.iteration > Time::zero() ? r.exposed_comm.to_seconds() / r.iteration.to_seconds() : 0;
  // Aggregate instances by name (stage and bucket numbers dropped: "dp.allreduce").
  for (size_t gi = 0; gi < g.groups().size(); ++gi) {
    if (first[gi] == Time::max()) continue;
    const TaskGroup& grp = g.groups()[gi];
    const std::string name = grp.name.substr(0, grp.name.find(' '));
    auto it = std::find_if(r.collectives.begin(), r.collectives.end(),
                           [&](const CollectiveRow& c) { return c.name == name; });
    if (it == r.collectives.end()) {
      r.collectives.push_back(CollectiveRow{name, grp.kind, grp.ranks, 0, 0, Time::zero(), 0, 0});
      it = r.collectives.end() - 1;
    }
    if (grp.kind == "pp_send") {
      it->bytes = grp.bytes;
      it->instances = static_cast<size_t>(transfers[gi]);
      it->mean_time = Time::ps(transfer_sum[gi].ps() / std::max<int64_t>(transfers[gi], 1));
      continue;
    }
    // Running means of size and time over the instances (stages differ in size).
    const Time span = last[gi] - first[gi];
    const auto k = static_cast<int64_t>(it->instances);
    it->mean_time = Time::ps((it->mean_time.ps() * k + span.ps()) / (k + 1));
    it->bytes = (it->bytes * k + grp.bytes) / (k + 1);
    ++it->instances;
  }
  for (auto& c : r.collectives) {
    const double secs = c.mean_time.to_seconds();
    if (secs <= 0) continue;
    c.algbw_gbs = static_cast<double>(c.bytes) / secs / 1e9;
    CollectiveOp op = CollectiveOp::kAllReduce;
    if (c.kind == "pp_send") op = CollectiveOp::kSendRecv;
    if (c.kind == "all_to_all") op = CollectiveOp::kAllToAll;
    if (c.kind == "reduce_scatter") op = CollectiveOp::kReduceScatter;
    if (c.kind == "all_gather") op = CollectiveOp::kAllGather;
    c.busbw_gbs = c.algbw_gbs * bus_factor(op, c.ranks);
  }
  r.training_days_formula = plan.training_days_formula;
  r.training_days_simulated = r.iteration.to_seconds() * plan.iterations_for_training / 86400.0;
  return r;
}

}  // namespace aifabric
