// The alpha-beta executor on hand-made graphs: port occupancy (NVLink, GPU), NIC sides
// shared equally among their concurrent transfers, readiness order, work conservation,
// dependencies and refused inputs. Times are exact to the picosecond where nothing
// shares (alpha + transmit_time(bytes) is the model itself), to a few ps where shares
// change mid-transfer.
#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

#include "aifabric/workload/executor.h"

namespace aifabric {
namespace {

constexpr int64_t kMiB = 1 << 20;

struct Fixture {
  TaskGraph g;
  ClusterMap map = ClusterMap::linear(4, 1);
  AlphaBeta ab;
  uint32_t group = g.add_group({"t", "test", 0, 4});
  uint32_t xfer(uint32_t a, uint32_t b, int64_t bytes, std::vector<uint32_t> deps = {}) {
    return g.add_transfer(a, b, bytes, deps, group);
  }
  uint32_t compute(uint32_t r, Time d, std::vector<uint32_t> deps = {}) {
    return g.add_compute(r, d, deps, group);
  }
  Time net(int64_t bytes) const {
    return ab.net_alpha + ab.net_beta.scaled(ab.net_efficiency).transmit_time(bytes);
  }
  TaskTimes run() {
    auto t = run_analytic(g, map, ab);
    EXPECT_TRUE(t.is_ok()) << t.status().message();
    return t ? *t : TaskTimes{};
  }
};

TEST(Analytic, DisjointPairsOverlapAndASenderSharesItsNic) {
  Fixture f;
  const uint32_t a = f.xfer(0, 1, 8 * kMiB);
  const uint32_t b = f.xfer(2, 3, 8 * kMiB);  // other NICs: in parallel, alone
  const uint32_t c = f.xfer(0, 2, 8 * kMiB);  // NIC 0's tx again: shares it with a
  const TaskTimes t = f.run();
  const Time ser = f.net(8 * kMiB) - f.ab.net_alpha;
  EXPECT_EQ(t.start[a], Time::zero());
  EXPECT_EQ(t.start[b], Time::zero());
  EXPECT_EQ(t.start[c], Time::zero());
  EXPECT_EQ(t.finish[b], f.net(8 * kMiB));
  EXPECT_NEAR(t.finish[a].ps(), (f.ab.net_alpha + ser * 2).ps(), 2);
  EXPECT_EQ(t.finish[c], t.finish[a]);
}

TEST(Analytic, IncastSharesTheReceiverEqually) {
  Fixture f;
  const uint32_t a = f.xfer(1, 0, kMiB);
  const uint32_t b = f.xfer(2, 0, kMiB);
  const uint32_t c = f.xfer(3, 0, kMiB);
  const TaskTimes t = f.run();
  const Time ser = f.net(kMiB) - f.ab.net_alpha;
  for (uint32_t x : {a, b, c}) {
    EXPECT_EQ(t.start[x], Time::zero());
    EXPECT_NEAR(t.finish[x].ps(), (f.ab.net_alpha + ser * 3).ps(), 3);
  }
}

TEST(Analytic, SharesAreRecomputedWhenATransferLeaves) {
  // a (0 -> 1), b (2 -> 1), c (2 -> 3): NIC 1's rx and NIC 2's tx each carry two, so
  // all three move at half the goodput; when b's 1 MiB is out (2u), a and c run alone.
  Fixture f;
  const uint32_t a = f.xfer(0, 1, 4 * kMiB);
  const uint32_t b = f.xfer(2, 1, kMiB);
  const uint32_t c = f.xfer(2, 3, 2 * kMiB);
  const TaskTimes t = f.run();
  const Time u = f.net(kMiB) - f.ab.net_alpha;
  EXPECT_NEAR(t.finish[b].ps(), (f.ab.net_alpha + u * 2).ps(), 4);
  EXPECT_NEAR(t.finish[c].ps(), (f.ab.net_alpha + u * 3).ps(), 4);
  EXPECT_NEAR(t.finish[a].ps(), (f.ab.net_alpha + u * 5).ps(), 4);
}

TEST(Analytic, AGpuRunsItsTasksInReadinessOrderThenIndex) {
  // t1 (GPU 0) becomes ready at 10 us, when t0 ends on GPU 1; t2 and t3 are ready at 0,
  // so GPU 0 runs t2, t3 (index order), then t1 although t1's index is lower.
  Fixture f;
  const uint32_t t0 = f.compute(1, Time::us(10));
  const uint32_t t1 = f.compute(0, Time::us(5), {t0});
  const uint32_t t2 = f.compute(0, Time::us(30));
  const uint32_t t3 = f.compute(0, Time::us(7));
  const TaskTimes t = f.run();
  EXPECT_EQ(t.start[t2], Time::zero());
  EXPECT_EQ(t.start[t3], Time::us(30));
  EXPECT_EQ(t.start[t1], Time::us(37));
  EXPECT_EQ(t.finish[t1], Time::us(42));
}

TEST(Analytic, ZeroDurationJoinsPassReadinessOnAtOnce) {
  Fixture f;
  const uint32_t a = f.xfer(0, 1, kMiB);
  const uint32_t join = f.compute(1, Time::zero(), {a});
  const uint32_t next = f.xfer(1, 2, kMiB, {join});
  const TaskTimes t = f.run();
  EXPECT_EQ(t.start[join], t.finish[a]);
  EXPECT_EQ(t.finish[join], t.finish[a]);
  EXPECT_EQ(t.start[next], t.finish[a]);
  EXPECT_EQ(t.makespan(), f.net(kMiB) * 2);
}

TEST(Analytic, NvlinkInsideANodeAndItsOwnPorts) {
  // Ranks 0, 1 share node 0. An NVLink transfer takes latency + bytes / nvlink_rate
  // and uses NVLink ports, so rank 0's network send (to rank 2, node 1) runs alongside
  // it; a second NVLink send from rank 0 waits for the first.
  Fixture f;
  f.map = ClusterMap::linear(4, 2);
  const uint32_t nv1 = f.xfer(0, 1, 64 * kMiB);
  const uint32_t wire = f.xfer(0, 2, 64 * kMiB);
  const uint32_t nv2 = f.xfer(0, 1, kMiB);
  const TaskTimes t = f.run();
  const Time nv = f.map.nvlink_latency + f.map.nvlink_rate.transmit_time(64 * kMiB);
  EXPECT_EQ(t.start[nv1], Time::zero());
  EXPECT_EQ(t.finish[nv1], nv);
  EXPECT_EQ(t.start[wire], Time::zero());
  EXPECT_EQ(t.finish[wire], f.net(64 * kMiB));
  EXPECT_EQ(t.start[nv2], nv);
  // NVLink (2400 Gbps) is 6x the NIC here, so the network send is the longer one.
  EXPECT_GT(t.finish[wire], t.finish[nv1]);
}

TEST(Analytic, ComputeAndTransfersOfAGpuOverlap) {
  // A GPU computing does not stop its NIC (NCCL kernels aside): communication overlaps
  // compute unless a dependency says otherwise.
  Fixture f;
  const uint32_t c = f.compute(0, Time::ms(1));
  const uint32_t x = f.xfer(0, 1, kMiB);
  const uint32_t after = f.xfer(0, 1, kMiB, {c});
  const TaskTimes t = f.run();
  EXPECT_EQ(t.start[x], Time::zero());
  EXPECT_EQ(t.start[after], Time::ms(1));
  EXPECT_EQ(t.finish[c], Time::ms(1));
}

TEST(Analytic, DeterministicAndDependenciesHold) {
  // A random-looking but fixed graph: every task starts after its deps finish, no port
  // runs two tasks at once, and a second run gives identical times.
  Fixture f;
  f.map = ClusterMap::linear(8, 2);
  std::vector<uint32_t> ids;
  uint64_t x = 12345;
  auto next = [&x](uint64_t m) {
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    return (x >> 33) % m;
  };
  for (int i = 0; i < 400; ++i) {
    std::vector<uint32_t> deps;
    if (!ids.empty() && next(3) != 0) deps.push_back(ids[next(ids.size())]);
    const auto a = static_cast<uint32_t>(next(8));
    auto b = static_cast<uint32_t>(next(7));
    if (b >= a) ++b;
    if (next(4) == 0) {
      ids.push_back(f.compute(a, Time::us(static_cast<int64_t>(next(20))), deps));
    } else {
      ids.push_back(f.xfer(a, b, static_cast<int64_t>(1 + next(4 * kMiB)), deps));
    }
  }
  const TaskTimes t = f.run();
  const TaskTimes again = f.run();
  EXPECT_EQ(t.start, again.start);
  EXPECT_EQ(t.finish, again.finish);
  const auto& tasks = f.g.tasks();
  // Port key: (kind, rank) for the GPU and NVLink out/in, which serve one task at a
  // time; a NIC side shares, so it only never carries more than its goodput.
  std::vector<std::vector<std::pair<Time, Time>>> busy(size_t{5} * 8);
  std::vector<Time> nic_ser(size_t{2} * 8, Time::zero());
  std::vector<Time> nic_end(size_t{2} * 8, Time::zero());
  const BitRate goodput = f.ab.net_beta.scaled(f.ab.net_efficiency);
  for (size_t i = 0; i < tasks.size(); ++i) {
    ASSERT_NE(t.finish[i], Time::max());
    for (uint32_t d : tasks[i].deps) EXPECT_GE(t.start[i], t.finish[d]);
    const Task& k = tasks[i];
    if (k.kind == TaskKind::kCompute) {
      busy[k.rank].emplace_back(t.start[i], t.finish[i]);
    } else if (f.map.same_node(k.rank, k.peer)) {
      busy[3 * 8 + k.rank].emplace_back(t.start[i], t.finish[i]);
      busy[4 * 8 + k.peer].emplace_back(t.start[i], t.finish[i]);
    } else {
      for (uint32_t side : {k.rank, 8 + k.peer}) {
        nic_ser[side] += goodput.transmit_time(k.bytes);
        nic_end[side] = std::max(nic_end[side], t.finish[i] - f.ab.net_alpha);
      }
    }
  }
  for (size_t side = 0; side < nic_ser.size(); ++side) {
    EXPECT_LE(nic_ser[side].ps(), nic_end[side].ps() + 64) << "NIC side " << side;
  }
  for (auto& p : busy) {
    std::sort(p.begin(), p.end());
    for (size_t j = 1; j < p.size(); ++j) EXPECT_LE(p[j - 1].second, p[j].first);
  }
}

TEST(Analytic, RefusesBadInput) {
  Fixture f;
  f.xfer(0, 0, kMiB);  // to itself
  EXPECT_FALSE(run_analytic(f.g, f.map, f.ab).is_ok());
  Fixture g;
  g.xfer(0, 9, kMiB);  // no rank 9
  EXPECT_FALSE(run_analytic(g.g, g.map, g.ab).is_ok());
  Fixture h;
  h.xfer(0, 1, kMiB);
  h.ab.net_efficiency = 0;
  auto r = run_analytic(h.g, h.map, h.ab);
  ASSERT_FALSE(r.is_ok());
  EXPECT_NE(r.status().message().find("efficiency"), std::string::npos);
  h.ab = AlphaBeta{};
  h.map.nvlink_rate = BitRate::bps(0);
  EXPECT_FALSE(run_analytic(h.g, h.map, h.ab).is_ok());
}

TEST(Analytic, EmptyGraph) {
  Fixture f;
  auto t = run_analytic(f.g, f.map, f.ab);
  ASSERT_TRUE(t.is_ok());
  EXPECT_EQ(t->makespan(), Time::zero());
}

}  // namespace
}  // namespace aifabric

namespace aifabric {
namespace {

// A barrier (TaskGraph::add_barrier) is done the moment its dependencies are, even while
// rank 0's GPU (its nominal rank) computes; a zero-duration compute join on rank 0 waits
// for that GPU instead.
TEST(Analytic, BarrierHoldsNoGpu) {
  Fixture f;
  const uint32_t busy = f.compute(0, Time::ms(5));
  const uint32_t a = f.xfer(1, 2, kMiB);
  const uint32_t b = f.xfer(3, 2, kMiB);
  const uint32_t deps[] = {a, b};
  const uint32_t barrier = f.g.add_barrier(deps, f.group);
  const uint32_t join = f.compute(0, Time::zero(), {a, b});
  const TaskTimes t = f.run();
  const Time last = std::max(t.finish[a], t.finish[b]);
  EXPECT_LT(last, Time::ms(5));
  EXPECT_EQ(t.finish[barrier], last);
  EXPECT_EQ(t.finish[join], t.finish[busy]);
}

}  // namespace
}  // namespace aifabric
