// The aggregation engines on a leaf-spine graph: one per leaf and one at the root
// spine, each a host on an internal link at the engine's rate; bad settings refused.
#include "aifabric/fabric/switch/aggregation/aggregation.h"

#include <gtest/gtest.h>

#include "aifabric/topo/builders/leaf_spine/leaf_spine.h"

namespace aifabric {
namespace {

LeafSpineConfig four_by_four() {
  LeafSpineConfig c;
  c.leaves = 4;
  c.spines = 2;
  c.hosts_per_leaf = 4;
  return c;
}

TEST(Aggregation, OneEnginePerLeafAndOneAtTheRoot) {
  TopologyGraph g = build_leaf_spine(four_by_four());
  AggregationConfig cfg;
  cfg.enabled = true;
  cfg.rate = BitRate::gbps(1600);
  auto t = add_aggregators(g, cfg);
  ASSERT_TRUE(t.is_ok()) << t.status().message();
  EXPECT_TRUE(g.validate().is_ok());
  // 4 leaves + the root spine; the GPUs' 16 hosts keep their numbers.
  ASSERT_EQ(t->host.size(), 5U);
  EXPECT_EQ(t->gpu_hosts, 16U);
  EXPECT_EQ(g.hosts().size(), 21U);
  for (uint32_t h = 0; h < 16; ++h) EXPECT_EQ(t->leaf_of_host[h], h / 4) << h;
  EXPECT_EQ(t->root, 4U);
  EXPECT_EQ(g.nodes()[t->switch_node[t->root]].tier, 2);
  EXPECT_EQ(t->parent[t->root], AggregationTree::kNone);
  EXPECT_EQ(t->children(t->root), (std::vector<uint32_t>{0, 1, 2, 3}));
  for (uint32_t e = 0; e < 5; ++e) {
    const uint32_t node = g.hosts()[t->host[e]];
    ASSERT_EQ(g.adjacent(node).size(), 1U);
    EXPECT_EQ(g.adjacent(node)[0].peer, t->switch_node[e]);
    const LinkParams& l = g.links()[g.adjacent(node)[0].link].params;
    EXPECT_EQ(l.rate, cfg.rate);
    EXPECT_EQ(l.delay, cfg.latency);
  }
}

TEST(Aggregation, ASingleLeafStillHangsOffTheTopTier) {
  LeafSpineConfig c;
  c.leaves = 1;
  c.spines = 1;
  c.hosts_per_leaf = 4;
  TopologyGraph g = build_leaf_spine(c);
  AggregationConfig cfg;
  cfg.enabled = true;
  auto t = add_aggregators(g, cfg);
  ASSERT_TRUE(t.is_ok());
  // The leaf and the spine (the top tier) each get an engine; the leaf's parent is the
  // spine's.
  ASSERT_EQ(t->host.size(), 2U);
  EXPECT_EQ(t->parent[0], t->root);
}

TEST(Aggregation, RefusesBadSettings) {
  TopologyGraph g = build_leaf_spine(four_by_four());
  AggregationConfig cfg;
  cfg.enabled = true;
  cfg.chunk = Bytes::mib(2);
  cfg.buffer = Bytes::mib(1);
  auto t = add_aggregators(g, cfg);
  ASSERT_FALSE(t.is_ok());
  EXPECT_NE(t.status().message().find("switch.aggregation"), std::string::npos);
  EXPECT_NE(t.status().message().find("buffer"), std::string::npos);
  cfg.buffer = Bytes::mib(8);
  cfg.rate = BitRate::gbps(0);
  EXPECT_NE(cfg.validate().message().find("rate"), std::string::npos);
  cfg.rate = BitRate::gbps(400);
  cfg.latency = Time::ns(-1);
  EXPECT_FALSE(cfg.validate().is_ok());
  // Disabled: nothing to check.
  cfg.enabled = false;
  EXPECT_TRUE(cfg.validate().is_ok());
  EXPECT_EQ(AggregationConfig{}.window(), 8);  // 8 MiB / 1 MiB
}

}  // namespace
}  // namespace aifabric
