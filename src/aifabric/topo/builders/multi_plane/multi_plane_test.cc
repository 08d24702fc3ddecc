// Structure of the multi-plane builder: plane-major hosts, planes that share no switch,
// routing that reaches every host pair of a plane and none across, the bisection of
// each plane, the scale-up domains it declares, and refused options naming their key.
#include "aifabric/topo/builders/multi_plane/multi_plane.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "aifabric/topo/routing.h"

namespace aifabric {
namespace {

MultiPlaneConfig two_planes() {
  MultiPlaneConfig c;
  c.planes = 2;
  c.plane.nodes = 4;
  c.plane.gpus_per_node = 4;
  c.plane.nodes_per_leaf = 2;
  c.plane.spines = 2;
  c.plane.host_link.rate = BitRate::gbps(400);
  c.plane.fabric_link.rate = BitRate::gbps(400);
  return c;
}

// Hand count per plane: 16 GPUs; 2 leaf groups x 4 rails = 8 leaves; 2 spines; links =
// 16 host links + 8 leaves x 2 spines = 32. Two planes: twice that, nothing shared.
TEST(MultiPlane, CountsPlanesAndHostNumbering) {
  const MultiPlaneConfig c = two_planes();
  ASSERT_TRUE(c.validate().is_ok()) << c.validate().message();
  const TopologyGraph g = build_multi_plane(c);
  ASSERT_TRUE(g.validate().is_ok()) << g.validate().message();
  EXPECT_EQ(g.planes(), 2u);
  EXPECT_EQ(g.hosts().size(), 32u);
  EXPECT_EQ(g.gpus(), 16u);
  EXPECT_EQ(g.switch_count(), 2u * (8 + 2));
  EXPECT_EQ(g.links().size(), 2u * 32);
  const TopologySize z = multi_plane_size(c);
  EXPECT_EQ(z.hosts, g.hosts().size());
  EXPECT_EQ(z.switches, g.switch_count());
  EXPECT_EQ(z.links, g.links().size());
  // Host p * 16 + i is GPU i's port in plane p; the switches it reaches are its plane's.
  for (uint32_t p = 0; p < 2; ++p) {
    for (uint32_t i = 0; i < 16; ++i) {
      const uint32_t h = p * 16 + i;
      EXPECT_EQ(
          g.nodes()[g.hosts()[h]].name,
          "p" + std::to_string(p) + "_gpu" + std::to_string(i / 4) + "_" + std::to_string(i % 4));
      const TopoNode& leaf = g.nodes()[g.adjacent(g.hosts()[h])[0].peer];
      EXPECT_TRUE(leaf.name.starts_with("p" + std::to_string(p) + "_rail" + std::to_string(i % 4)))
          << leaf.name;
    }
  }
  // Degrees: a leaf has its group's 2 hosts and both spines; a spine all 8 leaves.
  for (uint32_t id = 0; id < g.nodes().size(); ++id) {
    const TopoNode& n = g.nodes()[id];
    if (n.tier == 1) EXPECT_EQ(g.adjacent(id).size(), 4u) << n.name;
    if (n.tier == 2) EXPECT_EQ(g.adjacent(id).size(), 8u) << n.name;
  }
}

// Shortest-path tables reach every host of the same plane, in at most 3 switch hops
// (leaf, spine, leaf: the diameter), and no host of another plane.
TEST(MultiPlane, RoutingStaysInsideEachPlane) {
  const TopologyGraph g = build_multi_plane(two_planes());
  const auto tables = compute_shortest_paths(g);
  for (uint32_t a = 0; a < 32; ++a) {
    for (uint32_t b = 0; b < 32; ++b) {
      if (a == b) continue;
      const auto path = first_shortest_path(g, a, b);
      if (a / 16 == b / 16) {
        ASSERT_FALSE(path.empty()) << a << " -> " << b;
        EXPECT_LE(path.size(), 4u);  // 4 links = 3 switches
      } else {
        EXPECT_TRUE(path.empty()) << a << " -> " << b;
      }
    }
  }
}

// Bisection of one plane: cutting the spines off half the leaves. Every leaf has 2 x
// 400G up for 2 x 400G down (1:1), so half the GPUs (8) reach the other half at 8 x 400G
// per plane; two planes double it: each GPU's NIC has 2 x 400G.
TEST(MultiPlane, BisectionDoublesWithPlanes) {
  const MultiPlaneConfig c = two_planes();
  const TopologyGraph g = build_multi_plane(c);
  int64_t up = 0;  // leaf-to-spine capacity of all leaves, bits/s
  for (const TopoLink& l : g.links()) {
    if (g.nodes()[l.a].tier + g.nodes()[l.b].tier == 3) up += l.params.rate.bits_per_second();
  }
  EXPECT_EQ(up / 2, int64_t{16} * 400'000'000'000);  // half the uplinks: 16 x 400G
  EXPECT_EQ(up / 2 / static_cast<int64_t>(g.gpus() / 2), int64_t{2} * 400'000'000'000);
}

// NVL72-style domains: 4 servers of 4 GPUs in domains of 8 GPUs; a 2-level domain of
// 16 in groups of 8 carries its cross latency and (default) the same rate.
TEST(MultiPlane, DeclaresScaleUpDomains) {
  MultiPlaneConfig c = two_planes();
  c.scale_up.gpus = 8;
  ASSERT_TRUE(c.validate().is_ok()) << c.validate().message();
  TopologyGraph g = build_multi_plane(c);
  ASSERT_EQ(g.nvlink().size(), 1u);
  EXPECT_EQ(g.nvlink()[0].gpus_per_server, 8u);
  ASSERT_EQ(g.nvlink()[0].server_of_host.size(), 16u);
  EXPECT_EQ(g.nvlink()[0].server_of_host[7], 0u);
  EXPECT_EQ(g.nvlink()[0].server_of_host[8], 1u);
  EXPECT_EQ(g.nvlink()[0].rate, BitRate::gbps(7200));
  c.scale_up.gpus = 16;
  c.scale_up.group = 8;
  ASSERT_TRUE(c.validate().is_ok()) << c.validate().message();
  g = build_multi_plane(c);
  EXPECT_EQ(g.nvlink()[0].group, 8u);
  EXPECT_EQ(g.nvlink()[0].cross_rate, BitRate::gbps(7200));
  EXPECT_EQ(g.nvlink()[0].cross_latency, Time::us(3));
}

TEST(MultiPlane, RefusesBadOptionsNamingTheKey) {
  auto refused = [](const MultiPlaneConfig& c, const std::string& key) {
    const Status s = c.validate();
    ASSERT_FALSE(s.is_ok()) << key;
    EXPECT_NE(s.message().find(key), std::string::npos) << s.message();
  };
  MultiPlaneConfig c = two_planes();
  c.plane.nodes_per_leaf = 9;
  refused(c, "nodes_per_leaf");
  c = two_planes();
  c.scale_up.gpus = 6;  // not a multiple of the 4-GPU servers
  refused(c, "scale_up.gpus");
  c.scale_up.gpus = 12;  // a multiple of 4 that does not divide 16 GPUs
  refused(c, "scale_up.gpus");
  c.scale_up.gpus = 16;
  c.scale_up.group = 16;  // one first-level domain is no 2-level Clos
  refused(c, "group");
}

}  // namespace
}  // namespace aifabric
