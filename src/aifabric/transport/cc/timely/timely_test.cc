// Timely's rate rule on synthetic RTT samples through a fake CcContext, against the
// Timely paper's Algorithm 1 (Mittal et al., SIGCOMM 2015): EWMA of RTT differences,
// gradient normalised by the min RTT, T_low / T_high regions, additive increase delta,
// hyperactive increase N x delta after N non-positive gradients, decrease by beta.
#include "aifabric/transport/cc/timely/timely.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>

#include "aifabric/transport/cc/manual_cc_context.h"

namespace aifabric {
namespace {

using FakeCtx = ManualCcContext;

// The paper's 10 GbE line rate, where its parameter values were chosen.
constexpr double kLine = 10e9;

struct Rig {
  TimelyParams p;
  FakeCtx ctx;
  std::unique_ptr<Timely> cc;
  Rig() { make(); }
  void make() { cc = std::make_unique<Timely>(p, BitRate::gbps(10), ctx); }
  double rate() const { return static_cast<double>(cc->rate().bits_per_second()); }
  // One completion event (the default: one per RTT): one RTT later, the ACK of a packet
  // sent at the last event, with this RTT.
  void event(Time rtt) {
    ctx.t += rtt;
    ack(rtt, 4096);
  }
  void ack(Time rtt, int64_t bytes) {
    AckEvent a;
    a.rtt = rtt;
    a.newly_acked_bytes = bytes;
    cc->on_ack(a);
  }
  double delta() const { return static_cast<double>(p.delta.bits_per_second()); }
};

double us(double v) {
  return v * 1e6;
}  // microseconds in picoseconds

TEST(Timely, AboveTHighCutsByBetaTimesTheExcessWhateverTheGradient) {
  // rate <- rate (1 - beta (1 - T_high / rtt)); the first sample has no gradient.
  Rig r;
  EXPECT_EQ(r.rate(), kLine);
  r.event(Time::us(1000));
  const double r1 = kLine * (1 - 0.8 * (1 - 500.0 / 1000));
  EXPECT_NEAR(r.rate(), r1, 1);
  // A falling RTT still above T_high (negative gradient) is cut again.
  r.event(Time::us(800));
  EXPECT_LT(r.cc->rtt_diff_ps(), 0);
  EXPECT_NEAR(r.rate(), r1 * (1 - 0.8 * (1 - 500.0 / 800)), 1);
}

TEST(Timely, BelowTLowAddsDeltaWhateverTheGradient) {
  Rig r;
  r.event(Time::us(1000));  // cut below line rate first
  const double r1 = r.rate();
  // RTT rising but below T_low = 50 us: + delta; and again.
  r.event(Time::us(30));
  EXPECT_NEAR(r.rate(), r1 + r.delta(), 1);
  r.event(Time::us(45));
  EXPECT_NEAR(r.rate(), r1 + 2 * r.delta(), 1);
  EXPECT_EQ(r.cc->negative_gradients(), 0);  // the low region does not count toward HAI
}

TEST(Timely, FallingRttAddsDeltaThenHyperactiveIncreaseAfterNEvents) {
  // In [T_low, T_high] with min RTT fixed at the paper's 20 us.
  Rig r;
  r.p.min_rtt = Time::us(20);
  r.make();
  r.event(Time::us(600));  // rtt_diff = 0; cut to line (1 - 0.8 (1 - 500/600))
  double rate = kLine * (1 - 0.8 * (1 - 500.0 / 600));
  ASSERT_NEAR(r.rate(), rate, 1);
  // 100 us after 600 us: new diff -500 us, rtt_diff = 0.125 x 0 + 0.875 x -500 us.
  double diff = 0.875 * us(-500);
  r.event(Time::us(100));
  EXPECT_NEAR(r.cc->rtt_diff_ps(), diff, 1e-3);
  rate += r.delta();
  EXPECT_NEAR(r.rate(), rate, 1);
  // Flat RTT: new diff 0, rtt_diff decays by (1 - alpha) but stays negative: + delta
  // for events 2..4, and from the 5th (N = 5) on + 5 delta.
  for (int event = 2; event <= 7; ++event) {
    r.event(Time::us(100));
    diff *= 1 - 0.875;
    EXPECT_NEAR(r.cc->rtt_diff_ps(), diff, 1e-3) << event;
    EXPECT_EQ(r.cc->negative_gradients(), event);
    rate += event >= 5 ? 5 * r.delta() : r.delta();
    EXPECT_NEAR(r.rate(), rate, 1) << event;
  }
}

TEST(Timely, RisingRttInTheGradientRegionCutsByBetaTimesTheNormalisedGradient) {
  Rig r;
  r.p.min_rtt = Time::us(20);
  r.make();
  r.event(Time::us(600));
  r.event(Time::us(100));
  double diff = 0.875 * us(-500);
  double rate = kLine * (1 - 0.8 * (1 - 500.0 / 600)) + r.delta();
  for (int i = 0; i < 3; ++i) {
    r.event(Time::us(100));
    diff *= 0.125;
    rate += r.delta();
  }
  ASSERT_EQ(r.cc->negative_gradients(), 4);
  ASSERT_NEAR(r.rate(), rate, 1);
  // +4 us: new diff 4 us, rtt_diff = 0.125 diff + 0.875 x 4 us > 0, gradient =
  // rtt_diff / 20 us; rate <- rate (1 - 0.8 gradient), and the HAI count restarts.
  r.event(Time::us(104));
  diff = 0.125 * diff + 0.875 * us(4);
  ASSERT_GT(diff, 0);
  const double gradient = diff / us(20);
  rate *= 1 - 0.8 * gradient;
  EXPECT_NEAR(r.cc->rtt_diff_ps(), diff, 1e-3);
  EXPECT_NEAR(r.rate(), rate, 1);
  EXPECT_EQ(r.cc->negative_gradients(), 0);
  // The next flat sample: new diff 0, rtt_diff = 0.125 diff, still positive: a smaller cut.
  r.event(Time::us(104));
  diff *= 0.125;
  rate *= 1 - 0.8 * diff / us(20);
  EXPECT_NEAR(r.rate(), rate, 1);
}

TEST(Timely, MeasuredMinRttNormalisesTheGradient) {
  // min_rtt 0: the smallest RTT sample so far (the propagation RTT of an idle path).
  Rig r;
  r.event(Time::us(1000));
  r.event(Time::us(40));  // below T_low; the smallest sample
  EXPECT_EQ(r.cc->min_rtt(), Time::us(40));
  double diff = 0.875 * us(40 - 1000);
  double rate = kLine * 0.6 + r.delta();
  ASSERT_NEAR(r.rate(), rate, 1);
  // Up to 60 us, then 75 us: positive gradient only at the second (EWMA memory).
  r.event(Time::us(60));
  diff = 0.125 * diff + 0.875 * us(20);
  ASSERT_LT(diff, 0);
  rate += r.delta();
  EXPECT_NEAR(r.rate(), rate, 1);
  r.event(Time::us(75));
  diff = 0.125 * diff + 0.875 * us(15);
  ASSERT_GT(diff, 0);
  rate *= 1 - 0.8 * diff / us(40);
  EXPECT_NEAR(r.rate(), rate, 1);
  EXPECT_EQ(r.cc->min_rtt(), Time::us(40));
}

TEST(Timely, OneUpdatePerRttByDefault) {
  Rig r;
  r.event(Time::us(1000));  // at t = 1 ms
  const double r1 = r.rate();
  // ACKs of packets sent before that update (arrival - rtt < 1 ms) are no events.
  for (int i = 1; i < 10; ++i) {
    r.ctx.t = Time::ms(1) + Time::us(i);
    r.ack(Time::us(10), 4096);
    ASSERT_EQ(r.rate(), r1) << i;
  }
  // The ACK of a packet sent at the update is the next event.
  r.ctx.t = Time::ms(1) + Time::us(10);
  r.ack(Time::us(10), 4096);
  EXPECT_NEAR(r.rate(), r1 + r.delta(), 1);
}

TEST(Timely, OrOneUpdatePerSegmentOfAcknowledgedBytes) {
  Rig r;
  r.p.segment = Bytes(65536);
  r.make();
  r.ack(Time::us(1000), 65536);
  const double r1 = r.rate();
  ASSERT_LT(r1, kLine);
  // 15 ACKs of 4096 bytes = 61440 < 64 KiB: no completion event yet, however late.
  for (int i = 0; i < 15; ++i) {
    r.ctx.t += Time::ms(1);
    r.ack(Time::us(10), 4096);
  }
  EXPECT_EQ(r.rate(), r1);
  r.ack(Time::us(10), 4096);  // the 16th completes the segment
  EXPECT_NEAR(r.rate(), r1 + r.delta(), 1);
}

TEST(Timely, RateStaysWithinMinRateAndLineRate) {
  Rig r;
  r.p.min_rtt = Time::us(20);
  r.make();
  for (int i = 0; i < 200; ++i) r.event(Time::us(10));  // always + delta: capped at line
  EXPECT_EQ(r.rate(), kLine);
  r.event(Time::us(100));
  r.event(Time::us(400));  // gradient 0.875 x 300 / 20 >> 1: floor
  EXPECT_EQ(r.rate(), static_cast<double>(r.p.min_rate.bits_per_second()));
}

TEST(Timely, BadParametersAreRefused) {
  TimelyParams p;
  p.t_high = p.t_low;
  EXPECT_FALSE(p.validate().is_ok());
  p = TimelyParams{};
  p.segment = Bytes(-1);
  EXPECT_FALSE(p.validate().is_ok());
  EXPECT_TRUE(TimelyParams{}.validate().is_ok());
}

}  // namespace
}  // namespace aifabric
