#include "aifabric/workload/job.h"

#include <algorithm>

namespace aifabric {

std::vector<JobTransfer> network_transfers(const TaskGraph& g, const ClusterMap& map) {
  std::vector<JobTransfer> out;
  for (const Task& t : g.tasks()) {
    if (t.kind != TaskKind::kTransfer || map.same_node(t.rank, t.peer)) continue;
    // One connection per plane, as the executor splits it.
    const int64_t parts = std::clamp<int64_t>(t.bytes, 1, int64_t{std::max(map.planes, 1U)});
    for (int64_t p = 0; p < parts; ++p) {
      const auto shift = static_cast<uint32_t>(p) * map.plane_stride;
      out.push_back(JobTransfer{map.host_of_rank[t.rank] + shift, map.host_of_rank[t.peer] + shift,
                                t.priority, t.bytes / parts + (p < t.bytes % parts ? 1 : 0)});
    }
  }
  return out;
}

void fit_to_topology(ClusterMap& m, const TopologyGraph& g) {
  m.planes = g.planes();
  m.plane_stride = static_cast<uint32_t>(g.gpus());
  if (g.nvlink().empty()) return;
  const NvlinkDomains& d = g.nvlink().front();
  if (d.group == 0 || d.gpus_per_server != m.gpus_per_node) return;
  m.nvlink_group = d.group;
  m.nvlink_cross_latency = d.cross_latency;
  // The cross rate at the same share of nominal as the map's in-group rate.
  const double share = static_cast<double>(m.nvlink_rate.bits_per_second()) /
                       static_cast<double>(d.rate.bits_per_second());
  m.nvlink_cross_rate = d.cross_rate.scaled(share);
}

Result<ClusterMap> replay_cluster_map(const ReplayCluster& c, const TopologyGraph& g,
                                      uint32_t ranks, bool on_fabric) {
  const size_t hosts = g.gpus();
  const bool domains = c.gpus_per_node == 0 && !g.nvlink().empty();
  if ((on_fabric || domains) && ranks > hosts) {
    return Status::error("workload: " + std::to_string(ranks) +
                         " ranks need as many hosts (GPUs with a NIC), but the topology has " +
                         std::to_string(hosts));
  }
  if (!domains) {
    ClusterMap m = ClusterMap::linear(
        ranks, c.gpus_per_node == 0 ? 8 : static_cast<uint32_t>(c.gpus_per_node));
    m.nvlink_rate = c.nvlink_rate;
    m.nvlink_latency = c.nvlink_latency;
    fit_to_topology(m, g);
    return m;
  }
  const NvlinkDomains& d = g.nvlink().front();
  ClusterMap m = ClusterMap::linear(ranks, d.gpus_per_server);
  for (uint32_t r = 0; r < ranks; ++r) m.node_of_rank[r] = d.server_of_host[r];
  m.nvlink_rate = d.rate;
  m.nvlink_latency = d.latency;
  fit_to_topology(m, g);
  return m;
}

Status check_replay_room(const TaskGraph& g, size_t ranks, size_t deps, const std::string& where) {
  // A ring all-reduce has 2 n (n - 1) transfers, the other collectives fewer; each rank's
  // first transfer carries the dependencies.
  const uint64_t n = ranks;
  const uint64_t more = 2 * n * n + n * static_cast<uint64_t>(deps) / 4;
  if (g.size() + more > kMaxReplayTasks) {
    return Status::error(where + "the job would have more than " + std::to_string(kMaxReplayTasks) +
                         " tasks (this collective: " + std::to_string(ranks) + " ranks, after " +
                         std::to_string(g.size()) + " tasks)");
  }
  return Status::ok();
}

WorkloadReport replay_report(const Job& job, const TaskTimes& t) {
  IterationPlan plan;  // only its GPU count is read; no training-time estimate
  plan.gpus = job.map.ranks();
  return training_report(plan, job.graph, job.map, t, std::string(job.engine));
}

}  // namespace aifabric
