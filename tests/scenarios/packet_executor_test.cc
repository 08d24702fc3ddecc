// The packet-level task-graph executor on idle rail fabrics: dependency chains take
// the flows' real completion times, NVLink transfers their formula, flows from one GPU
// share its NIC, GPUs and NVLink ports serve one task at a time in readiness order, and
// failures, deadlines and bad inputs are reported; a ring all-reduce reaches the
// alpha-beta bus bandwidth.
#include <gtest/gtest.h>

#include <numeric>
#include <string>
#include <vector>

#include "aifabric/topo/builders/fat_tree/fat_tree.h"
#include "aifabric/topo/builders/leaf_spine/leaf_spine.h"
#include "aifabric/topo/builders/rail_optimized/rail_optimized.h"
#include "aifabric/workload/collectives/collectives.h"
#include "aifabric/workload/executor.h"
#include "tests/test_fabric.h"

namespace aifabric {
namespace {

// `nodes` servers of `gpus` GPUs, all on one leaf per rail, one spine, 400 Gbps / 1 us.
Network& rail_fabric(testing::TestFabric& tf, int64_t nodes, int64_t gpus) {
  RailOptimizedConfig c;
  c.nodes = nodes;
  c.gpus_per_node = gpus;
  c.nodes_per_leaf = nodes;
  c.spines = 1;
  tf.graph = build_rail_optimized(c);
  return tf.build();
}

Time ideal(const Network& net, uint32_t src, uint32_t dst, int64_t bytes) {
  FlowSpec f;
  f.src = src;
  f.dst = dst;
  f.size = bytes;
  return net.ideal_fct(f);
}

double ratio(Time a, Time b) {
  return a.to_seconds() / b.to_seconds();
}

TEST(PacketExecutor, ComputeTransferComputeChain) {
  testing::TestFabric tf;
  Network& net = rail_fabric(tf, 2, 1);
  TaskGraph g;
  const uint32_t grp = g.add_group({"chain", "send_recv", 0, 2});
  const int64_t bytes = 4 << 20;
  const uint32_t a = g.add_compute(0, Time::us(10), {}, grp);
  const uint32_t da[] = {a};
  const uint32_t x = g.add_transfer(0, 1, bytes, da, grp);
  const uint32_t dx[] = {x};
  const uint32_t b = g.add_compute(1, Time::us(5), dx, grp);
  const Result<TaskTimes> r = run_on_network(g, ClusterMap::linear(2, 1), net, Time::sec(1));
  ASSERT_TRUE(r.is_ok()) << r.status().message();
  const TaskTimes& t = *r;
  EXPECT_EQ(t.start[a], Time::zero());
  EXPECT_EQ(t.finish[a], Time::us(10));
  EXPECT_EQ(t.start[x], Time::us(10));
  // The transfer is one flow; its time is the flow's FCT, which on the idle path is the
  // store-and-forward ideal (1 %).
  ASSERT_EQ(net.flows().size(), 1u);
  const FlowOutcome o = net.outcome(0);
  ASSERT_EQ(o.sender->state(), SenderQp::State::kDone);
  EXPECT_EQ(o.spec->start, Time::us(10));
  EXPECT_EQ(t.finish[x], o.sender->finish_time());
  EXPECT_NEAR(ratio(t.finish[x] - t.start[x], ideal(net, 0, 1, bytes)), 1.0, 0.01);
  EXPECT_EQ(t.start[b], t.finish[x]);
  EXPECT_EQ(t.finish[b], t.finish[x] + Time::us(5));
  EXPECT_EQ(t.makespan(), t.finish[b]);
  // The run ends when the last task does, and the network is handed back as it was.
  EXPECT_EQ(tf.sim->now(), t.finish[b]);
  testing::expect_conservation(net);
}

TEST(PacketExecutor, NvlinkTransfersUseTheFormulaOnePerDirection) {
  testing::TestFabric tf;
  Network& net = rail_fabric(tf, 2, 2);
  ClusterMap map = ClusterMap::linear(4, 2);  // ranks 0, 1 on node 0
  map.nvlink_rate = BitRate::gbps(2400);
  map.nvlink_latency = Time::us(2);
  TaskGraph g;
  const uint32_t grp = g.add_group({"tp", "all_gather", 0, 2});
  const int64_t bytes = 3 << 20;
  const uint32_t x0 = g.add_transfer(0, 1, bytes, {}, grp);
  const uint32_t x1 = g.add_transfer(0, 1, bytes, {}, grp);  // same egress: waits for x0
  const uint32_t x2 = g.add_transfer(1, 0, bytes, {}, grp);  // other direction: concurrent
  const Result<TaskTimes> r = run_on_network(g, map, net, Time::sec(1));
  ASSERT_TRUE(r.is_ok()) << r.status().message();
  const TaskTimes& t = *r;
  const Time one = Time::us(2) + BitRate::gbps(2400).transmit_time(bytes);
  EXPECT_EQ(one, Time::us(2) + Time::ps(bytes * 8 * 1000 / 2400));  // 3 MiB / 300 GB/s
  EXPECT_EQ(t.start[x0], Time::zero());
  EXPECT_EQ(t.finish[x0], one);
  EXPECT_EQ(t.start[x1], one);
  EXPECT_EQ(t.finish[x1], one * 2);
  EXPECT_EQ(t.start[x2], Time::zero());
  EXPECT_EQ(t.finish[x2], one);
  EXPECT_TRUE(net.flows().empty());  // nothing went over the network
}

// A GPU runs one compute task at a time, in the order they became ready (not by index).
TEST(PacketExecutor, ComputeIsFifoByReadiness) {
  testing::TestFabric tf;
  Network& net = rail_fabric(tf, 2, 1);
  TaskGraph g;
  const uint32_t grp = g.add_group({"compute", "compute", 0, 1});
  const uint32_t x = g.add_compute(1, Time::us(3), {}, grp);
  const uint32_t dx[] = {x};
  const uint32_t late = g.add_compute(0, Time::us(4), dx, grp);  // ready at 3 us
  const uint32_t first = g.add_compute(0, Time::us(5), {}, grp);
  const uint32_t second = g.add_compute(0, Time::us(1), {}, grp);  // tie with `first`
  const Result<TaskTimes> r = run_on_network(g, ClusterMap::linear(2, 1), net, Time::sec(1));
  ASSERT_TRUE(r.is_ok()) << r.status().message();
  const TaskTimes& t = *r;
  EXPECT_EQ(t.start[first], Time::zero());
  EXPECT_EQ(t.start[second], Time::us(5));
  EXPECT_EQ(t.start[late], Time::us(6));
  EXPECT_EQ(t.finish[late], Time::us(10));
}

// Two flows from one GPU share its NIC: each takes about twice as long as alone.
TEST(PacketExecutor, TransfersFromOneGpuShareItsNic) {
  testing::TestFabric tf;
  Network& net = rail_fabric(tf, 3, 1);
  TaskGraph g;
  const uint32_t grp = g.add_group({"fanout", "send_recv", 0, 3});
  const int64_t bytes = 8 << 20;
  const uint32_t x1 = g.add_transfer(0, 1, bytes, {}, grp);
  const uint32_t x2 = g.add_transfer(0, 2, bytes, {}, grp);
  const Result<TaskTimes> r = run_on_network(g, ClusterMap::linear(3, 1), net, Time::sec(1));
  ASSERT_TRUE(r.is_ok()) << r.status().message();
  const TaskTimes& t = *r;
  EXPECT_EQ(t.start[x1], Time::zero());
  EXPECT_EQ(t.start[x2], Time::zero());
  const Time alone = ideal(net, 0, 1, bytes);
  for (uint32_t x : {x1, x2}) {
    const double k = ratio(t.finish[x] - t.start[x], alone);
    EXPECT_GT(k, 1.9) << x;
    EXPECT_LT(k, 2.05) << x;
  }
  testing::expect_conservation(net);
}

// Transfer i -> i+1 waits for the one that reached rank i: each starts when the previous
// finishes and takes its idle-path time.
TEST(PacketExecutor, RingOfTransfersRunsInOrder) {
  testing::TestFabric tf;
  Network& net = rail_fabric(tf, 4, 1);
  TaskGraph g;
  const uint32_t grp = g.add_group({"token ring", "send_recv", 0, 4});
  const int64_t bytes = 1 << 20;
  std::vector<uint32_t> x;
  for (uint32_t i = 0; i < 8; ++i) {
    std::vector<uint32_t> deps;
    if (!x.empty()) deps.push_back(x.back());
    x.push_back(g.add_transfer(i % 4, (i + 1) % 4, bytes, deps, grp));
  }
  const Result<TaskTimes> r = run_on_network(g, ClusterMap::linear(4, 1), net, Time::sec(1));
  ASSERT_TRUE(r.is_ok()) << r.status().message();
  const TaskTimes& t = *r;
  EXPECT_EQ(t.start[x[0]], Time::zero());
  for (size_t i = 0; i < x.size(); ++i) {
    if (i > 0) {
      EXPECT_EQ(t.start[x[i]], t.finish[x[i - 1]]) << i;
    }
    EXPECT_NEAR(ratio(t.finish[x[i]] - t.start[x[i]], ideal(net, 0, 1, bytes)), 1.0, 0.01) << i;
  }
  EXPECT_EQ(net.flows().size(), 8u);
  for (uint32_t f = 0; f < 8; ++f) {
    EXPECT_EQ(net.flows()[f].src, f % 4);
    EXPECT_EQ(net.flows()[f].dst, (f + 1) % 4);
  }
}

TEST(PacketExecutor, SameRunTwiceSameTimes) {
  auto run = [] {
    testing::TestFabric tf;
    Network& net = rail_fabric(tf, 4, 2);
    TaskGraph g;
    const uint32_t grp = g.add_group({"mix", "all_to_all", 0, 8});
    for (uint32_t s = 0; s < 8; ++s) {
      const uint32_t c = g.add_compute(s, Time::us(s), {}, grp);
      const uint32_t dc[] = {c};
      for (uint32_t d = 0; d < 8; ++d) {
        if (d != s) g.add_transfer(s, d, 256 << 10, dc, grp);
      }
    }
    const Result<TaskTimes> r = run_on_network(g, ClusterMap::linear(8, 2), net, Time::sec(1));
    EXPECT_TRUE(r.is_ok()) << r.status().message();
    return r.is_ok() ? r->finish : std::vector<Time>{};
  };
  const std::vector<Time> a = run();
  ASSERT_FALSE(a.empty());
  for (Time f : a) EXPECT_NE(f, Time::max());
  EXPECT_EQ(a, run());
}

TEST(PacketExecutor, FailedFlowNamesTheTask) {
  testing::TestFabric tf;
  RailOptimizedConfig c;
  c.nodes = 2;
  c.gpus_per_node = 1;
  c.nodes_per_leaf = 2;
  c.spines = 1;
  c.host_link.loss_rate = 1.0;  // every frame corrupted
  tf.graph = build_rail_optimized(c);
  tf.transport.retry_limit = 1;
  tf.transport.rto = Time::us(50);
  Network& net = tf.build();
  TaskGraph g;
  const uint32_t grp = g.add_group({"doomed", "send_recv", 0, 2});
  const uint32_t a = g.add_compute(0, Time::us(1), {}, grp);
  const uint32_t da[] = {a};
  g.add_transfer(0, 1, 1 << 20, da, grp);
  const Result<TaskTimes> r = run_on_network(g, ClusterMap::linear(2, 1), net, Time::sec(1));
  ASSERT_FALSE(r.is_ok());
  EXPECT_NE(r.status().message().find("task 1 (doomed"), std::string::npos) << r.status().message();
}

TEST(PacketExecutor, StopsAtTheDeadline) {
  testing::TestFabric tf;
  Network& net = rail_fabric(tf, 2, 1);
  TaskGraph g;
  const uint32_t grp = g.add_group({"long", "compute", 0, 1});
  const uint32_t a = g.add_compute(0, Time::us(10), {}, grp);
  const uint32_t da[] = {a};
  const uint32_t x = g.add_transfer(0, 1, 64 << 20, da, grp);  // ~1.4 ms at 400 Gbps
  const Result<TaskTimes> r = run_on_network(g, ClusterMap::linear(2, 1), net, Time::us(100));
  ASSERT_TRUE(r.is_ok()) << r.status().message();
  EXPECT_EQ(r->finish[a], Time::us(10));
  EXPECT_EQ(r->start[x], Time::us(10));
  EXPECT_EQ(r->finish[x], Time::max());
  EXPECT_EQ(tf.sim->now(), Time::us(100));
}

TEST(PacketExecutor, RefusesBadInputs) {
  testing::TestFabric tf;
  Network& net = rail_fabric(tf, 2, 1);
  TaskGraph g;
  const uint32_t grp = g.add_group({"x", "send_recv", 0, 2});
  g.add_transfer(0, 1, 1024, {}, grp);
  // Rank 1's NIC would be host 5 of a 2-host network.
  ClusterMap map = ClusterMap::linear(2, 1);
  map.host_of_rank[1] = 5;
  Result<TaskTimes> r = run_on_network(g, map, net, Time::sec(1));
  ASSERT_FALSE(r.is_ok());
  EXPECT_NE(r.status().message().find("host 5"), std::string::npos) << r.status().message();
  // A rank the map does not have.
  r = run_on_network(g, ClusterMap::linear(1, 1), net, Time::sec(1));
  ASSERT_FALSE(r.is_ok());
  EXPECT_NE(r.status().message().find("task 0"), std::string::npos) << r.status().message();
  EXPECT_TRUE(net.flows().empty());
}

// The check: ring all-reduce of 1 GiB over 16 ranks, one GPU per node (all
// traffic on the network), on an idle 400 Gbps rail fabric. 2 x 15 steps of 64 MiB
// flows, one per rank per step, each NIC sending one and receiving one: bus bandwidth
// must be the payload line rate (400 Gbps x 4096/4178) within 5 %, and the analytic
// alpha-beta executor, with alpha = the path's base latency, must agree within 5 %.
// About 2 s of simulation (16 x 30 flows of 16384 packets).
TEST(PacketExecutor, RingAllReduceBusBandwidthMatchesAlphaBeta) {
  const uint32_t n = 16;
  const int64_t bytes = int64_t{1} << 30;
  testing::TestFabric tf;
  Network& net = rail_fabric(tf, n, 1);
  const ClusterMap map = ClusterMap::linear(n, 1);
  std::vector<uint32_t> ranks(n);
  std::iota(ranks.begin(), ranks.end(), 0u);
  CollectiveSpec spec;
  spec.op = CollectiveOp::kAllReduce;
  spec.algo = CollectiveAlgo::kRing;
  spec.bytes = bytes;
  TaskGraph g;
  const auto tail = add_collective(g, spec, ranks, {}, map, "dp.allreduce");
  ASSERT_TRUE(tail.is_ok()) << tail.status().message();

  const Result<TaskTimes> pk = run_on_network(g, map, net, Time::sec(10));
  ASSERT_TRUE(pk.is_ok()) << pk.status().message();
  EXPECT_EQ(net.flows().size(), size_t{2} * (n - 1) * n);
  EXPECT_EQ(net.flows_finished(), net.flows().size());
  const double time = pk->makespan().to_seconds();
  const double busbw = static_cast<double>(bytes) * 8 * bus_factor(spec.op, n) / time;
  const double line = 400e9 * 4096.0 / 4178.0;
  EXPECT_NEAR(busbw / line, 1.0, 0.05) << "bus bandwidth " << busbw * 1e-9 << " Gbps";
  // What the 2 % below the line rate is (measured 383.1 Gbps, 0.977 x line): every NIC
  // sends its data and the per-packet ACKs (86 wire bytes) of the flow it receives on
  // the same egress, so data gets 4178 / (4178 + 86) of it. Within 1 % of that.
  const double with_acks = 400e9 * 4096.0 / (4178.0 + 86.0);
  EXPECT_NEAR(busbw / with_acks, 1.0, 0.01);

  // Base latency of the path: a one-packet flow's ideal FCT less its own serialization
  // (which the beta term counts): the store-and-forward hop, propagation and the ACK.
  AlphaBeta ab;
  ab.net_alpha = ideal(net, 0, 1, 4096) - BitRate::gbps(400).transmit_time(4178);
  ab.net_beta = BitRate::gbps(400);
  const Result<TaskTimes> an = run_analytic(g, map, ab);
  ASSERT_TRUE(an.is_ok()) << an.status().message();
  EXPECT_NEAR(ratio(pk->makespan(), an->makespan()), 1.0, 0.05)
      << "packet " << pk->makespan().to_us() << " us, analytic " << an->makespan().to_us() << " us";
  testing::expect_conservation(net);
}

}  // namespace
}  // namespace aifabric
