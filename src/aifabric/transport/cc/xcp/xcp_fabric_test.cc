// The zero-queue scheme end to end on one 400 Gbps leaf (1 us links): a 16 -> 1 incast
// that starts every flow at one frame and lets the switch ports grant the rest holds
// the bottleneck queue at a fraction of a BDP, never pauses, and drains near line
// rate; a lone flow reaches line rate within the handful of RTTs XCP's efficiency
// controller needs (cwnd gains alpha = 40 % of the idle BDP per interval).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "aifabric/topo/builders/leaf_spine/leaf_spine.h"
#include "aifabric/transport/cc/xcp/xcp.h"
#include "tests/test_fabric.h"

namespace aifabric {
namespace {

constexpr int64_t kWire = 4178;
constexpr double kGoodputBps = 400e9 * 4096 / 4178;

void one_leaf(testing::TestFabric& tf, uint32_t hosts) {
  tf.graph = build_leaf_spine(testing::one_leaf(hosts));
  tf.cc_name = "xcp";
}

TEST(XcpFabric, IncastOfSixteenQueuesAFractionOfABdpAndDrainsNearLineRate) {
  testing::TestFabric tf;
  constexpr uint32_t kSenders = 16;
  constexpr int64_t kFlowBytes = 1 << 20;
  one_leaf(tf, kSenders + 1);
  Network& net = tf.build();
  ASSERT_TRUE(net.add_flows(testing::incast(0, kSenders, kSenders, kFlowBytes)).is_ok());
  const Switch& sw = *net.switches()[0];
  // The bottleneck queue every microsecond once the grants have ramped the flows up
  // (50 us) until the first flows finish (~330 us).
  double mean_queue = 0;
  int samples = 0;
  for (Time t = Time::us(50); t <= Time::us(330); t += Time::us(1), ++samples) {
    net.run(t);
    mean_queue += static_cast<double>(sw.queue_bytes(kSenders));
  }
  mean_queue /= samples;
  net.run(Time::ms(5));
  testing::expect_all_delivered(net);
  const int64_t peak = sw.port(kSenders).counters().max_queue_bytes;
  // The bottleneck's BDP: 400 Gbps x the ~4.2 us base RTT of host-leaf-host.
  const double bdp = 400e9 / 8 * 4.2e-6;
  // Nothing beyond one frame per flow enters before a grant, and grants follow the
  // port's measured idle bandwidth, so the queue stays a fraction of a BDP: the ramp
  // overshoots (the 16 windows grow within an interval whose grants were sized on the
  // last one's packets), and beta drains it. Measured: peak 96 kB (23 frames, at
  // ~40 us), mean 25 kB in the steady phase. DCQCN starts all 16 at line rate and holds
  // megabytes (docs/congestion-control.md, Incast 64 -> 1).
  EXPECT_LE(static_cast<double>(peak), bdp / 2);
  EXPECT_LE(mean_queue, bdp / 4);
  EXPECT_EQ(testing::pause_frames(net), 0);
  std::vector<double> tput;
  Time last;
  for (uint32_t i = 0; i < kSenders; ++i) {
    const Time fin = net.outcome(i).sender->finish_time();
    last = std::max(last, fin);
    tput.push_back(static_cast<double>(kFlowBytes) / fin.to_seconds());
  }
  // Drain: 16 MiB at goodput is 342 us. Explicit allocation pays in RTTs: the ramp from
  // 16 frames to the BDP (~30 us to reach line rate, ~10 us of capacity lost), ~98 %
  // in the steady phase (the windows of ~3 frames each oscillate around the BDP), and
  // the last ~20 us when finished flows' shares must be granted again to the rest.
  // Measured 373 us (1.09 x); 1.15 x catches a controller that idles the link.
  const double drain = kSenders * kFlowBytes * 8.0 / kGoodputBps;
  EXPECT_GE(last.to_seconds(), drain);
  EXPECT_LE(last.to_seconds(), 1.15 * drain);
  EXPECT_GE(testing::jain(tput), 0.99);
  testing::expect_conservation(net);
}

TEST(XcpFabric, ALoneFlowReachesLineRateWithinTheEfficiencyControllersRamp) {
  testing::TestFabric tf;
  one_leaf(tf, 2);
  Network& net = tf.build();
  FlowSpec f;
  f.src = 0;
  f.dst = 1;
  f.size = 1LL << 40;
  ASSERT_TRUE(net.add_flows({f}).is_ok());
  // From one frame of a ~50-frame BDP the idle share shrinks by (1 - alpha) = 0.6 per
  // interval (d = the RTT, ~4.2 us): below 5 % after ln(0.05) / ln(0.6) = 6 intervals,
  // ~25 us. Measure from 50 us (twice that) over 100 us.
  net.run(Time::us(50));
  const int64_t before = testing::accepted(net, 0);
  int64_t peak = 0;
  for (Time t = Time::us(51); t <= Time::us(150); t += Time::us(1)) {
    net.run(t);
    peak = std::max(peak, net.switches()[0]->queue_bytes(1));
  }
  const double gbps = static_cast<double>(testing::accepted(net, 0) - before) * 8 / 100e-6;
  EXPECT_GE(gbps, 0.95 * kGoodputBps);
  // One paced flow queues at most the frame being served and one behind it.
  EXPECT_LE(peak, 2 * kWire);
  const auto& cc = dynamic_cast<const Xcp&>(net.outcome(0).qp->cc());
  // Its window settled near line rate x RTT, not beyond (a request never asks more).
  const double bdp = 400e9 / 8 * cc.srtt().to_seconds();
  EXPECT_NEAR(cc.cwnd(), bdp, 0.1 * bdp);
}

}  // namespace
}  // namespace aifabric
