#include "aifabric/workload/job.h"

namespace aifabric {

std::vector<JobTransfer> network_transfers(const TaskGraph& g, const ClusterMap& map) {
  std::vector<JobTransfer> out;
  for (const Task& t : g.tasks()) {
    if (t.kind != TaskKind::kTransfer || map.same_node(t.rank, t.peer)) continue;
    out.push_back(
        JobTransfer{map.host_of_rank[t.rank], map.host_of_rank[t.peer], t.priority, t.bytes});
  }
  return out;
}

}  // namespace aifabric
