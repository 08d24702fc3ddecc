// Link-load imbalance: the four spread measures against hand-computed values, and the
// grouping of ports by tier direction with tiers named after their nodes.
#include "aifabric/telemetry/imbalance.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "aifabric/scenario/outputs.h"
#include "aifabric/scenario/simulate.h"
#include "aifabric/topo/builders/fat_tree/fat_tree.h"
#include "aifabric/topo/builders/leaf_spine/leaf_spine.h"
#include "aifabric/topo/builders/rail_optimized/rail_optimized.h"

namespace aifabric {
namespace {

TEST(Imbalance, SpreadMeasures) {
  // 10, 20, 30, 40: mean 25, population variance 125.
  const std::vector<double> v{10, 20, 30, 40};
  const Imbalance s = imbalance_of(v);
  EXPECT_EQ(s.links, 4U);
  EXPECT_DOUBLE_EQ(s.mean, 25);
  EXPECT_DOUBLE_EQ(s.max_over_min, 4);
  EXPECT_DOUBLE_EQ(s.max_over_mean, 1.6);
  EXPECT_DOUBLE_EQ(s.spread_over_mean, 1.2);
  EXPECT_NEAR(s.cv, std::sqrt(125.0) / 25, 1e-12);
  // An idle link makes max/min infinite; an idle tier has no spread at all.
  EXPECT_TRUE(std::isinf(imbalance_of(std::vector<double>{0, 5}).max_over_min));
  const Imbalance idle = imbalance_of(std::vector<double>{0, 0});
  EXPECT_EQ(idle.max_over_min, 0);
  EXPECT_EQ(idle.cv, 0);
}

TEST(Imbalance, GroupsPortsByTierDirectionAndSkipsFailedLinks) {
  LeafSpineConfig c;
  c.leaves = 2;
  c.spines = 2;
  c.hosts_per_leaf = 1;
  TopologyGraph g = build_leaf_spine(c);
  std::vector<PortRow> ports;
  for (uint32_t id = 0; id < g.nodes().size(); ++id) {
    for (size_t i = 0; i < g.adjacent(id).size(); ++i) {
      PortRow p;
      p.node = id;
      p.peer = g.adjacent(id)[i].peer;
      p.port = static_cast<uint16_t>(i);
      p.utilization = 0.1 * static_cast<double>(id + 1);
      ports.push_back(p);
    }
  }
  const auto tiers = link_imbalance(ports, g);
  ASSERT_EQ(tiers.size(), 4U);
  EXPECT_EQ(tiers[0].tiers, "host->leaf");
  EXPECT_EQ(tiers[1].tiers, "leaf->spine");
  EXPECT_EQ(tiers[2].tiers, "spine->leaf");
  EXPECT_EQ(tiers[3].tiers, "leaf->host");
  EXPECT_EQ(tiers[1].stats.links, 4U);
  EXPECT_EQ(fabric_imbalance(ports, g).links, 8U);
  g.set_link_up(
      static_cast<uint32_t>(g.find_link(g.adjacent(g.hosts()[0])[0].peer,
                                        g.adjacent(g.adjacent(g.hosts()[0])[0].peer)[1].peer)),
      false);
  EXPECT_EQ(link_imbalance(ports, g)[1].stats.links, 3U);
  EXPECT_EQ(fabric_imbalance(ports, g).links, 6U);
}

}  // namespace
}  // namespace aifabric
