#include "aifabric/topo/builders/fat_tree/fat_tree.h"

#include <string>
#include <vector>

namespace aifabric {

Status FatTreeConfig::validate() const {
  if (k % 2 != 0) return Status::error("k must be even (got " + std::to_string(k) + ")");
  const int64_t per_edge = hosts_per_edge == 0 ? k / 2 : hosts_per_edge;
  if (per_edge + k / 2 > 65535) return Status::error("an edge switch would need > 65535 ports");
  if (k * (k / 2) * per_edge < 2) return Status::error("needs at least 2 hosts in total");
  return Status::ok();
}

TopologyGraph build_fat_tree(const FatTreeConfig& c) {
  TopologyGraph g;
  const int64_t k = c.k;
  const int64_t half = k / 2;
  const int64_t per_edge = c.hosts_per_edge == 0 ? half : c.hosts_per_edge;
  std::vector<uint32_t> hosts;
  for (int64_t i = 0; i < k * half * per_edge; ++i) {
    hosts.push_back(g.add_node(NodeKind::kHost, "host" + std::to_string(i), 0));
  }
  std::vector<uint32_t> edge;
  std::vector<uint32_t> agg;
  std::vector<uint32_t> core;
  for (int64_t pod = 0; pod < k; ++pod) {
    for (int64_t i = 0; i < half; ++i) {
      edge.push_back(
          g.add_node(NodeKind::kSwitch, "edge" + std::to_string(pod) + "_" + std::to_string(i), 1));
    }
  }
  for (int64_t pod = 0; pod < k; ++pod) {
    for (int64_t i = 0; i < half; ++i) {
      agg.push_back(
          g.add_node(NodeKind::kSwitch, "agg" + std::to_string(pod) + "_" + std::to_string(i), 2));
    }
  }
  for (int64_t i = 0; i < half * half; ++i) {
    core.push_back(g.add_node(NodeKind::kSwitch, "core" + std::to_string(i), 3));
  }
  for (int64_t e = 0; e < k * half; ++e) {
    for (int64_t h = 0; h < per_edge; ++h) {
      g.add_link(hosts[static_cast<size_t>(e * per_edge + h)], edge[e], c.host_link.link());
    }
  }
  for (int64_t pod = 0; pod < k; ++pod) {
    for (int64_t e = 0; e < half; ++e) {
      for (int64_t a = 0; a < half; ++a) {
        g.add_link(edge[pod * half + e], agg[pod * half + a], c.edge_agg_link.link());
      }
    }
  }
  // Aggregation switch a of every pod connects to cores a*k/2 .. a*k/2 + k/2 - 1.
  for (int64_t pod = 0; pod < k; ++pod) {
    for (int64_t a = 0; a < half; ++a) {
      for (int64_t j = 0; j < half; ++j) {
        g.add_link(agg[pod * half + a], core[a * half + j], c.agg_core_link.link());
      }
    }
  }
  return g;
}

}  // namespace aifabric
