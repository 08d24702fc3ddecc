// 16-to-1 incast at line rate with credit-based flow control (CBFC) on priority 3 and
// PFC off, no congestion control: nothing may be dropped or paused, no ingress may
// hold more than the credits it granted, and the bottleneck's throughput must follow
// the credit loop's physics: full when the credits cover the loop's bandwidth-delay
// product, credits / (rate x loop time) of it when they do not.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "aifabric/topo/builders/leaf_spine/leaf_spine.h"
#include "tests/test_fabric.h"

namespace aifabric {
namespace {

constexpr int kSenders = 16;
constexpr int64_t kFlowBytes = 4LL * 1024 * 1024;
constexpr int64_t kFrame = 4096 + kRoceHeaderBytes + kL1OverheadBytes;  // 4178 B
// Goodput of a 400 Gbps link: each 4178-byte frame carries 4096 payload bytes.
constexpr double kGoodputBps = 400e9 * 4096.0 / 4178.0;

// One leaf, host0..15 sending to host16; `credits` 0 = the automatic size.
Network& build_incast(testing::TestFabric& tf, Bytes credits) {
  tf.graph = build_leaf_spine(testing::one_leaf(kSenders + 1));
  tf.sw.pfc.enabled = false;
  tf.sw.cbfc.enabled = true;
  tf.sw.cbfc.credits = credits;
  Network& net = tf.build();
  EXPECT_TRUE(net.add_flows(testing::incast(0, kSenders, kSenders, kFlowBytes)).is_ok());
  return net;
}

// Payload rate (bits/s) the bottleneck port sent between `from` and `to`; runs to `to`.
double bottleneck_rate(Network& net, Time from, Time to) {
  Port& out = testing::port_towards(net, "leaf0", "host" + std::to_string(kSenders));
  net.run(from);
  const int64_t before = out.counters().tx_payload_bytes;
  net.run(to);
  return static_cast<double>(out.counters().tx_payload_bytes - before) * 8.0 /
         (to - from).to_seconds();
}

// Lossless without a single pause frame, every credit honoured, every ingress inside the
// credits it granted and the switch inside the sum of its reservations.
void expect_credit_bounded(const Network& net) {
  const Switch& sw = *net.switches()[0];
  const SwitchCounters c = sw.counters();
  EXPECT_EQ(c.credit_drops, 0);
  EXPECT_EQ(c.buffer_drops, 0);
  EXPECT_EQ(c.headroom_drops, 0);
  int64_t reserved = 0;
  int64_t per_lane = 0;
  for (size_t p = 0; p < sw.port_count(); ++p) {
    reserved += sw.credits_per_lane(p);
    per_lane = std::max(per_lane, sw.credits_per_lane(p));
  }
  EXPECT_GT(c.max_ingress_bytes, 0);
  EXPECT_LE(c.max_ingress_bytes, per_lane);
  EXPECT_LE(c.max_buffer_used, reserved);
  testing::for_each_port(net, [](const PortCounters& pc) {
    EXPECT_EQ(pc.drops, 0);
    EXPECT_EQ(pc.pause_tx, 0);
    EXPECT_EQ(pc.credit_overruns, 0);
  });
  for (const auto& h : net.hosts()) {
    h->for_each_sender([](const SenderResult& s) { EXPECT_EQ(s.stats().retx_packets, 0); });
  }
}

TEST(CbfcIncast, AutomaticCreditsAreLosslessBoundedAndKeepTheBottleneckFull) {
  testing::TestFabric tf;
  Network& net = build_incast(tf, Bytes(0));
  // The automatic credits per 400 Gbps, 1 us link: 2 x 50,000 + 3 x 4178 + 4178 (one
  // frame of update batch) + 84 = 116,796 B, in whole 64-byte blocks 116,800 B.
  EXPECT_EQ(net.switches()[0]->credits_per_lane(0), 116'800);
  const double mid = bottleneck_rate(net, Time::us(200), Time::us(1000));
  net.run(Time::ms(100));
  testing::expect_all_delivered(net);
  expect_credit_bounded(net);

  // The credits (27.9 frames) exceed the loop's bandwidth-delay product (25 frames, see
  // the next test), so the port to the receiver never waits for credits: mid-run it
  // sends at goodput (0.5 %: the credit frames and ACKs ride the other direction).
  EXPECT_GE(mid, 0.995 * kGoodputBps) << mid / 1e9 << " Gb/s";
  // And the whole incast drains in 64 MiB / goodput plus a few microseconds of start
  // and end (the PFC incast test's 1 % bound).
  Time last;
  for (uint32_t i = 0; i < kSenders; ++i) {
    last = std::max(last, net.outcome(i).sender->finish_time());
  }
  const double drain = kSenders * kFlowBytes * 8.0 / kGoodputBps;
  EXPECT_LE(last.to_seconds(), drain * 1.01);
  // Senders waited for credits (the switch's ingresses were full), and each credit lane
  // counted it; nothing was paused.
  for (uint32_t i = 0; i < kSenders; ++i) {
    const Port& up = net.hosts()[i]->port();
    EXPECT_GT(up.starved_time(3, net.sim().now()), Time::zero()) << i;
    EXPECT_GT(up.counters().credit_rx, 0) << i;
  }
  testing::expect_conservation(net);
}

// The credit loop of the bottleneck (leaf0 -> receiver): the leaf starts a frame
// (83.56 ns at 400 Gbps), it crosses the cable (1 us), the NIC consumes it and at once
// sends a credit frame (84 B, 1.68 ns; it goes ahead of the ACK), which crosses back
// (1 us): T = 2085.24 ns. With credits for k whole frames the leaf can send k frames
// per loop, so the port runs at k x 83.56 / 2085.24 of line rate; the loop's
// bandwidth-delay product is 2085.24 / 83.56 = 25.0 frames.
TEST(CbfcIncast, InsufficientCreditsCapTheBottleneckAtCreditsOverTheLoop) {
  const double frame_ns = kFrame * 8.0 / 400.0;  // 83.56
  const double loop_ns = frame_ns + 2 * 1000.0 + kCreditWireBytes * 8.0 / 400.0;
  const int64_t blocks_per_frame = (kFrame + 63) / 64;  // 66 blocks of 64 B
  for (int frames : {6, 12, 20}) {
    testing::TestFabric tf;
    Network& net = build_incast(tf, Bytes(frames * blocks_per_frame * 64));
    const double rate = bottleneck_rate(net, Time::us(200), Time::us(1000));
    const double expected = frames * frame_ns / loop_ns;  // 0.240, 0.481, 0.801 of line rate
    // 0.5 %: the loop above is exact to the picosecond; what can lengthen it is an ACK
    // the NIC started just before a credit became due (the credit frame then waits
    // 1.72 ns behind it, 0.08 % of the loop) and the start-up of the 800 us window.
    EXPECT_NEAR(rate / kGoodputBps, expected, 0.005 * expected)
        << frames << " frames of credit: " << rate / 1e9 << " Gb/s";
    net.run(Time::ms(200));
    testing::expect_all_delivered(net);
    expect_credit_bounded(net);
    // The receiver's leaf port waited for credits most of the time.
    const Port& out = testing::port_towards(net, "leaf0", "host" + std::to_string(kSenders));
    EXPECT_GT(out.starved_time(3, net.sim().now()), Time::zero());
  }
}

}  // namespace
}  // namespace aifabric
