// A general folded CLOS (fat-tree) of 2 or 3 tiers built from switches of one radix,
// sized from the host count: any radix (not only k-ary), any down:up oversubscription
// at the leaf and at the spine (aggregation) tier, per-tier link rates, and an optional
// breakout of the leaves' host-facing ports (one 800G port = 2x400G host links).
//
// With R = radix, b = breakout, o1 = leaf_oversubscription, o2 = spine_oversubscription:
//   leaf:  u1 = floor(R / (o1 + 1)) uplinks, d1 = R - u1 down ports, each down port
//          broken out into b host links: H = d1 * b hosts per leaf;
//          leaves L = ceil(hosts / H) (hosts fill the leaves in order; the last may be
//          short).
//   2 tiers: spines S = the smallest divisor of u1 with S >= ceil(L * u1 / R); every leaf
//          connects to every spine with p = u1 / S parallel links. Holds L <= R leaves:
//          at most R * H hosts.
//   3 tiers: aggregation u2 = floor(R / (o2 + 1)) uplinks, d2 = R - u2 down ports. A pod
//          is P = d2 leaves under A = u1 spines (one link from each leaf to each spine
//          of its pod); pods = ceil(L / P) (the last may be short). Spine i of every pod
//          belongs to plane i: C cores, C = the smallest divisor of u2 with
//          C >= ceil(pods * u2 / R), each spine linked to each core of its plane by
//          q = u2 / C parallel links; cores = A * C. Holds pods <= R: at most
//          R * P * H hosts. (R = k, o1 = o2 = 1, hosts = k^3/4: the k-ary fat-tree.)
// Oversubscription counts ports; in bandwidth the leaf is H * host_link.rate :
// u1 * leaf_uplink.rate, the spine d2 * leaf_uplink.rate : u2 * spine_uplink.rate.
//
// Node ids: hosts first (id = host index), then leaves (pod-major), then spines (pod p's
// spine i at p * A + i), then cores (plane i's core j at i * C + j). Routing: shortest
// paths (ECMP over every minimum-hop port).
#pragma once

#include "aifabric/core/params.h"
#include "aifabric/net/link.h"
#include "aifabric/topo/builder.h"
#include "aifabric/topo/graph.h"

namespace aifabric {

struct ClosConfig final : ParamsOf<ClosConfig> {
  int64_t tiers = 2;
  int64_t hosts = 64;
  int64_t radix = 16;
  double leaf_oversubscription = 1;
  double spine_oversubscription = 1;
  int64_t breakout = 1;
  LinkSpec host_link;
  LinkSpec leaf_uplink;
  LinkSpec spine_uplink;
  void visit(ParamVisitor& v) override {
    v.param("tiers", tiers, "switch tiers: 2 (leaf-spine) or 3 (leaf-spine-core, in pods)",
            Range{2, 3});
    v.param("hosts", hosts, "hosts (NICs); the builder derives the switch counts",
            Range{2, 10000000});
    v.param("radix", radix, "ports per switch (every tier), before breakout", Range{2, 65535});
    v.param("leaf_oversubscription", leaf_oversubscription,
            "leaf down:up port ratio (3 = 3:1); uplinks = floor(radix / (ratio + 1))",
            Range{0.001, 65535});
    v.param("spine_oversubscription", spine_oversubscription,
            "3 tiers: spine (aggregation) down:up port ratio; uplinks to the cores = "
            "floor(radix / (ratio + 1))",
            Range{0.001, 65535});
    v.param("breakout", breakout,
            "host links per leaf down port (2: one port as 2 host links); host_link.rate x "
            "breakout must fit in leaf_uplink.rate, the leaf's port rate",
            Range{1, 16});
    v.section("host_link", host_link, "host-to-leaf links");
    v.section("leaf_uplink", leaf_uplink, "leaf-to-spine links (the leaf's port rate)");
    v.section("spine_uplink", spine_uplink, "3 tiers: spine-to-core links");
  }
  Status validate() const override;

  // The derived shape (formulas above).
  struct Shape {
    int64_t leaf_up = 0, leaf_down = 0, hosts_per_leaf = 0, leaves = 0;
    int64_t spines = 0, leaf_spine_links = 0;  // spines in all; parallel links per pair
    int64_t spine_up = 0, spine_down = 0, pods = 0, leaves_per_pod = 0, spines_per_pod = 0;
    int64_t cores_per_plane = 0, cores = 0, spine_core_links = 0;
    int64_t max_hosts = 0;
  };
  Shape shape() const;
};

TopologyGraph build_clos(const ClosConfig& c);
TopologySize clos_size(const ClosConfig& c);

}  // namespace aifabric
