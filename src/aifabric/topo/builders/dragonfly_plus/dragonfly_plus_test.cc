// The dragonfly+ builder: counts and degrees, every pair of groups joined by
// global_links_per_pair links spread round-robin over the spines, the bisection between
// two halves of the groups (their global links) as a max-flow min-cut, the hop diameter,
// minimal routing reaching every host pair, the non-minimal candidates the routing
// policy offers, and refused options.
#include "aifabric/topo/builders/dragonfly_plus/dragonfly_plus.h"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "aifabric/topo/builders/builder_test_util.h"
#include "aifabric/topo/routing.h"

namespace aifabric {
namespace {

using topo_testing::bisection_bps;
using topo_testing::check_routes;
using topo_testing::host_diameter;

TEST(DragonflyPlus, CountsDegreesAndGlobalLinks) {
  DragonflyPlusConfig c;  // 5 groups of 2 leaves (2 hosts each) and 2 spines
  ASSERT_TRUE(c.validate().is_ok()) << c.validate().message();
  const TopologyGraph g = build_dragonfly_plus(c);
  ASSERT_TRUE(g.validate().is_ok()) << g.validate().message();
  EXPECT_EQ(g.hosts().size(), 20u);
  EXPECT_EQ(g.switch_count(), 5u * (2 + 2));
  EXPECT_EQ(g.links().size(), 20u + 5 * 2 * 2 + 5 * 4 / 2);
  const TopologySize z = dragonfly_plus_size(c);
  EXPECT_EQ(z.links, g.links().size());
  EXPECT_EQ(z.switches, g.switch_count());
  // Group of a switch by its name "leafG_i" / "spineG_i".
  const auto group = [&](uint32_t id) {
    const std::string& n = g.nodes()[id].name;
    const size_t digits = n.find_first_of("0123456789");
    return std::stoi(n.substr(digits, n.find('_') - digits));
  };
  std::map<std::pair<int, int>, int> between;
  for (uint32_t id = 20; id < g.nodes().size(); ++id) {
    // Leaves: 2 hosts + 2 spines; spines: 2 leaves + 4 / 2 global links.
    EXPECT_EQ(g.adjacent(id).size(), 4u) << g.nodes()[id].name;
  }
  for (const TopoLink& l : g.links()) {
    if (g.nodes()[l.a].tier == 2 && g.nodes()[l.b].tier == 2) {
      const int a = group(l.a);
      const int b = group(l.b);
      ASSERT_NE(a, b);
      ++between[{std::min(a, b), std::max(a, b)}];
    }
  }
  EXPECT_EQ(between.size(), 10u);  // every pair of 5 groups
  for (const auto& [pair, n] : between) EXPECT_EQ(n, 1) << pair.first << "-" << pair.second;
  EXPECT_EQ(host_diameter(g), 5u);  // host-leaf-spine=spine-leaf-host
  const auto r = check_routes(g, compute_shortest_paths(g));
  EXPECT_EQ(r.error, "");
  EXPECT_EQ(r.max_switches, 4u);
  EXPECT_EQ(r.min_paths, 1u);  // one global link per pair (and one leaf)
  EXPECT_EQ(r.max_paths, 2u);  // across the leaves of one group: either spine
}

TEST(DragonflyPlus, BisectionIsTheGlobalLinksBetweenHalves) {
  DragonflyPlusConfig c;
  c.groups = 4;
  c.hosts_per_leaf = 4;
  c.global_links_per_pair = 2;
  c.global_link.rate = BitRate::gbps(200);
  const TopologyGraph g = build_dragonfly_plus(c);
  ASSERT_TRUE(g.validate().is_ok()) << g.validate().message();
  // Groups {0, 1} against {2, 3}: 4 pairs x 2 links of 200 Gb/s, below the half's 16
  // hosts x 400 Gb/s.
  EXPECT_DOUBLE_EQ(bisection_bps(g), 4 * 2 * 200e9);
  const auto r = check_routes(g, compute_shortest_paths(g));
  EXPECT_EQ(r.error, "");
  // 6 links per group over 2 spines: each pair's 2 links land on spines 0 and 1 at one
  // end or the other; at least one minimal route per pair, at most 2 x 2.
  EXPECT_GE(r.min_paths, 1u);
}

TEST(DragonflyPlus, TheRoutingPolicyOffersNonMinimalPortsTowardsOtherGroups) {
  DragonflyPlusConfig c;
  const TopologyGraph g = build_dragonfly_plus(c);
  const auto t = compute_shortest_paths(g);
  // Node ids (dragonfly_plus.h): hosts 0-19, leaves 20-29, spines 30-39. Group 0's
  // global links go to groups 1, 2, 3, 4 on spines 0, 1, 0, 1.
  const uint32_t leaf0 = 20;
  const uint32_t spine0 = 30;
  const uint32_t in_group1 = 4;  // host 4: group 1
  const auto port_to = [&](uint32_t u, uint32_t v) {
    for (size_t i = 0; i < g.adjacent(u).size(); ++i) {
      if (g.adjacent(u)[i].peer == v) return static_cast<uint16_t>(i);
    }
    return uint16_t{0xffff};
  };
  ASSERT_EQ(t[leaf0].next_hops(in_group1).size(), 1u);
  EXPECT_EQ(t[leaf0].next_hops(in_group1)[0], port_to(leaf0, spine0));
  // A non-minimal route may leave by either uplink.
  ASSERT_EQ(t[leaf0].detours(in_group1).size(), 2u);
  EXPECT_EQ(t[leaf0].detours(in_group1)[0], port_to(leaf0, spine0));
  EXPECT_EQ(t[leaf0].detours(in_group1)[1], port_to(leaf0, spine0 + 1));
  // Spine 0 of group 0: minimal to group 1 (spine 0 of group 1, its list's entry 0);
  // non-minimal by either of its global links, to groups 1 and 3.
  ASSERT_EQ(t[spine0].next_hops(in_group1).size(), 1u);
  EXPECT_EQ(t[spine0].next_hops(in_group1)[0], port_to(spine0, 30 + 2 * 1));
  ASSERT_EQ(t[spine0].detours(in_group1).size(), 2u);
  EXPECT_EQ(g.nodes()[g.adjacent(spine0)[t[spine0].detours(in_group1)[0]].peer].name, "spine1_0");
  EXPECT_EQ(g.nodes()[g.adjacent(spine0)[t[spine0].detours(in_group1)[1]].peer].name, "spine3_0");
  // Within the group: no detours.
  EXPECT_TRUE(t[leaf0].detours(2).empty());
  EXPECT_TRUE(t[spine0].detours(2).empty());
}

TEST(DragonflyPlus, MinimalRoutesCrossOneGlobalLink) {
  // Spine 1 of group 0 (node 31) has global links to groups 2 and 4 only. By hop count it
  // could reach group 1 over two global links (via group 2 or 4); minimal routing goes
  // down to a leaf of group 0 instead, which goes up to spine 0 (the link to group 1).
  DragonflyPlusConfig c;
  TopologyGraph g = build_dragonfly_plus(c);
  const uint32_t spine1 = 31;
  const uint32_t in_group1 = 4;
  auto t = compute_shortest_paths(g);
  const auto peers = [&](const std::vector<ForwardingTable>& tables) {
    std::vector<std::string> out;
    for (uint16_t port : tables[spine1].next_hops(in_group1)) {
      out.push_back(g.nodes()[g.adjacent(spine1)[port].peer].name);
    }
    return out;
  };
  EXPECT_EQ(peers(t), (std::vector<std::string>{"leaf0_0", "leaf0_1"}));
  // Fail group 0's only link to group 1: nothing in the group reaches it directly, so
  // the shortest paths (two global links) stay and every pair is still routed.
  for (uint32_t l = 0; l < g.links().size(); ++l) {
    const TopoLink& k = g.links()[l];
    if (g.nodes()[k.a].name == "spine0_0" && g.nodes()[k.b].name == "spine1_0") {
      g.set_link_up(l, false);
    }
  }
  t = compute_shortest_paths(g);
  const auto after = peers(t);
  ASSERT_FALSE(after.empty());
  for (const std::string& p : after) EXPECT_EQ(p.rfind("spine", 0), 0u) << p;
}

TEST(DragonflyPlus, RefusesBadOptionsNamingTheKey) {
  DragonflyPlusConfig c;
  c.groups = 1;
  Status s = c.validate();
  ASSERT_FALSE(s.is_ok());
  EXPECT_EQ(s.message().rfind("groups:", 0), 0u) << s.message();
  c = DragonflyPlusConfig();
  c.global_links_per_pair = 40000;  // 4 x 40000 / 2 spines: 80,000 ports
  s = c.validate();
  ASSERT_FALSE(s.is_ok());
  EXPECT_EQ(s.message().rfind("global_links_per_pair:", 0), 0u) << s.message();
  c = DragonflyPlusConfig();
  c.hosts_per_leaf = 65535;
  s = c.validate();
  ASSERT_FALSE(s.is_ok());
  EXPECT_EQ(s.message().rfind("hosts_per_leaf:", 0), 0u) << s.message();
}

}  // namespace
}  // namespace aifabric
