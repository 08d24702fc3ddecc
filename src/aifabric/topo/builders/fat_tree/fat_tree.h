// The 3-tier k-ary fat-tree of Al-Fares et al. (SIGCOMM 2008): k pods of k/2 edge
// and k/2 aggregation switches, (k/2)^2 cores; hosts first, then edge, aggregation and
// core switches.
#pragma once

#include "aifabric/core/params.h"
#include "aifabric/net/link.h"
#include "aifabric/topo/builder.h"
#include "aifabric/topo/graph.h"

namespace aifabric {

struct FatTreeConfig final : ParamsOf<FatTreeConfig> {
  int64_t k = 4;               // switch radix: k pods, k^3/4 hosts at full size
  int64_t hosts_per_edge = 0;  // 0 = k/2 (non-blocking); more oversubscribes the edge
  LinkSpec host_link;
  LinkSpec edge_agg_link;
  LinkSpec agg_core_link;
  void visit(ParamVisitor& v) override {
    v.param("k", k, "switch radix (even): k pods of k/2 edge and k/2 aggregation switches",
            Range{2, 256});
    v.param("hosts_per_edge", hosts_per_edge, "hosts per edge switch; 0 = k/2", Range{0, 100000});
    v.section("host_link", host_link, "host-to-edge links");
    v.section("edge_agg_link", edge_agg_link, "edge-to-aggregation links");
    v.section("agg_core_link", agg_core_link, "aggregation-to-core links");
  }
  Status validate() const override;
};

TopologyGraph build_fat_tree(const FatTreeConfig& c);
inline TopologySize fat_tree_size(const FatTreeConfig& c) {
  const auto k = static_cast<uint64_t>(c.k);
  const uint64_t per_edge = c.hosts_per_edge == 0 ? k / 2 : static_cast<uint64_t>(c.hosts_per_edge);
  const uint64_t hosts = k * (k / 2) * per_edge;
  return {hosts, k * k + (k / 2) * (k / 2), hosts + 2 * k * (k / 2) * (k / 2), k * (k / 2)};
}

}  // namespace aifabric
