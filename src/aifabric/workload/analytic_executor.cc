// List scheduling in readiness order: tasks are taken in the order they become ready
// (time, then index) and booked on their resources at the earliest time all are
// free, so every port serves its transfers first come, first served.
#include "aifabric/workload/analytic_executor.h"

#include <algorithm>
#include <queue>
#include <utility>

namespace aifabric {

Result<TaskTimes> run_analytic(const TaskGraph& g, const ClusterMap& map, const AlphaBeta& ab) {
  if (auto st = validate_task_graph(g, map.ranks()); !st) return st;
  const auto& tasks = g.tasks();
  const size_t n = tasks.size();
  // Successor lists (compressed) and in-degrees.
  std::vector<uint32_t> indeg(n, 0);
  std::vector<uint32_t> offset(n + 1, 0);
  for (const Task& t : tasks) {
    for (uint32_t d : t.deps) ++offset[d + 1];
  }
  for (size_t i = 0; i < n; ++i) offset[i + 1] += offset[i];
  std::vector<uint32_t> succ(offset[n]);
  {
    std::vector<uint32_t> fill(offset.begin(), offset.end() - 1);
    for (uint32_t i = 0; i < n; ++i) {
      indeg[i] = static_cast<uint32_t>(tasks[i].deps.size());
      for (uint32_t d : tasks[i].deps) succ[fill[d]++] = i;
    }
  }
  const size_t ranks = map.ranks();
  std::vector<Time> gpu(ranks), net_tx(ranks), net_rx(ranks), nvl_tx(ranks), nvl_rx(ranks);
  const double eff = ab.net_efficiency > 0 ? ab.net_efficiency : 1.0;
  const BitRate goodput = ab.net_beta.scaled(eff);

  TaskTimes out;
  out.start.assign(n, Time::max());
  out.finish.assign(n, Time::max());
  std::vector<Time> ready(n, Time::zero());
  using Item = std::pair<int64_t, uint32_t>;  // (ready time ps, task)
  std::priority_queue<Item, std::vector<Item>, std::greater<>> q;
  for (uint32_t i = 0; i < n; ++i) {
    if (indeg[i] == 0) q.emplace(0, i);
  }
  while (!q.empty()) {
    const auto [at, i] = q.top();
    q.pop();
    const Task& t = tasks[i];
    const Time r = Time::ps(at);
    Time start;
    Time finish;
    if (t.kind == TaskKind::kCompute) {
      start = std::max(r, gpu[t.rank]);
      finish = start + t.duration;
      gpu[t.rank] = finish;
    } else if (map.same_node(t.rank, t.peer)) {
      start = std::max({r, nvl_tx[t.rank], nvl_rx[t.peer]});
      finish = start + map.nvlink_latency + map.nvlink_rate.transmit_time(t.bytes);
      nvl_tx[t.rank] = nvl_rx[t.peer] = finish;
    } else {
      start = std::max({r, net_tx[t.rank], net_rx[t.peer]});
      finish = start + ab.net_alpha + goodput.transmit_time(t.bytes);
      net_tx[t.rank] = net_rx[t.peer] = finish;
    }
    out.start[i] = start;
    out.finish[i] = finish;
    for (uint32_t k = offset[i]; k < offset[i + 1]; ++k) {
      const uint32_t s = succ[k];
      ready[s] = std::max(ready[s], finish);
      if (--indeg[s] == 0) q.emplace(ready[s].ps(), s);
    }
  }
  return out;
}

}  // namespace aifabric
