// The Executor over a fake TransferEngine in which every network transfer takes a fixed
// time: dependencies, one compute at a time per GPU in readiness order, one NVLink
// transfer per direction, engine transfers started at readiness, a failed transfer
// failing the run by name, stop_at, and the simulator's outstanding work.
#include "aifabric/workload/executor.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <set>
#include <string>
#include <vector>

namespace aifabric {
namespace {

// Each transfer takes `took` from its start, whatever else runs; those in `fail` end
// as failed. Records what it was asked to start, when, and the outstanding work then.
class FixedTimeEngine final : public TransferEngine, public EventHandler {
 public:
  struct Started {
    Transfer t;
    Time at;
    int64_t outstanding;
  };
  FixedTimeEngine(Simulator& sim, TransferListener& l, Time took)
      : sim_(sim), listener_(l), took_(took) {}
  Status start(std::span<const Transfer> transfers) override {
    for (const Transfer& t : transfers) {
      started.push_back({t, sim_.now(), sim_.outstanding()});
      listener_.transfer_started(t.id);
      sim_.schedule_in(took_, EventPriority::kTimer, this, 0, t.id);
    }
    return Status::ok();
  }
  void handle_event(uint32_t /*kind*/, uint64_t id) override {
    listener_.transfer_done(static_cast<uint32_t>(id), fail.count(static_cast<uint32_t>(id)) == 0);
  }
  std::vector<Started> started;
  std::set<uint32_t> fail;

