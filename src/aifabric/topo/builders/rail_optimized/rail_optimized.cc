#include "aifabric/topo/builders/rail_optimized/rail_optimized.h"

#include <algorithm>
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
  if (groups_per_pod > 0) {
    if (pods() < 2) {
      return Status::error("groups_per_pod (" + std::to_string(groups_per_pod) +
                           ") holds every leaf group in one pod; use 0 for 2 tiers");
    }
    if (std::min(groups_per_pod, leaf_groups()) * gpus_per_node + cores_per_spine * links_per_core >
        65535) {
      return Status::error("cores_per_spine: a spine would need more than 65535 ports");
    }
    if (pods() * links_per_core > 65535) {
      return Status::error("groups_per_pod: a core would need > 65535 ports");
    }
    return Status::ok();
  }
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
  const int64_t pods = c.pods();
  const bool three = c.groups_per_pod > 0;
  std::vector<uint32_t> spines;  // by pod * c.spines + i
  for (int64_t p = 0; p < pods; ++p) {
    for (int64_t s = 0; s < c.spines; ++s) {
      const std::string pod = three ? "pod" + std::to_string(p) + "_" : "";
      spines.push_back(g.add_node(NodeKind::kSwitch, tag + pod + "spine" + std::to_string(s), 2));
    }
  }
  std::vector<uint32_t> cores;  // by i * cores_per_spine + j
  for (int64_t i = 0; i < c.cores(); ++i) {
    cores.push_back(g.add_node(NodeKind::kSwitch, tag + "core" + std::to_string(i), 3));
  }
  const std::vector<uint32_t>& hosts = g.hosts();
  for (int64_t n = 0; n < c.nodes; ++n) {
    for (int64_t gpu = 0; gpu < gpus; ++gpu) {
      g.add_link(hosts[first_host + static_cast<size_t>(n * gpus + gpu)],
                 leaves[static_cast<size_t>((n / c.nodes_per_leaf) * gpus + gpu)],
                 c.host_link.link());
    }
  }
  for (size_t l = 0; l < leaves.size(); ++l) {
    const int64_t grp = static_cast<int64_t>(l) / gpus;
    const int64_t pod = three ? grp / c.groups_per_pod : 0;
    for (int64_t s = 0; s < c.spines; ++s) {
      g.add_link(leaves[l], spines[static_cast<size_t>(pod * c.spines + s)], c.fabric_link.link());
    }
  }
  for (int64_t p = 0; p < (three ? pods : 0); ++p) {
    for (int64_t s = 0; s < c.spines; ++s) {
      for (int64_t j = 0; j < c.cores_per_spine; ++j) {
        for (int64_t k = 0; k < c.links_per_core; ++k) {
          g.add_link(spines[static_cast<size_t>(p * c.spines + s)],
                     cores[static_cast<size_t>(s * c.cores_per_spine + j)], c.core_link.link());
        }
      }
    }
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
