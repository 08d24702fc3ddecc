// Structure of the rail-optimized builder: host numbering, each NIC on its own rail's
// leaf of its node group, full leaf-spine mesh, per-tier link parameters, and
// refused configurations.
#include "aifabric/topo/builders/rail_optimized/rail_optimized.h"

#include <gtest/gtest.h>

#include <string>

#include "aifabric/topo/builders/fat_tree/fat_tree.h"
#include "aifabric/topo/builders/leaf_spine/leaf_spine.h"

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
