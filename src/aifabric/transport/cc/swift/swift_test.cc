// Swift's window rule on synthetic RTT samples through a fake CcContext, against the
// Swift paper (Kumar et al., SIGCOMM 2020): Algorithm 1 (additive increase below the
// target, multiplicative decrease above it at most once per RTT, capped by max_mdf;
// pacing below one packet) and section 3.5's target t = base_target + hops x h +
// clamp(alpha / sqrt(cwnd) + beta, 0, fs_range).
#include "aifabric/transport/cc/swift/swift.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <memory>

#include "aifabric/transport/cc/manual_cc_context.h"

namespace aifabric {
namespace {

using FakeCtx = ManualCcContext;

constexpr double kMtu = 4096;

struct Rig {
  SwiftParams p;
  FakeCtx ctx;
  std::unique_ptr<Swift> cc;
  Rig() { make(); }
  void make() { cc = std::make_unique<Swift>(p, BitRate::gbps(400), ctx); }
  void ack(Time at, Time rtt, int hops, int64_t bytes = 4096) {
    ctx.t = at;
    AckEvent a;
    a.rtt = rtt;
    a.hops = hops;
    a.newly_acked_bytes = bytes;
    cc->on_ack(a);
  }
};

// Section 3.5's flow-scaling term from its definition, in picoseconds.
double fs_term(const SwiftParams& p, double cwnd) {
  const double range = static_cast<double>(p.fs_range.ps());
  const double alpha = range / (1 / std::sqrt(p.fs_min_cwnd) - 1 / std::sqrt(p.fs_max_cwnd));
  const double beta = -alpha / std::sqrt(p.fs_max_cwnd);
  return std::clamp(alpha / std::sqrt(cwnd) + beta, 0.0, range);
}

TEST(Swift, TargetGrowsByHPerHopAndAsTheWindowShrinks) {
  Rig r;
  const SwiftParams& p = r.p;
  // Per hop: exactly h more.
  for (int hops = 0; hops < 6; ++hops) {
    EXPECT_EQ(r.cc->target_delay(hops, 10),
              p.base_target + p.h * hops + Time::ps(std::llround(fs_term(p, 10))))
        << hops;
  }
  // At fs_max_cwnd and above, no flow scaling; at fs_min_cwnd and below, all of fs_range.
  EXPECT_EQ(r.cc->target_delay(1, p.fs_max_cwnd), p.base_target + p.h);
  EXPECT_EQ(r.cc->target_delay(1, 5000), p.base_target + p.h);
  EXPECT_EQ(r.cc->target_delay(1, p.fs_min_cwnd), p.base_target + p.h + p.fs_range);
  EXPECT_EQ(r.cc->target_delay(1, 0.001), p.base_target + p.h + p.fs_range);
  // In between the 1/sqrt(cwnd) form: with the defaults (fs_range 20 us, 0.1 .. 100
  // packets) alpha = 20 us / (sqrt(10) - 0.1), so one packet adds 0.9 alpha and four
  // packets 0.4 alpha.
  const double alpha = 20e6 / (std::sqrt(10.0) - 0.1);
  EXPECT_NEAR(r.cc->target_delay(0, 1).ps() - p.base_target.ps(), 0.9 * alpha, 1);
  EXPECT_NEAR(r.cc->target_delay(0, 4).ps() - p.base_target.ps(), 0.4 * alpha, 1);
  for (double c = 0.1; c < 100; c *= 1.5) {
    EXPECT_GT(r.cc->target_delay(2, c), r.cc->target_delay(2, c * 1.5)) << c;
  }
}

TEST(Swift, StartsAtTheLineRateBdpOverTheOneHopTarget) {
  Rig r;
  // 400 Gbps x (4 + 2) us = 300 kB = 73.2 packets of 4096 bytes.
  EXPECT_NEAR(r.cc->cwnd(), 400e9 / 8 * 6e-6 / kMtu, 1e-9);
  EXPECT_EQ(r.cc->window_bytes(), static_cast<int64_t>(r.cc->cwnd() * kMtu));
  EXPECT_EQ(r.cc->rate(), BitRate::gbps(400));  // window-limited, not paced
}

TEST(Swift, BelowTheTargetAdditiveIncreaseOfAiPerWindow) {
  Rig r;
  r.p.initial_cwnd = 20;
  r.make();
  double cwnd = 20;
  // RTT 5 us < target(1 hop, 20 packets) = 6 us + fs: each ACK of one packet adds ai / cwnd.
  for (int i = 0; i < 50; ++i) {
    r.ack(Time::us(i), Time::us(5), 1);
    cwnd += 1.0 / cwnd;
    ASSERT_NEAR(r.cc->cwnd(), cwnd, 1e-9) << i;
  }
  // An ACK of 3 packets adds 3 ai / cwnd.
  r.ack(Time::us(60), Time::us(5), 1, 3 * 4096);
  cwnd += 3.0 / cwnd;
  EXPECT_NEAR(r.cc->cwnd(), cwnd, 1e-9);
}

TEST(Swift, AboveTheTargetOneCutPerRtt) {
  Rig r;
  r.p.initial_cwnd = 20;
  r.make();
  const Time target = r.cc->target_delay(1, 20);
  const Time rtt = target + Time::us(2);
  // cwnd <- cwnd max(1 - beta (rtt - target) / rtt, 1 - max_mdf).
  const double f = std::max(1 - 0.8 * 2e6 / static_cast<double>(rtt.ps()), 0.5);
  r.ack(Time::us(100), rtt, 1);
  double cwnd = 20 * f;
  EXPECT_NEAR(r.cc->cwnd(), cwnd, 1e-9);
  // More ACKs above the target within one RTT of that cut: no further cut (and no
  // increase either).
  for (Time t = Time::us(100); t < Time::us(100) + rtt; t += Time::ns(500)) {
    r.ack(t, rtt, 1);
    ASSERT_NEAR(r.cc->cwnd(), cwnd, 1e-9) << t.ps();
  }
  // One RTT after the cut, the next ACK above the target cuts again (at the target of
  // the smaller window).
  const Time target2 = r.cc->target_delay(1, cwnd);
  ASSERT_LT(target2, rtt);
  r.ack(Time::us(100) + rtt, rtt, 1);
  cwnd *= std::max(
      1 - 0.8 * static_cast<double>((rtt - target2).ps()) / static_cast<double>(rtt.ps()), 0.5);
  EXPECT_NEAR(r.cc->cwnd(), cwnd, 1e-9);
}

TEST(Swift, AGreatDelayCutsByMaxMdfAtMost) {
  Rig r;
  r.p.initial_cwnd = 20;
  r.make();
  // rtt 200 us against a target near 7 us: 1 - 0.8 x 0.97 = 0.23 < 1 - max_mdf = 0.5.
  r.ack(Time::us(10), Time::us(200), 1);
  EXPECT_NEAR(r.cc->cwnd(), 10, 1e-9);
}

TEST(Swift, HopsMoveTheTargetTheAckIsJudgedBy) {
  // The same 9 us RTT is above a one-hop target and below a three-hop one.
  Rig r;
  r.p.initial_cwnd = 100;  // no flow scaling at fs_max_cwnd
  r.make();
  ASSERT_EQ(r.cc->target_delay(1, 100), Time::us(6));
  ASSERT_EQ(r.cc->target_delay(3, 100), Time::us(10));
  r.ack(Time::us(1), Time::us(9), 3);
  EXPECT_NEAR(r.cc->cwnd(), 100 + 1.0 / 100, 1e-9);
  const double before = r.cc->cwnd();
  r.ack(Time::us(2), Time::us(9), 1);
  EXPECT_NEAR(r.cc->cwnd(), before * (1 - 0.8 * 3.0 / 9), 1e-9);
}

TEST(Swift, BelowOnePacketTheSenderPacesOnePacketPerRttOverCwnd) {
  Rig r;
  r.p.initial_cwnd = 0.5;
  r.make();
  r.cc->on_packet_sent(4178);
  // Below the target: additive increase of ai per packet acknowledged (not ai / cwnd).
  r.ack(Time::us(1), Time::us(5), 1, 1024);
  const double cwnd = 0.5 + 1024 / kMtu;
  EXPECT_NEAR(r.cc->cwnd(), cwnd, 1e-9);
  // One packet may fly, and packets leave rtt / cwnd apart: rate = frame x 8 x cwnd / rtt.
  EXPECT_EQ(r.cc->window_bytes(), 4096);
  const double bps = 4178 * 8 * cwnd / 5e-6;
  EXPECT_NEAR(static_cast<double>(r.cc->rate().bits_per_second()), bps, 1);
  EXPECT_NEAR(r.cc->rate().transmit_time(4178).to_seconds(), 5e-6 / cwnd, 1e-12);
}

TEST(Swift, TheWindowStaysWithinMinAndMaxCwnd) {
  Rig r;
  r.p.initial_cwnd = 1;
  r.make();
  // Cut after cut, one RTT apart, the window stops at min_cwnd (0.001 packets).
  Time t = Time::zero();
  for (int i = 0; i < 20; ++i) {
    r.ack(t, Time::us(500), 1);
    t += Time::us(500);
  }
  EXPECT_EQ(r.cc->cwnd(), r.p.min_cwnd);
  Rig q;
  q.p.initial_cwnd = q.p.max_cwnd;
  q.make();
  q.ack(Time::us(1), Time::us(1), 0, 64 * 4096);
  EXPECT_EQ(q.cc->cwnd(), q.p.max_cwnd);
  // Pinned at max_cwnd the window did not decrease, so a cut is not held off.
  q.ack(Time::us(1) + Time::ns(1), Time::us(100), 0);
  EXPECT_LT(q.cc->cwnd(), q.p.max_cwnd);
}

TEST(Swift, BadParametersAreRefused) {
  SwiftParams p;
  p.fs_min_cwnd = p.fs_max_cwnd;
  EXPECT_FALSE(p.validate().is_ok());
  p = SwiftParams{};
  p.min_cwnd = p.max_cwnd + 1;
  EXPECT_FALSE(p.validate().is_ok());
  p = SwiftParams{};
  p.base_target = Time::zero();
  EXPECT_FALSE(p.validate().is_ok());
  EXPECT_TRUE(SwiftParams{}.validate().is_ok());
}

}  // namespace
}  // namespace aifabric
