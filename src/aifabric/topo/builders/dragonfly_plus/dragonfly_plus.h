// Dragonfly+ (Shpiner et al., HiPINEB 2017): groups that are each a 2-tier leaf-spine
// (leaves carry the hosts, every leaf linked to every spine of its group), the spines
// carrying global links to spines of the other groups.
//
// Global links: every pair of groups is joined by `global_links_per_pair` (m) links. In
// group a the (G - 1) * m global links are listed by peer group (increasing, a itself
// skipped) and copy k = 0..m-1, and the j-th in that list ends on spine j mod S of the
// group (round-robin). So spine s of a group has about (G - 1) * m / S global links.
// Node ids: hosts first, host index = (group * L + leaf) * H + j; then the leaves
// (group * L + leaf), then the spines (group * S + spine). Links: hosts, then each
// group's leaf-spine mesh (leaf-major), then the global links by group pair (a < b).
//   hosts = G L H; switches = G (L + S); links = hosts + G L S + m G (G - 1) / 2.
// Routing: minimal routes, at most one global link (leaf, a spine with a link to the
// destination group, its peer spine, the leaf). Hop counts alone would let a spine
// without such a link cross two global links; the graph's RoutePolicy sends it down to
// a leaf of its group instead (while any spine of the group still has a link there). The
// policy also offers the ports of a non-minimal route a `valiant` balancer takes
// (lb/valiant/): at a leaf, all its uplinks; at a spine, all its global links; towards
// hosts of other groups only.
#pragma once

#include "aifabric/core/params.h"
#include "aifabric/net/link.h"
#include "aifabric/topo/builder.h"
#include "aifabric/topo/graph.h"

namespace aifabric {

struct DragonflyPlusConfig final : ParamsOf<DragonflyPlusConfig> {
  int64_t groups = 5;
  int64_t leaves_per_group = 2;
  int64_t spines_per_group = 2;
  int64_t hosts_per_leaf = 2;
  int64_t global_links_per_pair = 1;
  LinkSpec host_link;
  LinkSpec local_link;
  LinkSpec global_link;
  void visit(ParamVisitor& v) override {
    v.param("groups", groups, "groups (G), each a leaf-spine", Range{2, 100000});
    v.param("leaves_per_group", leaves_per_group, "leaf switches per group (L)", Range{1, 65535});
    v.param("spines_per_group", spines_per_group,
            "spine switches per group (S); every leaf links to every spine of its group",
            Range{1, 65535});
    v.param("hosts_per_leaf", hosts_per_leaf, "hosts per leaf (H)", Range{1, 65535});
    v.param("global_links_per_pair", global_links_per_pair,
            "global links between every two groups, spread round-robin over the spines",
            Range{1, 65535});
    v.section("host_link", host_link, "host-to-leaf links");
    v.section("local_link", local_link, "leaf-to-spine links within a group");
    v.section("global_link", global_link, "spine-to-spine links between groups");
  }
  Status validate() const override;
  int64_t hosts() const { return groups * leaves_per_group * hosts_per_leaf; }
  // Global links on the busiest spine of a group.
  int64_t globals_per_spine() const {
    return ((groups - 1) * global_links_per_pair + spines_per_group - 1) / spines_per_group;
  }
};

TopologyGraph build_dragonfly_plus(const DragonflyPlusConfig& c);
TopologySize dragonfly_plus_size(const DragonflyPlusConfig& c);

}  // namespace aifabric
