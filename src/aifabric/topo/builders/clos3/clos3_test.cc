// The 3-tier Clos builder: the HPCC paper's counts, every host reaching every other,
// equal-cost path counts as the wiring predicts (1 / A / cores), refused configurations.
#include "aifabric/topo/builders/clos3/clos3.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "aifabric/topo/routing.h"

namespace aifabric {
namespace {

// Shortest paths from switch `node` to host `dst` through the ECMP tables.
uint64_t paths(const TopologyGraph& g, const std::vector<ForwardingTable>& tables, uint32_t node,
               uint32_t dst) {
  if (node == g.hosts()[dst]) return 1;
  if (g.nodes()[node].kind == NodeKind::kHost) return 0;
  uint64_t n = 0;
  for (uint16_t port : tables[node].next_hops(dst)) {
    n += paths(g, tables, g.adjacent(node)[port].peer, dst);
  }
  return n;
}

uint64_t host_paths(const TopologyGraph& g, const std::vector<ForwardingTable>& tables,
                    uint32_t src, uint32_t dst) {
  return paths(g, tables, g.adjacent(g.hosts()[src])[0].peer, dst);
}

TEST(Clos3, TheHpccPaperFabric) {
  const Clos3Config c;  // the defaults are the paper's
  ASSERT_TRUE(c.validate().is_ok()) << c.validate().message();
  const TopologyGraph g = build_clos3(c);
  ASSERT_TRUE(g.validate().is_ok()) << g.validate().message();
  EXPECT_EQ(g.hosts().size(), 320u);
  EXPECT_EQ(g.switch_count(), 20u + 20 + 16);
  // 320 host links + 10 pods x 2 ToRs x 2 aggs + 20 aggs x 8 cores.
  EXPECT_EQ(g.links().size(), 320u + 40 + 160);
  const TopologySize z = clos3_size(c);
  EXPECT_EQ(z.hosts, 320u);
  EXPECT_EQ(z.switches, 56u);
  EXPECT_EQ(z.links, g.links().size());
  EXPECT_EQ(z.attachments, 20u);

  int tiers[4] = {0, 0, 0, 0};
  for (uint32_t id = 0; id < g.nodes().size(); ++id) {
    const TopoNode& n = g.nodes()[id];
    ++tiers[n.tier];
    const size_t ports = g.adjacent(id).size();
    if (n.tier == 1) EXPECT_EQ(ports, 16u + 2) << n.name;  // hosts + the pod's aggs
    if (n.tier == 2) EXPECT_EQ(ports, 2u + 8) << n.name;   // the pod's ToRs + a core group
    if (n.tier == 3) EXPECT_EQ(ports, 10u) << n.name;      // one agg per pod
    for (const Adjacent& a : g.adjacent(id)) {
      const BitRate want =
          n.tier == 0 || g.nodes()[a.peer].tier == 0 ? BitRate::gbps(100) : BitRate::gbps(400);
      EXPECT_EQ(g.links()[a.link].params.rate, want);
      EXPECT_EQ(g.links()[a.link].params.delay, Time::us(1));
    }
  }
  EXPECT_EQ(tiers[0], 320);
  EXPECT_EQ(tiers[1], 20);
  EXPECT_EQ(tiers[2], 20);
  EXPECT_EQ(tiers[3], 16);
  EXPECT_EQ(g.nodes()[g.adjacent(g.hosts()[17])[0].peer].name, "tor0_1");
}

TEST(Clos3, EveryHostReachesEveryOtherOverThePredictedPaths) {
  Clos3Config c;
  c.tors = 6;
  c.aggs = 9;
  c.cores = 6;
  c.hosts_per_tor = 2;
  c.pods = 3;  // 2 ToRs and 3 aggs per pod, core groups of 2
  ASSERT_TRUE(c.validate().is_ok()) << c.validate().message();
  const TopologyGraph g = build_clos3(c);
  ASSERT_TRUE(g.validate().is_ok()) << g.validate().message();
  EXPECT_EQ(g.links().size(), 12u + 3 * 2 * 3 + 9 * 2);
  const auto tables = compute_shortest_paths(g);
  const uint32_t hosts = static_cast<uint32_t>(g.hosts().size());
  for (uint32_t s = 0; s < hosts; ++s) {
    for (uint32_t d = 0; d < hosts; ++d) {
      if (s == d) continue;
      const uint32_t ts = s / 2;
      const uint32_t td = d / 2;
      const uint64_t want = ts == td ? 1 : ts / 2 == td / 2 ? 3 : 6;
      EXPECT_EQ(host_paths(g, tables, s, d), want) << s << " -> " << d;
    }
  }
  // The paper's fabric: 16 equal-cost paths across pods, 2 within one.
  const Clos3Config paper;
  const TopologyGraph pg = build_clos3(paper);
  const auto pt = compute_shortest_paths(pg);
  EXPECT_EQ(host_paths(pg, pt, 0, 319), 16u);
  EXPECT_EQ(host_paths(pg, pt, 0, 16), 2u);
  EXPECT_EQ(host_paths(pg, pt, 0, 15), 1u);
}

TEST(Clos3, RefusesImpossibleCombinations) {
  const auto refused = [](const Clos3Config& c, const std::string& key) {
    const Status s = c.validate();
    EXPECT_FALSE(s.is_ok()) << key;
    EXPECT_EQ(s.message().rfind(key + ":", 0), 0u) << s.message();
    EXPECT_EQ(s.message().find('\n'), std::string::npos);
  };
  Clos3Config c;
  c.tors = 21;
  refused(c, "tors");
  c = Clos3Config();
  c.aggs = 25;
  refused(c, "aggs");
  c = Clos3Config();
  c.cores = 15;  // 2 aggs per pod: cores must be even
  refused(c, "cores");
  c = Clos3Config();
  c.tors = 1;
  c.pods = 1;
  c.aggs = 1;
  c.hosts_per_tor = 1;
  refused(c, "hosts_per_tor");
}

}  // namespace
}  // namespace aifabric
