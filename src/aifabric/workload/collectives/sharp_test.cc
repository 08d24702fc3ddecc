// The sharp all-reduce (in-network aggregation): its task graph against hand counts
// (who sends what to which engine, the engines' windows), its refusals, and the
// alpha-beta closed form against the pipeline's arithmetic.
#include <gtest/gtest.h>

#include <numeric>

#include "aifabric/topo/builders/leaf_spine/leaf_spine.h"
#include "aifabric/workload/collectives/analytic_collective.h"
#include "aifabric/workload/collectives/collectives.h"

namespace aifabric {
namespace {

constexpr int64_t kMiB = 1 << 20;

// `leaves` leaves of 4 hosts, 2 spines, 400G; engines at `rate` with the given buffer.
ClusterMap sharp_map(int64_t leaves, uint32_t ranks, BitRate rate = BitRate::gbps(3200),
                     Bytes buffer = Bytes::mib(8)) {
  LeafSpineConfig c;
  c.leaves = leaves;
  c.spines = 2;
  c.hosts_per_leaf = 4;
  TopologyGraph g = build_leaf_spine(c);
  AggregationConfig a;
  a.enabled = true;
  a.rate = rate;
  a.buffer = buffer;
  auto tree = add_aggregators(g, a);
  EXPECT_TRUE(tree.is_ok()) << tree.status().message();
  ClusterMap map = ClusterMap::linear(ranks, 1);
  if (tree) map.add_aggregators(*tree);
  return map;
}

Result<std::vector<uint32_t>> build(TaskGraph& g, const ClusterMap& map, uint32_t n, int64_t bytes,
                                    CollectiveOp op = CollectiveOp::kAllReduce) {
  CollectiveSpec spec;
  spec.op = op;
  spec.algo = CollectiveAlgo::kSharp;
  spec.bytes = bytes;
  std::vector<uint32_t> ranks(n);
  std::iota(ranks.begin(), ranks.end(), 0U);
  return add_collective(g, spec, ranks, {}, map, "ar");
}

TEST(Sharp, EachGpuSendsSUpAndGetsSDownThroughItsLeafAndTheRoot) {
  // 8 ranks on 2 leaves: engines 0, 1 (the leaves) and 2 (the root spine), ranks 8..10.
  const ClusterMap map = sharp_map(2, 8);
  ASSERT_EQ(map.aggregator_rank, (std::vector<uint32_t>{8, 9, 10}));
  TaskGraph g;
  const int64_t s = 4 * kMiB;  // 4 chunks of 1 MiB
  auto fin = build(g, map, 8, s);
  ASSERT_TRUE(fin.is_ok()) << fin.status().message();
  EXPECT_EQ(fin->size(), 8U);  // every GPU's last chunk down
  // Per chunk: 8 GPU ups, 2 leaf ups, 2 root downs, 8 leaf copies.
  EXPECT_EQ(g.size(), 4U * (8 + 2 + 2 + 8));
  std::vector<int64_t> sent(11, 0), received(11, 0);
  for (const Task& t : g.tasks()) {
    sent[t.rank] += t.bytes;
    received[t.peer] += t.bytes;
    if (t.rank < 8) EXPECT_EQ(t.peer, 8 + t.rank / 4) << "a GPU sends to its leaf's engine";
  }
  for (uint32_t r = 0; r < 8; ++r) {
    EXPECT_EQ(sent[r], s);
    EXPECT_EQ(received[r], s);
  }
  // A leaf engine takes in 4 S from its GPUs and S from the root; sends S up and 4 S down.
  for (uint32_t e = 8; e < 10; ++e) {
    EXPECT_EQ(received[e], 5 * s);
    EXPECT_EQ(sent[e], 5 * s);
  }
  EXPECT_EQ(received[10], 2 * s);  // one stream per leaf up, not one per GPU
  EXPECT_EQ(sent[10], 2 * s);
}

TEST(Sharp, TheEngineBufferIsTheSendersWindow) {
  // Counts GPU sends that wait for their leaf engine's send up (a freed slot).
  auto slot_waits = [](const ClusterMap& map) {
    TaskGraph g;
    EXPECT_TRUE(build(g, map, 8, 4 * kMiB).is_ok());
    int waits = 0;
    for (const Task& t : g.tasks()) {
      if (t.rank >= 8) continue;
      for (uint32_t d : t.deps) {
        const Task& dep = g.tasks()[d];
        if (dep.rank == map.aggregator_rank[t.rank / 4] && dep.peer == map.aggregator_rank[2]) {
          ++waits;
        }
      }
    }
    return waits;
  };
  // 8 MiB of buffer: all 4 chunks fit, nobody waits. 1 MiB (window 1): chunks 1..3 of
  // all 8 GPUs wait for the previous chunk to leave their leaf.
  EXPECT_EQ(slot_waits(sharp_map(2, 8)), 0);
  EXPECT_EQ(slot_waits(sharp_map(2, 8, BitRate::gbps(3200), Bytes::mib(1))), 3 * 8);
}

TEST(Sharp, RefusedWithoutAggregatingSwitchesAndForOtherOps) {
  TaskGraph g;
  auto plain = build(g, ClusterMap::linear(8, 1), 8, kMiB);
  ASSERT_FALSE(plain.is_ok());
  EXPECT_NE(plain.status().message().find("switch.aggregation.enabled"), std::string::npos);
  auto rs = build(g, sharp_map(2, 8), 8, kMiB, CollectiveOp::kReduceScatter);
  ASSERT_FALSE(rs.is_ok());
  EXPECT_NE(rs.status().message().find("all-reduce"), std::string::npos);
}

// Alpha-beta: C chunks of c bytes through H hops, each chunk's bytes following the
// previous one's at tau = c / goodput and delivered alpha later. With alpha < tau and a
// window of at least H, nothing else waits: the last chunk is done at (C + H - 1) tau +
// H alpha (the pipeline fill plus one alpha per hop).
TEST(Sharp, AlphaBetaIsThePipelineOfItsHops) {
  const AlphaBeta ab;  // 5 us, 400G x 4096/4178
  const BitRate goodput = ab.net_beta.scaled(ab.net_efficiency);
  const int64_t s = 256 * kMiB;
  const int64_t c = kMiB;
  const int64_t chunks = s / c;
  const double tau = goodput.transmit_time(c).to_seconds();
  const double alpha = ab.net_alpha.to_seconds();
  ASSERT_LT(alpha, tau);
  auto time = [&](const ClusterMap& map, uint32_t n) {
    const auto t = sharp_time(s, n, ab, map.aggregation);
    EXPECT_TRUE(t.has_value());
    return t ? t->to_seconds() : 0.0;
  };
  // Two leaves: 4 hops.
  EXPECT_NEAR(time(sharp_map(2, 8), 8) / ((chunks + 3) * tau + 4 * alpha), 1.0, 1e-4);
  // One leaf: it is the top, 2 hops.
  EXPECT_NEAR(time(sharp_map(2, 4), 4) / ((chunks + 1) * tau + 2 * alpha), 1.0, 1e-4);
  // analytic_collective_time dispatches to it.
  CollectiveSpec spec;
  spec.algo = CollectiveAlgo::kSharp;
  spec.bytes = s;
  const ClusterMap map = sharp_map(2, 8);
  EXPECT_EQ(analytic_collective_time(spec, 8, 1, ab, map), sharp_time(s, 8, ab, map.aggregation));
  // At large sizes algbw tends to the NIC goodput: S / T within the fill's share.
  EXPECT_NEAR(static_cast<double>(s) / time(map, 8) / (goodput.bits_per_second() / 8.0), 1.0, 0.03);
}

TEST(Sharp, AlphaBetaTakesTheEngineRateAndWindow) {
  const AlphaBeta ab;
  const BitRate goodput = ab.net_beta.scaled(ab.net_efficiency);
  const int64_t s = 256 * kMiB;
  // An engine at 800G shared by 4 GPUs gives each 200G: half the NIC's goodput.
  const auto slow = sharp_time(s, 8, ab, sharp_map(2, 8, BitRate::gbps(800)).aggregation);
  ASSERT_TRUE(slow.has_value());
  const double engine_share = 800e9 * ab.net_efficiency / 4 / 8;  // bytes/s
  EXPECT_NEAR(static_cast<double>(s) / slow->to_seconds() / engine_share, 1.0, 0.03);
  // A window of one chunk: a GPU's chunk k waits until chunk k - 1 left its leaf, and
  // the leaf's until it came back down from the root: a chunk every 2 (tau + alpha)
  // instead of every tau.
  const auto fast = sharp_time(s, 8, ab, sharp_map(2, 8).aggregation);
  const auto one =
      sharp_time(s, 8, ab, sharp_map(2, 8, BitRate::gbps(3200), Bytes::mib(1)).aggregation);
  ASSERT_TRUE(fast && one);
  const double tau = goodput.transmit_time(kMiB).to_seconds();
  const double alpha = ab.net_alpha.to_seconds();
  EXPECT_NEAR(one->to_seconds() / fast->to_seconds(), 2 * (tau + alpha) / tau, 0.03 * 2.5);
}

}  // namespace
}  // namespace aifabric
