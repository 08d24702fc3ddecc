// The torus builder: counts, degrees, wrap-around, the k-ary n-cube bisection (2 k^(n-1)
// links, Dally & Towles, "Principles and Practices of Interconnection Networks", 2004,
// sec. 3.3) as a max-flow min-cut, the hop diameter, and dimension-order routing: the
// tables the routing code builds for the graph hold only the lowest unfinished
// dimension's hop, against the far larger set of all shortest paths.
#include "aifabric/topo/builders/torus/torus.h"

#include <gtest/gtest.h>

#include <string>

#include "aifabric/topo/builders/builder_test_util.h"
#include "aifabric/topo/routing.h"

namespace aifabric {
namespace {

using topo_testing::bisection_bps;
using topo_testing::check_routes;
using topo_testing::host_diameter;

// The coordinate the builder gives switch index `s` (torus.h: x fastest).
std::vector<int64_t> coords(const TorusConfig& c, int64_t s) {
  std::vector<int64_t> x;
  for (int64_t n : c.dims) {
    x.push_back(s % n);
    s /= n;
  }
  return x;
}

TEST(Torus, ThreeDimensionsCountsDegreesBisectionDiameter) {
  TorusConfig c;
  c.dims = {4, 4, 4};
  c.hosts_per_switch = 2;
  c.fabric_link.rate = BitRate::gbps(800);
  ASSERT_TRUE(c.validate().is_ok()) << c.validate().message();
  const TopologyGraph g = build_torus(c);
  ASSERT_TRUE(g.validate().is_ok()) << g.validate().message();
  EXPECT_EQ(g.hosts().size(), 128u);
  EXPECT_EQ(g.switch_count(), 64u);
  EXPECT_EQ(g.links().size(), 128u + 3 * 64);
  const TopologySize z = torus_size(c);
  EXPECT_EQ(z.links, g.links().size());
  EXPECT_EQ(z.switches, g.switch_count());
  for (uint32_t id = 128; id < g.nodes().size(); ++id) {
    EXPECT_EQ(g.adjacent(id).size(), 2u + 6) << g.nodes()[id].name;
  }
  EXPECT_EQ(g.nodes()[128 + 1 + 4 * 2 + 16 * 3].name, "sw_1_2_3");
  // Wrap-around: x = 3 is linked to x = 0.
  EXPECT_GE(g.find_link(128 + 3, 128 + 0), 0);
  // Hosts 0-63 sit on z = 0, 1: the cut across z is 2 x 16 ring links (Dally & Towles:
  // 2 k^(n-1) for even k), below the half's 64 host links of 400 Gb/s.
  EXPECT_DOUBLE_EQ(bisection_bps(g), 2 * 16 * 800e9);
  EXPECT_EQ(host_diameter(g), 2u + 2 + 2 + 2);
}

TEST(Torus, TwoDimensionsAndARingOfTwo) {
  TorusConfig c;
  c.dims = {2, 5};
  c.hosts_per_switch = 3;
  const TopologyGraph g = build_torus(c);
  ASSERT_TRUE(g.validate().is_ok()) << g.validate().message();
  EXPECT_EQ(g.switch_count(), 10u);
  EXPECT_EQ(g.links().size(), 30u + 5 + 10);  // x: rings of 2 (one link), y: rings of 5
  EXPECT_EQ(torus_size(c).links, g.links().size());
  for (uint32_t id = 30; id < g.nodes().size(); ++id) EXPECT_EQ(g.adjacent(id).size(), 3u + 3);
  EXPECT_EQ(host_diameter(g), 2u + 1 + 2);
  const auto r = check_routes(g, compute_shortest_paths(g));
  EXPECT_EQ(r.error, "");
  EXPECT_EQ(r.max_paths, 1u);  // odd ring, ring of 2: no ties
}

// Every next hop in the tables moves along the lowest dimension that differs, the short
// way (both ways at a half-ring tie); every host pair is reached.
TEST(Torus, TablesAreDimensionOrder) {
  for (bool split : {true, false}) {
    TorusConfig c;
    c.dims = {4, 4, 4};
    c.split_ties = split;
    const TopologyGraph g = build_torus(c);
    const auto tables = compute_shortest_paths(g);
    const auto first = static_cast<uint32_t>(g.hosts().size());
    for (uint32_t u = first; u < g.nodes().size(); ++u) {
      const auto at = coords(c, u - first);
      for (uint32_t dst = 0; dst < g.hosts().size(); ++dst) {
        const auto to = coords(c, dst);  // one host per switch: host index = switch index
        if (at == to) continue;
        size_t d = 0;
        while (at[d] == to[d]) ++d;
        const int64_t fwd = ((to[d] - at[d]) % 4 + 4) % 4;
        const auto hops = tables[u].next_hops(dst);
        ASSERT_EQ(hops.size(), fwd == 2 && split ? 2u : 1u) << g.nodes()[u].name << " " << dst;
        for (uint16_t p : hops) {
          const auto next = coords(c, g.adjacent(u)[p].peer - first);
          for (size_t i = 0; i < 3; ++i) {
            if (i != d) {
              EXPECT_EQ(next[i], at[i]);
            }
          }
          const int64_t step = ((next[d] - at[d]) % 4 + 4) % 4;
          EXPECT_EQ(step, fwd == 1 ? 1 : fwd == 3 ? 3 : step) << "the short way";
          if (!split && fwd == 2) {
            EXPECT_EQ(step, 1) << "ties go +";
          }
        }
      }
    }
    const auto r = check_routes(g, tables);
    EXPECT_EQ(r.error, "");
    EXPECT_EQ(r.max_switches, 7u);  // 2 + 2 + 2 ring hops
    // Ties in all three dimensions: 2^3 DOR paths (split) or 1.
    EXPECT_EQ(r.max_paths, split ? 8u : 1u);
  }
  // Without the builder's rule, all shortest paths: at (2,2,2) apart, 6!/(2!2!2!)
  // orders of the moves times 2^3 directions = 720.
  TorusConfig cube;
  cube.dims = {4, 4, 4};
  TopologyGraph g = build_torus(cube);
  g.set_route_policy(nullptr);
  EXPECT_EQ(check_routes(g, compute_shortest_paths(g)).max_paths, 720u);
}

TEST(Torus, AFailedRingLinkFallsBackToShortestPaths) {
  TorusConfig c;
  c.dims = {4, 4};
  TopologyGraph g = build_torus(c);
  const auto l = static_cast<uint32_t>(g.find_link(16 + 0, 16 + 1));  // (0,0)-(1,0)
  g.set_link_up(l, false);
  const auto r = check_routes(g, compute_shortest_paths(g));
  EXPECT_EQ(r.error, "");
}

TEST(Torus, RefusesBadOptionsNamingTheKey) {
  TorusConfig c;
  c.dims = {8};
  Status s = c.validate();
  ASSERT_FALSE(s.is_ok());
  EXPECT_EQ(s.message().rfind("dims:", 0), 0u) << s.message();
  c.dims = {4, 4, 4, 4};
  EXPECT_FALSE(c.validate().is_ok());
  c.dims = {4, 1};
  s = c.validate();
  ASSERT_FALSE(s.is_ok());
  EXPECT_EQ(s.message().rfind("dims:", 0), 0u) << s.message();
  c.dims = {4, 4};
  c.hosts_per_switch = 65535;
  s = c.validate();
  ASSERT_FALSE(s.is_ok());
  EXPECT_EQ(s.message().rfind("hosts_per_switch:", 0), 0u) << s.message();
  c.hosts_per_switch = 1;
  EXPECT_TRUE(c.validate().is_ok());
}

}  // namespace
}  // namespace aifabric
