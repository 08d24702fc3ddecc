// A 2D or 3D torus: one switch per coordinate with `hosts_per_switch` hosts, each switch
// linked to its two neighbours in every dimension (wrap-around; a ring of 2 has one
// link), routed by dimension-order routing (DOR) through the graph's RoutePolicy.
//
// Node ids: hosts first, host index = switch * hosts_per_switch + j; then the switches,
// switch index s = x + X * (y + Y * z) for dims [X, Y, Z] (x fastest). Links: the host
// links in host order, then dimension by dimension, each switch's link to its + neighbour.
//   switches = X * Y (* Z);  links = hosts + sum over dims of (switches if n > 2,
//   switches / 2 if n == 2);  diameter = 2 + sum floor(n / 2) links.
// DOR: a packet corrects the lowest dimension whose coordinate differs first, the short
// way round the ring; at an exact half-ring tie (n even, distance n / 2) both ways are
// allowed (split_ties: true, ECMP between them) or only the + way (false). Every DOR
// hop is a minimum-hop hop, so the tables are the shortest-path tables narrowed to it.
#pragma once

#include <vector>

#include "aifabric/core/params.h"
#include "aifabric/net/link.h"
#include "aifabric/topo/builder.h"
#include "aifabric/topo/graph.h"

namespace aifabric {

struct TorusConfig final : ParamsOf<TorusConfig> {
  std::vector<int64_t> dims{4, 4};
  int64_t hosts_per_switch = 1;
  bool split_ties = true;
  LinkSpec host_link;
  LinkSpec fabric_link;
  void visit(ParamVisitor& v) override {
    v.param("dims", dims, "switches along each dimension, 2 or 3 dimensions (e.g. [4, 4, 4])",
            Range{2, 1024});
    v.param("hosts_per_switch", hosts_per_switch, "hosts attached to each switch", Range{1, 65535});
    v.param("split_ties", split_ties,
            "at an exact half-ring distance allow both directions (true) or only + (false)");
    v.section("host_link", host_link, "host-to-switch links");
    v.section("fabric_link", fabric_link, "switch-to-switch (ring) links");
  }
  Status validate() const override;
  int64_t switches() const;
};

TopologyGraph build_torus(const TorusConfig& c);
TopologySize torus_size(const TorusConfig& c);

}  // namespace aifabric
