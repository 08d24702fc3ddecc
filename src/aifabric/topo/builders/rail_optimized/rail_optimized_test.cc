// Structure of the rail-optimized builder: host numbering, each NIC on its own rail's
// leaf of its node group, full leaf-spine mesh, per-tier link parameters, and
// refused configurations.
#include "aifabric/topo/builders/rail_optimized/rail_optimized.h"

#include <gtest/gtest.h>

#include <string>

#include "aifabric/topo/builders/builder_test_util.h"
#include "aifabric/topo/builders/fat_tree/fat_tree.h"
#include "aifabric/topo/builders/leaf_spine/leaf_spine.h"
#include "aifabric/topo/routing.h"

namespace aifabric {
namespace {

const TopoNode& peer_of_host(const TopologyGraph& g, uint32_t host) {
  const uint32_t id = g.hosts()[host];
  return g.nodes()[g.adjacent(id)[0].peer];
}

TEST(RailOptimized, HostsLeavesAndSpines) {
  RailOptimizedConfig c;
  c.nodes = 6;
  c.gpus_per_node = 4;
  c.nodes_per_leaf = 4;  // groups {0..3} and {4, 5}: the last group is smaller
  c.spines = 3;
  c.host_link.rate = BitRate::gbps(400);
  c.fabric_link.rate = BitRate::gbps(800);
  c.fabric_link.delay = Time::ns(500);
  ASSERT_TRUE(c.validate().is_ok());
  EXPECT_EQ(c.leaf_groups(), 2);
  const TopologyGraph g = build_rail_optimized(c);
  ASSERT_TRUE(g.validate().is_ok()) << g.validate().message();

  ASSERT_EQ(g.hosts().size(), 24u);
  EXPECT_EQ(g.switch_count(), 2u * 4 + 3);
  for (uint32_t node = 0; node < 6; ++node) {
    for (uint32_t gpu = 0; gpu < 4; ++gpu) {
      const uint32_t h = node * 4 + gpu;
      // Hosts come first, so host index = node id = ClusterMap::linear's host.
      EXPECT_EQ(g.hosts()[h], h);
      EXPECT_EQ(g.nodes()[h].name, "gpu" + std::to_string(node) + "_" + std::to_string(gpu));
      ASSERT_EQ(g.adjacent(h).size(), 1u);
      const TopoNode& leaf = peer_of_host(g, h);
      EXPECT_EQ(leaf.name, "rail" + std::to_string(gpu) + "_leaf" + std::to_string(node / 4));
      EXPECT_EQ(leaf.tier, 1);
      EXPECT_EQ(g.links()[g.adjacent(h)[0].link].params.rate, BitRate::gbps(400));
    }
  }
  int leaves = 0;
  int spines = 0;
  for (uint32_t id = 0; id < g.nodes().size(); ++id) {
    const TopoNode& n = g.nodes()[id];
    if (n.tier == 1) {
      ++leaves;
      // Group 0 leaves serve 4 nodes, group 1 leaves 2; each has one link to each spine.
      const bool last_group = n.name.ends_with("_leaf1");
      int hosts = 0;
      int up = 0;
      for (const Adjacent& a : g.adjacent(id)) {
        const TopoNode& p = g.nodes()[a.peer];
        if (p.kind == NodeKind::kHost) ++hosts;
        if (p.tier == 2) {
          ++up;
          EXPECT_EQ(g.links()[a.link].params.rate, BitRate::gbps(800));
          EXPECT_EQ(g.links()[a.link].params.delay, Time::ns(500));
        }
      }
      EXPECT_EQ(hosts, last_group ? 2 : 4) << n.name;
      EXPECT_EQ(up, 3) << n.name;
    } else if (n.tier == 2) {
      ++spines;
      EXPECT_EQ(n.name, "spine" + std::to_string(spines - 1));
      EXPECT_EQ(g.adjacent(id).size(), 8u);
      for (const Adjacent& a : g.adjacent(id)) EXPECT_EQ(g.nodes()[a.peer].tier, 1);
    }
  }
  EXPECT_EQ(leaves, 8);
  EXPECT_EQ(spines, 3);
  EXPECT_EQ(g.links().size(), 24u + 8 * 3);
}

TEST(RailOptimized, RefusesBadConfigs) {
  RailOptimizedConfig c;
  c.nodes = 1;
  c.gpus_per_node = 1;
  c.nodes_per_leaf = 1;
  EXPECT_FALSE(c.validate().is_ok());  // one GPU: nothing to connect
  c.nodes = 4;
  c.nodes_per_leaf = 8;
  const Status s = c.validate();
  ASSERT_FALSE(s.is_ok());
  EXPECT_NE(s.message().find("nodes_per_leaf"), std::string::npos) << s.message();
  c.nodes_per_leaf = 4;
  EXPECT_TRUE(c.validate().is_ok());
}

}  // namespace
}  // namespace aifabric

