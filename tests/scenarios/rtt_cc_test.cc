// Timely, Swift, DCTCP, DCQCN and the zero-queue scheme (xcp) end to end: flows on one leaf share
// the leaf's port to one host; a third flow joins for a while and leaves. Throughput is sampled by
// running the simulator in steps and differencing each receiver's accepted bytes; the bottleneck
// queue every microsecond. Each algorithm runs at the line rate its paper was measured
// at with its paper's parameters: Timely at 10 Gbps (its testbed's 10 GbE), Swift at
// aifabric's default 400 Gbps.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "aifabric/topo/builders/leaf_spine/leaf_spine.h"
#include "aifabric/transport/cc/swift/swift.h"
#include "tests/test_fabric.h"

namespace aifabric {
namespace {

using testing::accepted;
using testing::jain;
using testing::pause_frames;

struct Window {
  std::vector<double> gbps;  // goodput of each of `flows`
  int64_t peak_queue = 0;
};

// Runs [from, from + width) sampling `port`'s queue every `step`; goodput of `flows`.
Window measure(Network& net, const Switch& sw, uint16_t port, const std::vector<uint32_t>& flows,
               Time from, Time width, Time step) {
  net.run(from);
  std::vector<int64_t> before;
  for (uint32_t f : flows) before.push_back(accepted(net, f));
  Window w;
  for (Time t = from + step; t <= from + width; t += step) {
    net.run(t);
    w.peak_queue = std::max(w.peak_queue, sw.queue_bytes(port));
  }
  for (size_t i = 0; i < flows.size(); ++i) {
    w.gbps.push_back(static_cast<double>(accepted(net, flows[i]) - before[i]) * 8 /
                     width.to_seconds() * 1e-9);
  }
  return w;
}

double sum(const std::vector<double>& x) {
  double s = 0;
  for (double v : x) s += v;
  return s;
}

struct Phases {
  Time third_start, third_end;  // the third flow's life
  Time settle;                  // convergence time allowed after each change
  Time width;                   // measurement window
  int windows;                  // per phase
};

// The 400 Gbps runs' phases: 500 us to settle, the third flow in [2 ms, 4 ms), four
// 250 us windows per phase.
Phases fast_phases() {
  Phases ph;
  ph.settle = Time::us(500);
  ph.third_start = Time::ms(2);
  ph.third_end = Time::ms(4);
  ph.width = Time::us(250);
  ph.windows = 4;
  return ph;
}

// host0 and host1 -> host3 from t = 0 (flow 1 half a settle time later, into a
// saturated link), host2 -> host3 during [third_start, third_end) (its size gives it
// about that long at a third of the link). Checks the fair share in every window of
// each phase: two flows, three flows, two flows again.
void run_fair_share(testing::TestFabric& tf, BitRate line, const Phases& ph, int64_t queue_bound,
                    double min_utilization) {
  LeafSpineConfig ls;
  ls.leaves = 1;
  ls.spines = 1;
  ls.hosts_per_leaf = 4;
  ls.host_link.rate = line;
  ls.fabric_link.rate = line;
  tf.graph = build_leaf_spine(ls);
  Network& net = tf.build();
  const double goodput = line.to_gbps() * 4096 / 4178;
  FlowSpec a;
  a.src = 0;
  a.dst = 3;
  a.size = 1LL << 40;  // longer than the run
  FlowSpec b = a;
  b.src = 1;
  b.start = ph.settle / 2;
  FlowSpec c = a;
  c.src = 2;
  c.start = ph.third_start;
  c.size =
      static_cast<int64_t>(goodput / 3 * 1e9 / 8 * (ph.third_end - ph.third_start).to_seconds());
  ASSERT_TRUE(net.add_flows({a, b, c}).is_ok());
  const Switch& sw = *net.switches()[0];
  const uint16_t bottleneck = 3;  // the leaf's port to host3
  const Time step = Time::us(1);

  struct Phase {
    const char* name;
    Time from;
    std::vector<uint32_t> flows;
  };
  const Time third_done_by = ph.third_end + ph.settle;  // slack for an unequal share
  const std::vector<Phase> phases = {
      {"two flows", ph.settle * 3 / 2, {0, 1}},
      {"three flows", ph.third_start + ph.settle, {0, 1, 2}},
      {"after the third left", third_done_by + ph.settle, {0, 1}},
  };
  int64_t peak = 0;
  for (const Phase& p : phases) {
    for (int i = 0; i < ph.windows; ++i) {
      const Window w = measure(net, sw, bottleneck, p.flows, p.from + ph.width * i, ph.width, step);
      SCOPED_TRACE(::testing::Message()
                   << p.name << ", window " << i << ": " << ::testing::PrintToString(w.gbps)
                   << " Gbps, peak queue " << w.peak_queue);
      EXPECT_GE(jain(w.gbps), 0.95);
      EXPECT_GE(sum(w.gbps), min_utilization * goodput);
      peak = std::max(peak, w.peak_queue);
    }
    if (p.flows.size() == 3) {
      EXPECT_EQ(net.outcome(2).sender->state(), SenderQp::State::kActive)
          << "the third flow left before its phase was measured";
    }
  }
  EXPECT_EQ(net.outcome(2).sender->state(), SenderQp::State::kDone);
  EXPECT_LT(net.outcome(2).sender->finish_time(), third_done_by);
  EXPECT_LE(peak, queue_bound);
  EXPECT_EQ(pause_frames(net), 0);
  testing::expect_conservation(net);
}

TEST(RttCongestionControl, TimelyReachesAFairShareAndKeepsTheQueueBelowTHigh) {
  testing::TestFabric tf;
  tf.cc_name = "timely";
  const BitRate line = BitRate::gbps(10);
  Phases ph;
  // At 10 Gbps a completion event (one per RTT) adds 10 Mbps, so the rates meet within
  // ~100 ms of a flow's arrival at line rate; each phase is measured from 200 ms after
  // its change, in ten 20 ms windows (~400 RTTs each).
  ph.settle = Time::ms(200);
  ph.third_start = Time::ms(1000);
  ph.third_end = Time::ms(1600);
  ph.width = Time::ms(20);
  ph.windows = 10;
  // Above T_high every completion event cuts the rate, so the RTT, and the queue with
  // it, stays below about T_high = 500 us: 500 us of 10 Gbps is 625 kB. (The measured
  // peak is 62.7 kB: the RTT hovers near T_low = 50 us.)
  const int64_t bound = static_cast<int64_t>(10e9 / 8 * 500e-6);
  // Utilization: the gradient cuts (beta x gradient) let the queue run dry at times;
  // every window measured 82-97 % of the goodput, so 75 % catches a controller that
  // gives up capacity, not Timely's own sawtooth.
  run_fair_share(tf, line, ph, bound, 0.75);
}

TEST(RttCongestionControl, SwiftReachesAFairShareAndHoldsTheQueueNearItsTarget) {
  testing::TestFabric tf;
  tf.cc_name = "swift";
  const BitRate line = BitRate::gbps(400);
  const Phases ph = fast_phases();
  // Swift holds the RTT at its target: base_target + 1 hop x h + the flow-scaling term
  // of the flows' windows. With up to three flows each window is at least a third of
  // the bare path's BDP (4 us of propagation at 400 Gbps = 200 kB: 16.3 packets), whose
  // term is the largest; a queue of the target less the 4 us propagation, plus the
  // window growth of one RTT before a cut (ai = 1 packet per flow, counted twice), is
  // the most it holds. It measured 121-142 kB in every window.
  const SwiftParams sp;
  const double cwnd = 400e9 / 8 * 4e-6 / 3 / 4096;
  const double fs_alpha = static_cast<double>(sp.fs_range.ps()) /
                          (1 / std::sqrt(sp.fs_min_cwnd) - 1 / std::sqrt(sp.fs_max_cwnd));
  const double fs_ps = fs_alpha / std::sqrt(cwnd) - fs_alpha / std::sqrt(sp.fs_max_cwnd);
  const double target_ps = static_cast<double>((sp.base_target + sp.h).ps()) + fs_ps;
  const auto bound = static_cast<int64_t>(400e9 / 8 * (target_ps - 4e6) * 1e-12) + 3 * 2 * 4178;
  ASSERT_GT(bound, 150'000);
  ASSERT_LT(bound, 180'000);
  // Swift fills the link (every window measured 100 %).
  run_fair_share(tf, line, ph, bound, 0.98);
}

// The hop count Swift scales its target with travels with the packets: each switch
// counts itself into the data packet, and the receiver's ACK echoes the count.
TEST(RttCongestionControl, SwiftLearnsTheSwitchesOnEachPathFromItsAcks) {
  testing::TestFabric tf;
  tf.cc_name = "swift";
  tf.keep_queue_pairs = true;  // the controllers are read after their flows finished
  LeafSpineConfig ls;
  ls.leaves = 2;
  ls.spines = 1;
  ls.hosts_per_leaf = 2;
  tf.graph = build_leaf_spine(ls);
  Network& net = tf.build();
  FlowSpec local;
  local.src = 0;
  local.dst = 1;  // same leaf: one switch
  local.size = 1'000'000;
  FlowSpec remote = local;
  remote.src = 1;
  remote.dst = 2;  // leaf, spine, leaf
  ASSERT_TRUE(net.add_flows({local, remote}).is_ok());
  net.run(Time::ms(1));
  testing::expect_all_delivered(net);
  const auto* a = dynamic_cast<const Swift*>(&net.outcome(0).qp->cc());
  const auto* b = dynamic_cast<const Swift*>(&net.outcome(1).qp->cc());
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(a->last_hops(), 1);
  EXPECT_EQ(b->last_hops(), 3);
}

// The zero-queue scheme (XCP's switch-granted windows) through the same three phases at
// 400 Gbps. Convergence: the shuffle moves gamma = 10 % of the traffic per control
// interval (~ one 4 us RTT here) from the faster flows to the slower, so a gap closes
// by e within ~10 intervals; 500 us is > 100 of them.
TEST(GrantedWindowCongestionControl, XcpReachesAFairShareWithANearZeroQueue) {
  testing::TestFabric tf;
  tf.cc_name = "xcp";
  const Phases ph = fast_phases();
  // Queue: beta takes back any standing queue each interval, so what remains is paced
  // senders' frames meeting at the port: at most one frame per flow (3) plus the one
  // being served. Utilisation: the idle-bandwidth term grants until y = C; the XCP paper
  // reports ~99 % at its bottlenecks, 98 % allows for the ACKs' rate estimate noise.
  // (Measured: 99.8 % in every window, Jain > 0.9999, peak queue 3 frames.)
  run_fair_share(tf, BitRate::gbps(400), ph, 4 * 4178, 0.98);
}

// The ECN-driven algorithms through the same three phases at 400 Gbps. The queue is held
// by ECN, so it stays within twice the marking region's top (k_max = 400 KB, the bound
// the DCQCN tests use); each cut costs at most half a flow's rate until the additive
// steps repair it, so 90 % of goodput leaves room for the sawtooth.
//
// DISABLED, both: they fail, and that is a finding (docs/congestion-control.md, "Known
// gaps"), not a tolerance to loosen. DCTCP (rate form): Jain 0.75 -> 0.89 over the
// two-flow phase's four 250 us windows and 0.91 -> 0.945 with three: alpha decays while
// unmarked, so each cut closes little of the gap. Deployed DCQCN: shares are fair but a
// flow whose target was reset after an increase climbs back at R_HAI = 800 Mb/s per
// 300 us stage, so the link runs at 207-264 Gb/s of 353 after a change and 2.7 Gb/s/ms
// more per millisecond.
TEST(EcnCongestionControl, DISABLED_DctcpReachesAFairShareWithAThirdFlowJoiningAndLeaving) {
  testing::TestFabric tf;
  tf.cc_name = "dctcp";
  // rate_ai (615 Mb/s) per round trip of ~4 us: rates meet within a few hundred us.
  const Phases ph = fast_phases();
  run_fair_share(tf, BitRate::gbps(400), ph, 2 * tf.sw.ecn.k_max.count(), 0.9);
}

TEST(EcnCongestionControl, DISABLED_DeployedDcqcnReachesAFairShareWithAThirdFlowJoiningAndLeaving) {
  testing::TestFabric tf;
  tf.cc_name = "dcqcn";
  Phases ph;
  // Recovery comes in 300 us timer stages (four of them bring a halved flow back to
  // 95 %): each phase gets 2 ms to settle and is measured in 1 ms windows.
  ph.settle = Time::ms(2);
  ph.third_start = Time::ms(6);
  ph.third_end = Time::ms(12);
  ph.width = Time::ms(1);
  ph.windows = 4;
  run_fair_share(tf, BitRate::gbps(400), ph, 2 * tf.sw.ecn.k_max.count(), 0.9);
}

}  // namespace
}  // namespace aifabric
