#include "aifabric/workload/task_graph.h"

#include <algorithm>

namespace aifabric {

Status validate_task_graph(const TaskGraph& g, uint32_t ranks) {
  const auto& tasks = g.tasks();
  for (size_t i = 0; i < tasks.size(); ++i) {
    const Task& t = tasks[i];
    const std::string where = "task " + std::to_string(i);
    for (uint32_t d : t.deps) {
      if (d >= i)
        return Status::error(where + ": depends on task " + std::to_string(d) +
                             ", which does not come before it");
    }
    if (t.rank >= ranks)
      return Status::error(where + ": rank " + std::to_string(t.rank) + " out of range");
    if (t.group >= g.groups().size()) return Status::error(where + ": unknown group");
    if (t.kind == TaskKind::kTransfer) {
      if (t.peer >= ranks)
        return Status::error(where + ": peer " + std::to_string(t.peer) + " out of range");
      if (t.peer == t.rank) return Status::error(where + ": transfer to itself");
      if (t.bytes <= 0) return Status::error(where + ": transfer size must be positive");
    } else if (t.duration < Time::zero()) {
      return Status::error(where + ": negative duration");
    }
  }
  return Status::ok();
}

ClusterMap ClusterMap::linear(uint32_t ranks, uint32_t gpus_per_node) {
  ClusterMap m;
  m.gpus_per_node = gpus_per_node;
  m.node_of_rank.resize(ranks);
  m.host_of_rank.resize(ranks);
  for (uint32_t r = 0; r < ranks; ++r) {
    m.node_of_rank[r] = r / gpus_per_node;
    m.host_of_rank[r] = r;
  }
  return m;
}

void ClusterMap::add_aggregators(const AggregationTree& t) {
  aggregation = t;
  aggregator_rank.clear();
  uint32_t node = 0;
  for (uint32_t n : node_of_rank) node = std::max(node, n + 1);
  for (uint32_t e = 0; e < t.host.size(); ++e) {
    aggregator_rank.push_back(ranks());
    node_of_rank.push_back(node + e);
    host_of_rank.push_back(t.host[e]);
  }
}

void ClusterMap::add_nvls(const NvlsConfig& c) {
  nvls = c;
  const uint32_t gpus = ranks();
  std::vector<bool> engine(gpus, false);
  for (uint32_t r : aggregator_rank) engine[r] = true;
  uint32_t nodes = 0;
  for (uint32_t r = 0; r < gpus; ++r) {
    if (!engine[r]) nodes = std::max(nodes, node_of_rank[r] + 1);
  }
  nvls_port.assign(gpus, UINT32_MAX);
  nvls_unit.assign(nodes, UINT32_MAX);
  for (uint32_t r = 0; r < gpus; ++r) {
    if (engine[r]) continue;
    nvls_port[r] = ranks();
    node_of_rank.push_back(node_of_rank[r]);
    host_of_rank.push_back(host_of_rank[r]);
    if (nvls_unit[node_of_rank[r]] == UINT32_MAX) {
      nvls_unit[node_of_rank[r]] = ranks();
      node_of_rank.push_back(node_of_rank[r]);
      host_of_rank.push_back(host_of_rank[r]);
    }
  }
}

bool TaskTimes::complete() const {
  for (Time f : finish) {
    if (f == Time::max()) return false;
  }
  return true;
}

Time TaskTimes::makespan() const {
  Time m;
  for (Time f : finish) m = std::max(m, f);
  return m;
}

}  // namespace aifabric
