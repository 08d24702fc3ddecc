// 2-tier leaf-spine (CLOS) with any oversubscription and parallel links per
// leaf-spine pair; hosts first (host index = node id), then leaves, then spines.
#pragma once

#include "aifabric/core/params.h"
#include "aifabric/net/link.h"
#include "aifabric/topo/builder.h"
#include "aifabric/topo/graph.h"

namespace aifabric {

struct LeafSpineConfig final : ParamsOf<LeafSpineConfig> {
  int64_t leaves = 4;
  int64_t spines = 4;
  int64_t hosts_per_leaf = 8;
  int64_t links_per_spine = 1;  // parallel links between each leaf and each spine
  LinkSpec host_link;
  LinkSpec fabric_link;
  void visit(ParamVisitor& v) override {
    v.param("leaves", leaves, "leaf (top-of-rack) switches", Range{1, 100000});
    v.param("spines", spines, "spine switches", Range{1, 100000});
    v.param("hosts_per_leaf", hosts_per_leaf, "hosts attached to each leaf", Range{1, 100000});
    v.param("links_per_spine", links_per_spine, "parallel links from each leaf to each spine",
            Range{1, 64});
    v.section("host_link", host_link, "host-to-leaf links");
    v.section("fabric_link", fabric_link, "leaf-to-spine links");
  }
  Status validate() const override;
  // Host bandwidth of a leaf over its uplink bandwidth (1 = non-blocking).
  double oversubscription() const;
};

TopologyGraph build_leaf_spine(const LeafSpineConfig& c);
inline TopologySize leaf_spine_size(const LeafSpineConfig& c) {
  const auto hosts = static_cast<uint64_t>(c.leaves * c.hosts_per_leaf);
  return {hosts, static_cast<uint64_t>(c.leaves + c.spines),
          hosts + static_cast<uint64_t>(c.leaves * c.spines * c.links_per_spine),
          static_cast<uint64_t>(c.leaves)};
}

}  // namespace aifabric
