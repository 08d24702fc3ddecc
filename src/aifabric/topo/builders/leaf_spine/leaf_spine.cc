#include "aifabric/topo/builders/leaf_spine/leaf_spine.h"

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

}  // namespace aifabric
