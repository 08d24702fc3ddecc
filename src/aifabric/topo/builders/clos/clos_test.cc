// The general CLOS builder: the switch counts its header's formulas give, checked
// against hand counts and the k-ary fat-tree; degrees, bisection bandwidth as a
// max-flow min-cut, hop diameter, the routing tables reaching every host pair over the
// predicted number of equal-cost paths, breakout, and one refusal per bad option.
#include "aifabric/topo/builders/clos/clos.h"

#include <gtest/gtest.h>

#include <map>
#include <string>

#include "aifabric/topo/builders/builder_test_util.h"
#include "aifabric/topo/builders/fat_tree/fat_tree.h"
#include "aifabric/topo/routing.h"

namespace aifabric {
namespace {

using topo_testing::bisection_bps;
using topo_testing::check_routes;
using topo_testing::host_diameter;

// Ports per node, by tier: {tier -> {degree -> count}}.
std::map<int, std::map<size_t, int>> degrees(const TopologyGraph& g) {
  std::map<int, std::map<size_t, int>> d;
  for (uint32_t id = 0; id < g.nodes().size(); ++id) {
    ++d[g.nodes()[id].tier][g.adjacent(id).size()];
  }
  return d;
}

void expect_size_matches(const ClosConfig& c, const TopologyGraph& g) {
  const TopologySize z = clos_size(c);
  EXPECT_EQ(z.hosts, g.hosts().size());
  EXPECT_EQ(z.switches, g.switch_count());
  EXPECT_EQ(z.links, g.links().size());
}

TEST(Clos, TwoTiersOversubscribedAtTheLeaf) {
  ClosConfig c;
  c.radix = 8;
  c.leaf_oversubscription = 3;  // 2 uplinks, 6 host ports
  c.hosts = 48;                 // the most 2 tiers of radix 8 hold: 8 leaves x 6
  c.host_link.rate = BitRate::gbps(100);
  c.leaf_uplink.rate = BitRate::gbps(100);
  ASSERT_TRUE(c.validate().is_ok()) << c.validate().message();
  const ClosConfig::Shape s = c.shape();
  EXPECT_EQ(s.leaf_up, 2);
  EXPECT_EQ(s.hosts_per_leaf, 6);
  EXPECT_EQ(s.leaves, 8);
  EXPECT_EQ(s.spines, 2);
  EXPECT_EQ(s.max_hosts, 48);
  const TopologyGraph g = build_clos(c);
  ASSERT_TRUE(g.validate().is_ok()) << g.validate().message();
  expect_size_matches(c, g);
  EXPECT_EQ(g.switch_count(), 10u);
  EXPECT_EQ(g.links().size(), 48u + 8 * 2);
  const auto d = degrees(g);
  EXPECT_EQ(d.at(1).at(8), 8);  // leaves: 6 hosts + 2 spines
  EXPECT_EQ(d.at(2).at(8), 2);  // spines: one port per leaf, all used
  // Half the leaves send 4 x 2 x 100 Gb/s up: 800 Gb/s, a third of the hosts' 2400.
  EXPECT_DOUBLE_EQ(bisection_bps(g), 4 * 2 * 100e9);
  EXPECT_EQ(host_diameter(g), 4u);  // host-leaf-spine-leaf-host
  const auto r = check_routes(g, compute_shortest_paths(g));
  EXPECT_EQ(r.error, "");
  EXPECT_EQ(r.min_paths, 1u);  // under one leaf
  EXPECT_EQ(r.max_paths, 2u);  // across leaves: one per spine
  EXPECT_EQ(r.max_switches, 3u);
}

TEST(Clos, FewLeavesShareFewerSpinesOverParallelLinks) {
  ClosConfig c;
  c.radix = 16;  // 8 up, 8 down
  c.hosts = 20;  // 3 leaves: 24 uplinks fit 2 spines of 16 ports, 4 links per pair
  const ClosConfig::Shape s = c.shape();
  EXPECT_EQ(s.leaves, 3);
  EXPECT_EQ(s.spines, 2);
  EXPECT_EQ(s.leaf_spine_links, 4);
  const TopologyGraph g = build_clos(c);
  ASSERT_TRUE(g.validate().is_ok()) << g.validate().message();
  expect_size_matches(c, g);
  EXPECT_EQ(degrees(g).at(2).at(12), 2);
  const auto r = check_routes(g, compute_shortest_paths(g));
  EXPECT_EQ(r.error, "");
  // Port-level paths: 8 uplinks of the source leaf x 4 parallel links down.
  EXPECT_EQ(r.max_paths, 8u * 4);
}

TEST(Clos, ThreeTiersOfRadixKAreTheKAryFatTree) {
  for (int64_t k : {4, 6, 8}) {
    ClosConfig c;
    c.tiers = 3;
    c.radix = k;
    c.hosts = k * k * k / 4;
    ASSERT_TRUE(c.validate().is_ok()) << c.validate().message();
    FatTreeConfig f;
    f.k = k;
    const TopologyGraph g = build_clos(c);
    const TopologyGraph ft = build_fat_tree(f);
    ASSERT_TRUE(g.validate().is_ok()) << g.validate().message();
    expect_size_matches(c, g);
    EXPECT_EQ(g.hosts().size(), ft.hosts().size()) << k;
    EXPECT_EQ(g.switch_count(), ft.switch_count()) << k;
    EXPECT_EQ(g.links().size(), ft.links().size()) << k;
    EXPECT_EQ(degrees(g), degrees(ft)) << k;
    // Non-blocking: half the hosts at line rate cross the bisection.
    EXPECT_DOUBLE_EQ(bisection_bps(g), bisection_bps(ft)) << k;
    EXPECT_DOUBLE_EQ(bisection_bps(g), static_cast<double>(c.hosts / 2) * 400e9) << k;
    EXPECT_EQ(host_diameter(g), 6u);
    const auto r = check_routes(g, compute_shortest_paths(g));
    EXPECT_EQ(r.error, "");
    EXPECT_EQ(r.max_paths, static_cast<uint64_t>(k * k / 4)) << k;  // one per core
  }
}

TEST(Clos, ThreeTiersMixedRatesOversubscribedAtTheSpine) {
  ClosConfig c;
  c.tiers = 3;
  c.radix = 8;
  c.spine_oversubscription = 3;  // spines: 6 leaves down, 2 cores up
  c.hosts = 96;                  // 4 hosts per leaf, 24 leaves, 4 pods of 6
  c.host_link.rate = BitRate::gbps(400);
  c.leaf_uplink.rate = BitRate::gbps(800);
  c.spine_uplink.rate = BitRate::gbps(800);
  ASSERT_TRUE(c.validate().is_ok()) << c.validate().message();
  const ClosConfig::Shape s = c.shape();
  EXPECT_EQ(s.leaves, 24);
  EXPECT_EQ(s.pods, 4);
  EXPECT_EQ(s.spines, 16);
  // 4 pods x 2 uplinks = 8 ports per plane: one core of radix 8 per plane, 2 links each.
  EXPECT_EQ(s.cores_per_plane, 1);
  EXPECT_EQ(s.spine_core_links, 2);
  EXPECT_EQ(s.cores, 4);
  const TopologyGraph g = build_clos(c);
  ASSERT_TRUE(g.validate().is_ok()) << g.validate().message();
  expect_size_matches(c, g);
  const auto d = degrees(g);
  EXPECT_EQ(d.at(1).at(8), 24);
  EXPECT_EQ(d.at(2).at(8), 16);
  EXPECT_EQ(d.at(3).at(8), 4);
  for (const TopoLink& l : g.links()) {
    const bool host = g.nodes()[l.a].tier == 0 || g.nodes()[l.b].tier == 0;
    EXPECT_EQ(l.params.rate, host ? BitRate::gbps(400) : BitRate::gbps(800));
  }
  // Pods 0-1 against 2-3: their 8 spines' 16 uplinks of 800 Gb/s (12.8 Tb/s) are the
  // cut, below the hosts' 48 x 400 and the leaves' 12 x 4 x 800 Gb/s.
  EXPECT_DOUBLE_EQ(bisection_bps(g), 8 * 2 * 800e9);
  EXPECT_EQ(host_diameter(g), 6u);
  const auto r = check_routes(g, compute_shortest_paths(g));
  EXPECT_EQ(r.error, "");
  // Across pods: 4 spines x 2 links up x 2 links down to the destination pod's spine.
  EXPECT_EQ(r.max_paths, 16u);
  EXPECT_EQ(r.max_switches, 5u);
}

TEST(Clos, BreakoutDoublesTheLeafsHostPortsAtHalfRate) {
  ClosConfig c;
  c.radix = 8;  // 4 x 800G down, each as 2 x 400G: 8 hosts per leaf
  c.breakout = 2;
  c.hosts = 64;
  c.host_link.rate = BitRate::gbps(400);
  c.leaf_uplink.rate = BitRate::gbps(800);
  ASSERT_TRUE(c.validate().is_ok()) << c.validate().message();
  EXPECT_EQ(c.shape().hosts_per_leaf, 8);
  EXPECT_EQ(c.shape().leaves, 8);
  const TopologyGraph g = build_clos(c);
  ASSERT_TRUE(g.validate().is_ok()) << g.validate().message();
  expect_size_matches(c, g);
  EXPECT_EQ(degrees(g).at(1).at(12), 8);  // 8 host lanes + 4 uplinks
  // Host and fabric bandwidth balance: 32 x 400 = 4 leaves x 4 x 800 Gb/s.
  EXPECT_DOUBLE_EQ(bisection_bps(g), 32 * 400e9);
  EXPECT_EQ(check_routes(g, compute_shortest_paths(g)).error, "");
}

TEST(Clos, RefusesBadOptionsNamingTheKey) {
  const auto refused = [](const ClosConfig& c, const std::string& key) {
    const Status s = c.validate();
    ASSERT_FALSE(s.is_ok()) << key;
    EXPECT_EQ(s.message().rfind(key + ":", 0), 0u) << s.message();
  };
  ClosConfig c;
  c.radix = 4;
  c.leaf_oversubscription = 4;  // floor(4 / 5) = 0 uplinks
  refused(c, "leaf_oversubscription");
  c = ClosConfig();
  c.tiers = 4;
  refused(c, "tiers");
  c = ClosConfig();
  c.hosts = 16 * 8 + 1;  // radix 16, 8 hosts per leaf: 128 in 2 tiers
  refused(c, "hosts");
  c.tiers = 3;
  EXPECT_TRUE(c.validate().is_ok()) << c.validate().message();
  c.spine_oversubscription = 16;
  refused(c, "spine_oversubscription");
  c = ClosConfig();
  c.breakout = 2;  // 2 x 400G in a 400G port
  refused(c, "breakout");
  c.host_link.rate = BitRate::gbps(200);
  EXPECT_TRUE(c.validate().is_ok()) << c.validate().message();
}

}  // namespace
}  // namespace aifabric
