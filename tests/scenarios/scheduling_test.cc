// Egress scheduling between priorities and the transport's retry limit.
#include <gtest/gtest.h>

#include "aifabric/topo/builders/fat_tree/fat_tree.h"
#include "aifabric/topo/builders/leaf_spine/leaf_spine.h"
#include "aifabric/topo/builders/rail_optimized/rail_optimized.h"
#include "tests/test_fabric.h"

namespace aifabric {
namespace {

// Two hosts on one switch send to a third on priorities 3 and 4 (both lossless), so
// the switch port to the receiver holds both classes. Returns the bytes each flow had
// delivered at `at`, while both are still backlogged.
std::pair<double, double> shares(Scheduler sched, int64_t w3, int64_t w4, Time at) {
  testing::TestFabric tf;
  LeafSpineConfig ls;
  ls.leaves = 1;
  ls.spines = 1;
  ls.hosts_per_leaf = 3;
  tf.graph = build_leaf_spine(ls);
  tf.sw.scheduler = sched;
  tf.sw.weights[3] = w3;
  tf.sw.weights[4] = w4;
  tf.sw.pfc.priorities = {3, 4};
  Network& net = tf.build();
  FlowSpec a;
  a.src = 0;
  a.dst = 2;
  a.size = 64LL << 20;
  a.priority = 3;
  FlowSpec b = a;
  b.src = 1;
  b.priority = 4;
  EXPECT_TRUE(net.add_flows({a, b}).is_ok());
  net.run(at);
  testing::expect_conservation(net);
  return {static_cast<double>(net.outcome(0).receiver->stats().accepted_bytes),
          static_cast<double>(net.outcome(1).receiver->stats().accepted_bytes)};
}

// DWRR gives backlogged classes bandwidth in proportion to their weights. The quantum
// is weight x one maximum frame, so over 400 us (~4800 frames) the ratio is exact to
// within a frame per round: 3 % is ample.
TEST(Scheduling, DwrrSharesByWeight) {
  const auto [b3, b4] = shares(Scheduler::kDwrr, 1, 3, Time::us(400));
  EXPECT_NEAR(b4 / b3, 3.0, 0.09) << b3 << " " << b4;
  // Together they fill the link: 400 us at 392 Gbps of payload, minus the pipeline
  // start and PFC's pauses settling in (5 %).
  EXPECT_NEAR((b3 + b4) * 8 / 400e-6, 400e9 * 4096 / 4178, 0.05 * 400e9);
}

// Strict priority: 7 is highest. While priority 4 is backlogged, priority 3 gets only
// what slips through before the first pause bites (PFC pauses the low class upstream).
TEST(Scheduling, StrictPriorityStarvesTheLowerClass) {
  const auto [b3, b4] = shares(Scheduler::kStrict, 1, 1, Time::us(400));
  EXPECT_LT(b3, 0.05 * b4) << b3 << " " << b4;
}

// A link that corrupts every frame: the sender times out `retry_limit` + 1 times in a
// row and fails the flow, and the run reports it instead of hanging.
TEST(Transport, RetryLimitFailsTheFlow) {
  testing::TestFabric tf;
  LeafSpineConfig ls;
  ls.leaves = 1;
  ls.spines = 1;
  ls.hosts_per_leaf = 2;
  ls.host_link.loss_rate = 1.0;
  tf.graph = build_leaf_spine(ls);
  tf.transport.retry_limit = 3;
  Network& net = tf.build();
  FlowSpec f;
  f.src = 0;
  f.dst = 1;
  f.size = 1 << 20;
  ASSERT_TRUE(net.add_flows({f}).is_ok());
  net.run(Time::sec(1));
  const FlowOutcome o = net.outcome(0);
  EXPECT_EQ(o.sender->state(), SenderQp::State::kFailed);
  EXPECT_EQ(o.sender->stats().timeouts, 4);
  // Four RTOs of no progress from the start: the failure is declared at 4 x rto.
  EXPECT_EQ(o.sender->finish_time(), tf.transport.rto * 4);
  EXPECT_EQ(net.flows_finished(), 1u);
  testing::expect_conservation(net);
}

}  // namespace
}  // namespace aifabric
