// Collective algorithms: transfer counts and bytes per rank against theory, the
// dependency structure, and the analytic backend against closed-form alpha-beta times.
#include "aifabric/workload/collectives/collectives.h"

#include <gtest/gtest.h>

#include <numeric>

#include "aifabric/workload/analytic_executor.h"

namespace aifabric {
namespace {

struct Built {
  TaskGraph g;
  ClusterMap map;
  std::vector<uint32_t> finals;
};

Built build(CollectiveSpec spec, uint32_t n, uint32_t gpus_per_node = 1) {
  Built b;
  b.map = ClusterMap::linear(n, gpus_per_node);
  std::vector<uint32_t> ranks(n);
  std::iota(ranks.begin(), ranks.end(), 0);
  auto r = add_collective(b.g, spec, ranks, {}, b.map, "c");
  EXPECT_TRUE(r.is_ok()) << r.status().message();
  if (r) b.finals = *r;
  return b;
}

std::vector<int64_t> sent_per_rank(const TaskGraph& g, uint32_t n) {
  std::vector<int64_t> s(n, 0);
  for (const Task& t : g.tasks()) s[t.rank] += t.bytes;
  return s;
}

constexpr int64_t kMiB = 1 << 20;

TEST(Collectives, RingAllReduceSendsTwoNMinusOneOverN) {
  CollectiveSpec spec;
  spec.bytes = 64 * kMiB;
  Built b = build(spec, 16);
  EXPECT_EQ(b.g.size(), 2u * 15 * 16);  // 2(n-1) steps x n transfers
  for (int64_t s : sent_per_rank(b.g, 16)) EXPECT_EQ(s, 2 * 15 * (64 * kMiB / 16));
  // Step k+1 of rank i waits for step k's data arriving at i (from i-1).
  const Task& t = b.g.tasks()[16 + 5];  // step 1, rank 5
  EXPECT_EQ(t.rank, 5u);
  ASSERT_EQ(t.deps.size(), 2u);
  EXPECT_EQ(b.g.tasks()[t.deps[0]].peer, 5u);  // the receive of step 0
  EXPECT_EQ(b.g.tasks()[t.deps[1]].rank, 5u);  // its own previous send
  EXPECT_EQ(b.finals.size(), 16u);
}

TEST(Collectives, AnalyticRingMatchesAlphaBeta) {
  // Closed form for an idle network: 2(n-1) (alpha + (S/n) / beta_eff).
  CollectiveSpec spec;
  spec.bytes = 1024 * kMiB;
  Built b = build(spec, 16);
  AlphaBeta ab;
  ab.net_alpha = Time::us(5);
  auto t = run_analytic(b.g, b.map, ab);
  ASSERT_TRUE(t.is_ok());
  const double beta = 400e9 * ab.net_efficiency / 8;
  const double expected = 2 * 15 * (5e-6 + (1024.0 * kMiB / 16) / beta);
  EXPECT_NEAR(t->makespan().to_seconds() / expected, 1.0, 0.001);
}

TEST(Collectives, PairwiseAllToAllMatchesAlphaBeta) {
  CollectiveSpec spec;
  spec.op = CollectiveOp::kAllToAll;
  spec.algo = CollectiveAlgo::kPairwise;
  spec.bytes = 256 * kMiB;
  Built b = build(spec, 8);
  EXPECT_EQ(b.g.size(), 7u * 8);
  for (int64_t s : sent_per_rank(b.g, 8)) EXPECT_EQ(s, 7 * 32 * kMiB);
  AlphaBeta ab;
  auto t = run_analytic(b.g, b.map, ab);
  ASSERT_TRUE(t.is_ok());
  const double expected = 7 * (5e-6 + 32.0 * kMiB / (400e9 * ab.net_efficiency / 8));
  EXPECT_NEAR(t->makespan().to_seconds() / expected, 1.0, 0.001);
}

TEST(Collectives, HalvingDoublingVolumesAndPowerOfTwo) {
  CollectiveSpec spec;
  spec.algo = CollectiveAlgo::kHalvingDoubling;
  spec.bytes = 64 * kMiB;
  Built b = build(spec, 8);
  EXPECT_EQ(b.g.size(), 2u * 3 * 8);  // log2(8) exchanges each way
  // Each rank sends S/2 + S/4 + S/8 in each half: 2 x 7/8 S, the ring's volume.
  for (int64_t s : sent_per_rank(b.g, 8)) EXPECT_EQ(s, 2 * (32 + 16 + 8) * kMiB);
  TaskGraph g;
  std::vector<uint32_t> twelve(12);
  std::iota(twelve.begin(), twelve.end(), 0);
  auto r = add_collective(g, spec, twelve, {}, ClusterMap::linear(12, 1), "hd");
  ASSERT_FALSE(r.is_ok());
  EXPECT_NE(r.status().message().find("power-of-two"), std::string::npos);
}

TEST(Collectives, DoubleBinaryTreeReachesEveryRank) {
  CollectiveSpec spec;
  spec.algo = CollectiveAlgo::kDoubleBinaryTree;
  spec.bytes = 16 * kMiB;
  Built b = build(spec, 7);
  // Every non-root of each tree receives the broadcast: 2 trees x 6 receivers.
  EXPECT_EQ(b.finals.size(), 12u);
  auto t = run_analytic(b.g, b.map, AlphaBeta{});
  ASSERT_TRUE(t.is_ok());
  EXPECT_GT(t->makespan(), Time::zero());
}

TEST(Collectives, HierarchicalAllReduceUsesNvlinkInsideNodes) {
  // 4 nodes x 4 GPUs: NVLink reduce-scatter, one inter-node ring per rail, NVLink
  // all-gather. Inter-node transfers only join GPUs of the same local index.
  CollectiveSpec spec;
  spec.bytes = 64 * kMiB;
  spec.hierarchical = true;
  Built b = build(spec, 16, 4);
  int64_t intra = 0, inter = 0;
  for (const Task& t : b.g.tasks()) {
    if (b.map.same_node(t.rank, t.peer)) {
      ++intra;
    } else {
      ++inter;
      EXPECT_EQ(t.rank % 4, t.peer % 4) << "rails";
    }
  }
  EXPECT_EQ(intra, 2 * 4 * 3 * 4);  // 2 phases x 4 nodes x 3 steps x 4 ranks
  EXPECT_EQ(inter, 4 * 2 * 3 * 4);  // 4 rails x 2(m-1) steps x 4 ranks
}

TEST(Collectives, RefusesBadInput) {
  TaskGraph g;
  const ClusterMap map = ClusterMap::linear(4, 1);
  const std::vector<uint32_t> dup{0, 1, 1};
  CollectiveSpec spec;
  spec.bytes = 1;
  EXPECT_NE(add_collective(g, spec, dup, {}, map, "x").status().message().find("appears twice"),
            std::string::npos);
  const std::vector<uint32_t> far{0, 9};
  EXPECT_FALSE(add_collective(g, spec, far, {}, map, "x").is_ok());
}

TEST(Collectives, BusFactors) {
  // nccl-tests' PERFORMANCE.md definitions.
  EXPECT_DOUBLE_EQ(bus_factor(CollectiveOp::kAllReduce, 16), 2.0 * 15 / 16);
  EXPECT_DOUBLE_EQ(bus_factor(CollectiveOp::kAllGather, 8), 7.0 / 8);
  EXPECT_DOUBLE_EQ(bus_factor(CollectiveOp::kSendRecv, 2), 1.0);
}

}  // namespace
}  // namespace aifabric
