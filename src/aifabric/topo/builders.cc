#include "aifabric/topo/builders.h"

#include <string>
#include <vector>

namespace aifabric {

Status LeafSpineConfig::validate() const {
  if (leaves * hosts_per_leaf < 2) return Status::error("needs at least 2 hosts in total");
  if (leaves * hosts_per_leaf > 1'000'000) return Status::error("more than 1,000,000 hosts");
  if (hosts_per_leaf + spines * links_per_spine > 65535) {
    return Status::error("a leaf would need more than 65535 ports");
  }
  return Status::ok();
}

double LeafSpineConfig::oversubscription() const {
  return static_cast<double>(hosts_per_leaf) *
         static_cast<double>(host_link.rate.bits_per_second()) /
         (static_cast<double>(spines * links_per_spine) *
          static_cast<double>(fabric_link.rate.bits_per_second()));
}

TopologyGraph build_leaf_spine(const LeafSpineConfig& c) {
  TopologyGraph g;
  std::vector<uint32_t> leaves;
  std::vector<uint32_t> spines;
  // Hosts first so that host index = node id, as in ns-3 topology files.
  std::vector<uint32_t> hosts;
  for (int64_t l = 0; l < c.leaves; ++l) {
    for (int64_t h = 0; h < c.hosts_per_leaf; ++h) {
      hosts.push_back(g.add_node(NodeKind::kHost, "host" + std::to_string(hosts.size()), 0));
    }
  }
  for (int64_t l = 0; l < c.leaves; ++l) {
    leaves.push_back(g.add_node(NodeKind::kSwitch, "leaf" + std::to_string(l), 1));
  }
  for (int64_t s = 0; s < c.spines; ++s) {
    spines.push_back(g.add_node(NodeKind::kSwitch, "spine" + std::to_string(s), 2));
  }
  for (int64_t l = 0; l < c.leaves; ++l) {
    for (int64_t h = 0; h < c.hosts_per_leaf; ++h) {
      g.add_link(hosts[static_cast<size_t>(l * c.hosts_per_leaf + h)], leaves[l],
                 c.host_link.link());
    }
  }
  for (int64_t l = 0; l < c.leaves; ++l) {
    for (int64_t s = 0; s < c.spines; ++s) {
      for (int64_t p = 0; p < c.links_per_spine; ++p) {
        g.add_link(leaves[l], spines[s], c.fabric_link.link());
      }
    }
  }
  return g;
}

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

TopologyGraph build_rail_optimized(const RailOptimizedConfig& c) {
  TopologyGraph g;
  const int64_t gpus = c.gpus_per_node;
  for (int64_t n = 0; n < c.nodes; ++n) {
    for (int64_t gpu = 0; gpu < gpus; ++gpu) {
      g.add_node(NodeKind::kHost, "gpu" + std::to_string(n) + "_" + std::to_string(gpu), 0);
    }
  }
  const int64_t groups = c.leaf_groups();
  std::vector<uint32_t> leaves;  // by group * gpus + rail
  for (int64_t grp = 0; grp < groups; ++grp) {
    for (int64_t rail = 0; rail < gpus; ++rail) {
      leaves.push_back(g.add_node(
          NodeKind::kSwitch, "rail" + std::to_string(rail) + "_leaf" + std::to_string(grp), 1));
    }
  }
  std::vector<uint32_t> spines;
  for (int64_t s = 0; s < c.spines; ++s) {
    spines.push_back(g.add_node(NodeKind::kSwitch, "spine" + std::to_string(s), 2));
  }
  const std::vector<uint32_t>& hosts = g.hosts();
  for (int64_t n = 0; n < c.nodes; ++n) {
    for (int64_t gpu = 0; gpu < gpus; ++gpu) {
      g.add_link(hosts[static_cast<size_t>(n * gpus + gpu)],
                 leaves[static_cast<size_t>((n / c.nodes_per_leaf) * gpus + gpu)],
                 c.host_link.link());
    }
  }
  for (uint32_t leaf : leaves) {
    for (uint32_t spine : spines) g.add_link(leaf, spine, c.fabric_link.link());
  }
  return g;
}

}  // namespace aifabric