namespace aifabric {
namespace {

RailOptimizedConfig three_tiers() {
  RailOptimizedConfig c;
  c.nodes = 8;
  c.gpus_per_node = 4;
  c.nodes_per_leaf = 2;
  c.spines = 4;
  c.groups_per_pod = 2;
  c.cores_per_spine = 2;
  return c;
}

// 3 tiers (three_tiers()): 8 servers of 4 GPUs, 2 servers per leaf group (4 groups x 4 rails = 16
// leaves), 2 groups per pod (2 pods), 4 spines per pod, 2 cores per spine index.
// Hand count: hosts 32; switches 16 leaves + 2 x 4 spines + 4 x 2 cores = 32; links
// 32 host + 16 x 4 leaf-spine + 8 spines x 2 = 112.
TEST(RailOptimized, ThreeTiersOfPodsUnderACoreLayer) {
  const RailOptimizedConfig c = three_tiers();
  ASSERT_TRUE(c.validate().is_ok()) << c.validate().message();
  const TopologyGraph g = build_rail_optimized(c);
  ASSERT_TRUE(g.validate().is_ok()) << g.validate().message();
  EXPECT_EQ(g.hosts().size(), 32u);
  EXPECT_EQ(g.switch_count(), 32u);
  EXPECT_EQ(g.links().size(), 112u);
  const TopologySize z = rail_optimized_size(c);
  EXPECT_EQ(z.switches, g.switch_count());
  EXPECT_EQ(z.links, g.links().size());
  // Degrees: a leaf 2 hosts + 4 spines; a spine 8 leaves of its pod + 2 cores; a core one
  // spine per pod.
  for (uint32_t id = 32; id < g.nodes().size(); ++id) {
    const int tier = g.nodes()[id].tier;
    const size_t want = tier == 1 ? 6u : tier == 2 ? 10u : 2u;
    EXPECT_EQ(g.adjacent(id).size(), want) << g.nodes()[id].name;
  }
  EXPECT_EQ(g.nodes()[32 + 16].name, "pod0_spine0");
  EXPECT_EQ(g.nodes()[32 + 16 + 8].name, "core0");
  // Host diameter: host, leaf, spine, core, spine, leaf, host.
  EXPECT_EQ(topo_testing::host_diameter(g), 6u);
  // Bisection: the two pods (16 hosts each) are joined through the cores only; the
  // smaller side of the cut is one pod's 4 spines x 2 core links.
  EXPECT_DOUBLE_EQ(topo_testing::bisection_bps(g),
                   8 * static_cast<double>(c.core_link.link().rate.bits_per_second()));
  const auto r = topo_testing::check_routes(g, compute_shortest_paths(g));
  EXPECT_EQ(r.error, "");
  EXPECT_EQ(r.max_switches, 5u);
  // Across pods: 4 spines x 2 cores on the way up, one way down each.
  EXPECT_EQ(r.max_paths, 8u);
}

// links_per_core 2 on the same fabric: every spine-core pair doubled (16 more links,
// a core's degree 4), the cut between the pods twice as wide; paths across pods: 4
// spines x 2 cores x 2 links up, and 2 links from the core down: 32 (8 with one link).
TEST(RailOptimized, ParallelCoreLinksWidenThePodCut) {
  RailOptimizedConfig c = three_tiers();
  c.links_per_core = 2;
  ASSERT_TRUE(c.validate().is_ok()) << c.validate().message();
  const TopologyGraph g = build_rail_optimized(c);
  ASSERT_TRUE(g.validate().is_ok()) << g.validate().message();
  EXPECT_EQ(g.links().size(), 128u);
  EXPECT_EQ(rail_optimized_size(c).links, g.links().size());
  for (uint32_t id = 32; id < g.nodes().size(); ++id) {
    if (g.nodes()[id].tier == 3) EXPECT_EQ(g.adjacent(id).size(), 4u) << g.nodes()[id].name;
  }
  EXPECT_DOUBLE_EQ(topo_testing::bisection_bps(g),
                   16 * static_cast<double>(c.core_link.link().rate.bits_per_second()));
  const auto r = topo_testing::check_routes(g, compute_shortest_paths(g));
  EXPECT_EQ(r.error, "");
  EXPECT_EQ(r.max_paths, 32u);
}

TEST(RailOptimized, ThreeTierOptionsAreRefusedByName) {
  RailOptimizedConfig c;
  c.nodes = 8;
  c.nodes_per_leaf = 2;
  c.groups_per_pod = 4;  // 4 groups: one pod
  Status s = c.validate();
  ASSERT_FALSE(s.is_ok());
  EXPECT_EQ(s.message().rfind("groups_per_pod", 0), 0u) << s.message();
  c.groups_per_pod = 2;
  c.cores_per_spine = 65535;
  s = c.validate();
  ASSERT_FALSE(s.is_ok());
  EXPECT_EQ(s.message().rfind("cores_per_spine", 0), 0u) << s.message();
}

}  // namespace
}  // namespace aifabric
