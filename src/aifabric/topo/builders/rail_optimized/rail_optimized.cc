#include "aifabric/topo/builders/rail_optimized/rail_optimized.h"

#include <string>
#include <vector>

namespace aifabric {

Status RailOptimizedConfig::validate() const {
  if (nodes * gpus_per_node < 2) return Status::error("needs at least 2 GPUs in total");
  if (nodes * gpus_per_node > 1'000'000) return Status::error("more than 1,000,000 GPUs");
  if (nodes_per_leaf > nodes) {
    return Status::error("nodes_per_leaf (" + std::to_string(nodes_per_leaf) +
                         ") is more than nodes (" + std::to_string(nodes) + ")");
  }
  if (nodes_per_leaf + spines > 65535) return Status::error("a leaf would need > 65535 ports");
  if (leaf_groups() * gpus_per_node > 65535) {
    return Status::error("a spine would need more than 65535 ports");
  }
  return Status::ok();
}

void add_rail_optimized_plane(TopologyGraph& g, const RailOptimizedConfig& c, uint32_t first_host,
                              const std::string& tag) {
  const int64_t gpus = c.gpus_per_node;
  const int64_t groups = c.leaf_groups();
  std::vector<uint32_t> leaves;  // by group * gpus + rail
  for (int64_t grp = 0; grp < groups; ++grp) {
    for (int64_t rail = 0; rail < gpus; ++rail) {
      leaves.push_back(
          g.add_node(NodeKind::kSwitch,
                     tag + "rail" + std::to_string(rail) + "_leaf" + std::to_string(grp), 1));
    }
  }
  std::vector<uint32_t> spines;
  for (int64_t s = 0; s < c.spines; ++s) {
    spines.push_back(g.add_node(NodeKind::kSwitch, tag + "spine" + std::to_string(s), 2));
  }
  const std::vector<uint32_t>& hosts = g.hosts();
  for (int64_t n = 0; n < c.nodes; ++n) {
    for (int64_t gpu = 0; gpu < gpus; ++gpu) {
      g.add_link(hosts[first_host + static_cast<size_t>(n * gpus + gpu)],
                 leaves[static_cast<size_t>((n / c.nodes_per_leaf) * gpus + gpu)],
                 c.host_link.link());
    }
  }
  for (uint32_t leaf : leaves) {
    for (uint32_t spine : spines) g.add_link(leaf, spine, c.fabric_link.link());
  }
}

void add_rail_optimized_hosts(TopologyGraph& g, const RailOptimizedConfig& c,
                              const std::string& tag) {
  for (int64_t n = 0; n < c.nodes; ++n) {
    for (int64_t gpu = 0; gpu < c.gpus_per_node; ++gpu) {
      g.add_node(NodeKind::kHost, tag + "gpu" + std::to_string(n) + "_" + std::to_string(gpu), 0);
    }
  }
}

TopologyGraph build_rail_optimized(const RailOptimizedConfig& c) {
  TopologyGraph g;
  add_rail_optimized_hosts(g, c, "");
  add_rail_optimized_plane(g, c, 0, "");
  return g;
}

}  // namespace aifabric