 private:
  Simulator& sim_;
  TransferListener& listener_;
  Time took_;
};

constexpr Time kNet = Time::us(7);  // every network transfer

struct Job {
  TaskGraph g;
  ClusterMap map = ClusterMap::linear(4, 1);  // one GPU per node: all transfers on the network
  uint32_t group = g.add_group({"grp", "test", 0, 4});
  Simulator sim;
  uint32_t xfer(uint32_t a, uint32_t b, int64_t bytes, std::vector<uint32_t> deps = {}) {
    return g.add_transfer(a, b, bytes, deps, group);
  }
  uint32_t compute(uint32_t r, Time d, std::vector<uint32_t> deps = {}) {
    return g.add_compute(r, d, deps, group);
  }
  std::unique_ptr<Executor> exec;
  std::unique_ptr<FixedTimeEngine> engine;
  Status run(Time stop_at = Time::max(), std::set<uint32_t> fail = {}) {
    exec = std::make_unique<Executor>(g, map, sim);
    engine = std::make_unique<FixedTimeEngine>(sim, *exec, kNet);
    engine->fail = std::move(fail);
    return exec->run(*engine, stop_at);
  }
};

TEST(Executor, DependenciesHoldAndEngineTransfersStartWhenReady) {
  // c0 (10 us on GPU 0) feeds x and z (0 -> 1), which feed c1 (5 us on GPU 1); y
  // (2 -> 3) needs nothing. The engine gets y at 0 and x, z together at 10 us (the
  // executor leaves network contention to the engine), each 7 us long; c1 starts when
  // both have arrived.
  Job j;
  const uint32_t c0 = j.compute(0, Time::us(10));
  const uint32_t x = j.xfer(0, 1, 1 << 20, {c0});
  const uint32_t y = j.xfer(2, 3, 1 << 20);
  const uint32_t z = j.xfer(0, 1, 2 << 20, {c0});
  const uint32_t c1 = j.compute(1, Time::us(5), {x, z});
  ASSERT_TRUE(j.run().is_ok());
  const TaskTimes t = j.exec->take_times();
  EXPECT_EQ(t.start[c0], Time::zero());
  EXPECT_EQ(t.finish[c0], Time::us(10));
  EXPECT_EQ(t.start[y], Time::zero());
  EXPECT_EQ(t.finish[y], kNet);
  EXPECT_EQ(t.start[x], Time::us(10));
  EXPECT_EQ(t.start[z], Time::us(10));
  EXPECT_EQ(t.finish[x], Time::us(10) + kNet);
  EXPECT_EQ(t.start[c1], Time::us(10) + kNet);
  EXPECT_EQ(t.finish[c1], Time::us(22));
  EXPECT_EQ(t.makespan(), Time::us(22));
  // What the engine was handed: y first, then x and z in index order, with their hosts
  // (map.host_of_rank), bytes and priority.
  const auto& s = j.engine->started;
  ASSERT_EQ(s.size(), 3U);
  EXPECT_EQ(s[0].t.id, y);
  EXPECT_EQ(s[0].at, Time::zero());
  EXPECT_EQ(s[1].t.id, x);
  EXPECT_EQ(s[2].t.id, z);
  EXPECT_EQ(s[2].at, Time::us(10));
  EXPECT_EQ(s[2].t.src, j.map.host_of_rank[0]);
  EXPECT_EQ(s[2].t.dst, j.map.host_of_rank[1]);
  EXPECT_EQ(s[2].t.bytes, 2 << 20);
  EXPECT_EQ(s[2].t.priority, 3);
}

// Multi-plane NICs (ClusterMap::planes): a transfer becomes one connection per plane,
// from host_of_rank + p x plane_stride, its bytes split evenly (the remainder on the
// first); it is done, and its dependents start, when every part is.
TEST(Executor, APlaneSplitTransferWaitsForEveryPart) {
  Job j;
  j.map.planes = 3;
  j.map.plane_stride = 4;
  const uint32_t x = j.xfer(0, 1, 1001);
  const uint32_t tiny = j.xfer(2, 3, 2);  // fewer bytes than planes: two parts
  const uint32_t c = j.compute(1, Time::us(1), {x});
  ASSERT_TRUE(j.run().is_ok());
  const auto& s = j.engine->started;
  ASSERT_EQ(s.size(), 5U);
  const auto n = static_cast<uint32_t>(j.g.size());
  int64_t sum = 0;
  for (uint32_t p = 0; p < 3; ++p) {
    EXPECT_EQ(s[p].t.id, x + p * n);
    EXPECT_EQ(s[p].t.src, 0 + p * 4);
    EXPECT_EQ(s[p].t.dst, 1 + p * 4);
    sum += s[p].t.bytes;
  }
  EXPECT_EQ(s[0].t.bytes, 334);
  EXPECT_EQ(s[2].t.bytes, 333);
  EXPECT_EQ(sum, 1001);
  EXPECT_EQ(s[3].t.bytes + s[4].t.bytes, 2);
  EXPECT_EQ(s[4].t.id, tiny + n);
  const TaskTimes t = j.exec->take_times();
  EXPECT_EQ(t.finish[x], kNet);
  EXPECT_EQ(t.start[c], kNet);
  EXPECT_EQ(t.finish[tiny], kNet);
}

// A 2-level NVLink domain (NV576: first-level groups joined by a second NVSwitch level):
// ranks in one group see the group's latency, across groups the cross latency and rate.
TEST(Executor, TwoLevelNvlinkCostsMoreAcrossGroups) {
  Job j;
  j.map = ClusterMap::linear(4, 4);  // one 4-GPU domain
  j.map.nvlink_rate = BitRate::gbps(800);
  j.map.nvlink_latency = Time::us(1);
  j.map.nvlink_group = 2;  // groups {0, 1} and {2, 3}
  j.map.nvlink_cross_latency = Time::us(3);
  j.map.nvlink_cross_rate = BitRate::gbps(400);
  const uint32_t in = j.xfer(0, 1, 100'000);      // 1 us + 100 kB / 100 GB/s = 2 us
  const uint32_t across = j.xfer(2, 0, 100'000);  // 3 us + 100 kB / 50 GB/s = 5 us
  ASSERT_TRUE(j.run().is_ok());
  const TaskTimes t = j.exec->take_times();
  EXPECT_EQ(t.finish[in] - t.start[in], Time::us(2));
  EXPECT_EQ(t.finish[across] - t.start[across], Time::us(5));
  EXPECT_TRUE(j.engine->started.empty());
}

TEST(Executor, AGpuComputesOneTaskAtATimeInReadinessOrder) {
  // GPU 0: t2 (30 us) and t3 (7 us) ready at 0 run in index order; t4 (1 us) becomes
  // ready at 7 us (after a transfer), t1 (5 us) at 10 us (after t0 on GPU 1): GPU 0
  // runs t2, t3, t4, t1 although t1 has the lowest index. GPU 1 runs t0 alongside.
  Job j;
  const uint32_t t0 = j.compute(1, Time::us(10));
  const uint32_t t1 = j.compute(0, Time::us(5), {t0});
  const uint32_t t2 = j.compute(0, Time::us(30));
  const uint32_t t3 = j.compute(0, Time::us(7));
  const uint32_t x = j.xfer(2, 3, 1000);  // 7 us
  const uint32_t t4 = j.compute(0, Time::us(1), {x});
  ASSERT_TRUE(j.run().is_ok());
  const TaskTimes t = j.exec->take_times();
  EXPECT_EQ(t.start[t0], Time::zero());
  EXPECT_EQ(t.start[t2], Time::zero());
  EXPECT_EQ(t.start[t3], Time::us(30));
  EXPECT_EQ(t.start[t4], Time::us(37));
  EXPECT_EQ(t.start[t1], Time::us(38));
  EXPECT_EQ(t.finish[t1], Time::us(43));
  // Never two at once on GPU 0.
  std::vector<std::pair<Time, Time>> gpu0;
  for (uint32_t i : {t1, t2, t3, t4}) gpu0.emplace_back(t.start[i], t.finish[i]);
  std::sort(gpu0.begin(), gpu0.end());
  for (size_t i = 1; i < gpu0.size(); ++i) EXPECT_LE(gpu0[i - 1].second, gpu0[i].first);
}

TEST(Executor, NvlinkCarriesOneTransferPerDirectionPerGpu) {
  // One node of 4 GPUs: every transfer is NVLink, latency + bytes / rate =
  // 2 us + 3e6 x 8 bits / 2400 Gbps = 2 us + 10 us. a (0 -> 1) takes GPU 0's egress
  // and GPU 1's ingress: b (0 -> 2) waits for the egress, c (3 -> 1) for the ingress;
  // d (2 -> 3) and e (1 -> 0, the other direction) run alongside a.
  Job j;
  j.map = ClusterMap::linear(4, 4);
  const int64_t bytes = 3'000'000;
  // bits x 1e12 ps/s / rate, as (bits x 1e6) / (rate / 1e6) to stay within int64.
  const Time nv =
      j.map.nvlink_latency +
      Time::ps(bytes * 8 * 1'000'000 / (j.map.nvlink_rate.bits_per_second() / 1'000'000));
  ASSERT_EQ(nv, Time::us(12));
  const uint32_t a = j.xfer(0, 1, bytes);
  const uint32_t b = j.xfer(0, 2, bytes);
  const uint32_t c = j.xfer(3, 1, bytes);
  const uint32_t d = j.xfer(2, 3, bytes);
  const uint32_t e = j.xfer(1, 0, bytes);
  ASSERT_TRUE(j.run().is_ok());
  const TaskTimes t = j.exec->take_times();
  EXPECT_EQ(t.start[a], Time::zero());
  EXPECT_EQ(t.start[d], Time::zero());
  EXPECT_EQ(t.start[e], Time::zero());
  EXPECT_EQ(t.start[b], nv);
  EXPECT_EQ(t.start[c], nv);
  for (uint32_t i : {a, b, c, d, e}) EXPECT_EQ(t.finish[i], t.start[i] + nv) << i;
  EXPECT_TRUE(j.engine->started.empty());  // nothing left the node
  // Two nodes of 2: 0 -> 1 is NVLink, 0 -> 2 the network; they overlap.
  Job k;
  k.map = ClusterMap::linear(4, 2);
  const uint32_t nvl = k.xfer(0, 1, bytes);
  const uint32_t net = k.xfer(0, 2, bytes);
  ASSERT_TRUE(k.run().is_ok());
  const TaskTimes u = k.exec->take_times();
  EXPECT_EQ(u.start[nvl], Time::zero());
  EXPECT_EQ(u.start[net], Time::zero());
  EXPECT_EQ(u.finish[nvl], nv);
  EXPECT_EQ(u.finish[net], kNet);
  ASSERT_EQ(k.engine->started.size(), 1U);
  EXPECT_EQ(k.engine->started[0].t.id, net);
}

TEST(Executor, AFailedTransferFailsTheRunNamingTheTask) {
  Job j;
  const uint32_t c0 = j.compute(0, Time::us(10));
  const uint32_t x = j.xfer(0, 1, 4096, {c0});
  const uint32_t after = j.compute(1, Time::us(5), {x});
  // The run ends (a job fails with its connection, as NCCL's does) and the times say why.
  ASSERT_TRUE(j.run(Time::max(), {x}).is_ok());
  const TaskTimes t = j.exec->take_times();
  const std::string& why = t.failure;
  EXPECT_NE(why.find("task " + std::to_string(x)), std::string::npos) << why;
  EXPECT_NE(why.find("grp"), std::string::npos) << why;
  EXPECT_NE(why.find("4096 bytes from rank 0 to rank 1"), std::string::npos) << why;
  EXPECT_EQ(t.start[x], Time::us(10));
  EXPECT_EQ(t.finish[x], Time::max());
  EXPECT_EQ(t.start[after], Time::max());
  EXPECT_EQ(j.sim.now(), Time::us(10) + kNet);  // stopped at the failure
}

TEST(Executor, StopAtLeavesUnfinishedTasksAtMax) {
  // A chain of three 10 us computes stopped at 15 us: the first finished, the second
  // started and did not finish, the third never started.
  Job j;
  const uint32_t a = j.compute(0, Time::us(10));
  const uint32_t b = j.compute(0, Time::us(10), {a});
  const uint32_t c = j.compute(0, Time::us(10), {b});
  const uint32_t x = j.xfer(0, 1, 100, {a});  // 10 us -> 17 us: unfinished
  ASSERT_TRUE(j.run(Time::us(15)).is_ok());
  const TaskTimes t = j.exec->take_times();
  EXPECT_EQ(t.finish[a], Time::us(10));
  EXPECT_EQ(t.start[b], Time::us(10));
  EXPECT_EQ(t.finish[b], Time::max());
  EXPECT_EQ(t.start[c], Time::max());
  EXPECT_EQ(t.finish[c], Time::max());
  EXPECT_EQ(t.start[x], Time::us(10));
  EXPECT_EQ(t.finish[x], Time::max());
  EXPECT_EQ(j.sim.now(), Time::us(15));
}

TEST(Executor, OutstandingWorkIsHeldDuringTheRunAndReturnsToZero) {
  Job j;
  const uint32_t c0 = j.compute(0, Time::us(3));
  j.xfer(0, 1, 100, {c0});
  j.xfer(1, 2, 100);
  EXPECT_EQ(j.sim.outstanding(), 0);
  ASSERT_TRUE(j.run().is_ok());
  ASSERT_EQ(j.engine->started.size(), 2U);
  for (const auto& s : j.engine->started) EXPECT_EQ(s.outstanding, 1);  // the executor's unit
  EXPECT_EQ(j.sim.outstanding(), 0);
  // The run ends at the last task's finish (3 us + 7 us), not later.
  EXPECT_EQ(j.sim.now(), Time::us(10));
  // An empty graph holds nothing and returns at once.
  Job empty;
  ASSERT_TRUE(empty.run().is_ok());
  EXPECT_EQ(empty.sim.outstanding(), 0);
  EXPECT_TRUE(empty.engine->started.empty());
}

}  // namespace
}  // namespace aifabric
