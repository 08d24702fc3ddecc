// HPCC's reaction point on synthetic INT feedback, against Algorithm 1 of Li et al.,
// "HPCC: High Precision Congestion Control", SIGCOMM 2019: per-hop normalised inflight
// u = min(qlen, qlen') / (B T) + txRate / B, the max over hops smoothed by tau / T,
// W = W_c / (U / eta) + W_AI or W_c + W_AI, W_c updated once per RTT, R = W / T.
// Expected values are computed here from those formulas; the tolerances are floating
// point only (1e-9 relative), since the code and the test do the same arithmetic.
#include "aifabric/transport/cc/hpcc/hpcc.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <vector>

#include "aifabric/transport/cc/manual_cc_context.h"

namespace aifabric {
namespace {

using FakeCtx = ManualCcContext;

constexpr double kLineBps = 400e9;

// Per-hop feedback for one ACK: the hop's tx rate as a fraction of its link rate over
// the interval since the previous ACK, and its queue length now.
struct HopLoad {
  double tx_frac;
  int64_t qlen;
  double rate_bps = kLineBps;
};

// Switch ports as the stamps describe them: each hop's time and tx counter move on.
struct Rig {
  HpccParams p;
  FakeCtx ctx;
  std::unique_ptr<Hpcc> cc;
  std::vector<IntHop> hops;
  uint64_t acked = 0, sent = 0;
  Rig() { make(); }
  void make() { cc = std::make_unique<Hpcc>(p, BitRate::gbps(400), ctx); }
  double t() const { return p.base_rtt.to_seconds(); }
  double w_init() const { return kLineBps / 8 * t(); }
  // One ACK whose stack says every hop ran at `load` over the last `dt`. `acked` and
  // `sent` are this ACK's cumulative point and the sender's snd_nxt.
  void ack(const std::vector<HopLoad>& load, Time dt, uint64_t acked_to, uint64_t sent_to) {
    if (hops.size() != load.size()) hops.assign(load.size(), IntHop{});
    IntStack s;
    for (size_t i = 0; i < load.size(); ++i) {
      IntHop& h = hops[i];
      h.ts += dt;
      h.tx_bytes += std::llround(load[i].tx_frac * load[i].rate_bps / 8 * dt.to_seconds());
      h.qlen = load[i].qlen;
      h.rate_bps = static_cast<int64_t>(load[i].rate_bps);
      s.push(h);
    }
    acked = acked_to;
    sent = sent_to;
    cc->on_int_ack(IntAckEvent{s, acked, sent, p.base_rtt});
  }
};

void expect_rel(double actual, double expected) {
  EXPECT_NEAR(actual, expected, std::abs(expected) * 1e-9 + 1e-9);
}

TEST(Hpcc, StartsAtLineRateWithTheBdpWindowAndThePapersAdditiveStep) {
  Rig r;
  expect_rel(r.cc->window(), r.w_init());
  expect_rel(static_cast<double>(r.cc->rate().bits_per_second()), kLineBps);
  EXPECT_EQ(r.cc->window_bytes(), std::llround(r.w_init()));
  // W_AI = W_init (1 - eta) / N.
  expect_rel(r.cc->w_ai(), r.w_init() * (1 - 0.95) / 125);
  r.p.w_ai = Bytes(1000);
  r.make();
  expect_rel(r.cc->w_ai(), 1000);
  r.p.window = false;
  r.make();
  EXPECT_EQ(r.cc->window_bytes(), 0);
}

TEST(Hpcc, TheFirstAckOnlyBecomesTheReference) {
  Rig r;
  r.ack({{3.0, 1'000'000}}, Time::us(5), 4096, 100'000);
  expect_rel(r.cc->window(), r.w_init());
  EXPECT_EQ(r.cc->utilisation(), 1.0);
}

TEST(Hpcc, AboveEtaTheWindowIsCutMultiplicatively) {
  Rig r;
  r.ack({{1, 0}}, Time::us(1), 0, 10'000);
  // tau = T: U = u. Load 1.9 x line with no standing queue.
  r.ack({{1.9, 0}}, r.p.base_rtt, 20'000, 40'000);
  const double u = 1.9;
  expect_rel(r.cc->utilisation(), u);
  const double w = r.w_init() / (u / 0.95) + r.cc->w_ai();
  expect_rel(r.cc->window(), w);
  expect_rel(r.cc->reference_window(), w);
  EXPECT_EQ(r.cc->stage(), 0);
  // R = W / T.
  // The rate is whole bits per second, truncated.
  EXPECT_NEAR(static_cast<double>(r.cc->rate().bits_per_second()), w * 8 / r.t(), 2.0);
  EXPECT_EQ(r.cc->window_bytes(), std::llround(w));
}

TEST(Hpcc, TheQueueTermTakesTheSmallerOfTwoConsecutiveQueueLengths) {
  Rig r;
  r.ack({{0, 0}}, Time::us(1), 0, 10'000);
  // The queue appears: min(500 KB, 0) = 0, only the tx rate counts.
  r.ack({{0.5, 500'000}}, r.p.base_rtt, 20'000, 40'000);
  expect_rel(r.cc->utilisation(), 0.5);
  // It stays: the queue term min(500 KB, 400 KB) / (B T) adds to the tx rate.
  r.ack({{1.0, 400'000}}, r.p.base_rtt, 50'000, 80'000);
  expect_rel(r.cc->utilisation(), 1.0 + 400'000 / (kLineBps / 8 * r.t()));
}

TEST(Hpcc, TheMostLoadedHopDecides) {
  Rig r;
  r.ack({{0, 0}, {0, 0}, {0, 0}}, Time::us(1), 0, 10'000);
  // Hop 1 runs on a 100 Gbps link: its normalisation is by its own rate.
  r.ack({{0.3, 0}, {1.6, 0, 100e9}, {0.9, 0}}, r.p.base_rtt, 20'000, 40'000);
  expect_rel(r.cc->utilisation(), 1.6);
  expect_rel(r.cc->window(), r.w_init() / (1.6 / 0.95) + r.cc->w_ai());
}

TEST(Hpcc, UtilisationIsSmoothedByTheIntervalTheFeedbackSpans) {
  Rig r;
  r.ack({{0, 0}}, Time::us(1), 0, 10'000);
  r.ack({{2.0, 0}}, r.p.base_rtt, 20'000, 40'000);  // U = 2 (tau = T)
  // tau = T / 4: U = (1 - 1/4) x 2 + 1/4 x 0.4.
  const Time quarter = Time::ps(r.p.base_rtt.ps() / 4);
  r.ack({{0.4, 0}}, quarter, 30'000, 50'000);
  const double frac = static_cast<double>(quarter.ps()) / static_cast<double>(r.p.base_rtt.ps());
  expect_rel(r.cc->utilisation(), (1 - frac) * 2.0 + frac * 0.4);
}

TEST(Hpcc, AdditiveStepsUpToMaxStageThenAMultiplicativeOne) {
  Rig r;
  r.ack({{0, 0}}, Time::us(1), 0, 10'000);
  r.ack({{1.9, 0}}, r.p.base_rtt, 20'000, 40'000);  // W_c = W_init / 2 + W_AI
  double wc = r.w_init() / (1.9 / 0.95) + r.cc->w_ai();
  expect_rel(r.cc->reference_window(), wc);
  uint64_t seq = 40'000;
  // U = 0.5 < eta: max_stage (5) additive steps, one per RTT (each ACK passes the
  // previous update's snd_nxt).
  for (int step = 1; step <= 5; ++step) {
    r.ack({{0.5, 0}}, r.p.base_rtt, seq + 1, seq + 30'000);
    seq += 30'000;
    wc += r.cc->w_ai();
    expect_rel(r.cc->reference_window(), wc);
    expect_rel(r.cc->window(), wc);
    EXPECT_EQ(r.cc->stage(), step);
  }
  // Stage 5 = max_stage: even below eta the next update is multiplicative.
  r.ack({{0.5, 0}}, r.p.base_rtt, seq + 1, seq + 30'000);
  wc = std::min(wc / (0.5 / 0.95) + r.cc->w_ai(), r.w_init());
  expect_rel(r.cc->reference_window(), wc);
  EXPECT_EQ(r.cc->stage(), 0);
}

TEST(Hpcc, TheReferenceWindowMovesOncePerRttEveryAckReacts) {
  Rig r;
  r.ack({{0, 0}}, Time::us(1), 0, 100'000);  // reference update point: snd_nxt 100000
  // acked 50000 <= 100000: fast reaction from W_c, W_c and the stage stay.
  r.ack({{1.9, 0}}, r.p.base_rtt, 50'000, 150'000);
  const double w_fast = r.w_init() / (1.9 / 0.95) + r.cc->w_ai();
  expect_rel(r.cc->window(), w_fast);
  expect_rel(r.cc->reference_window(), r.w_init());
  // Still inside the RTT, feedback at 1.2: W is again computed from the unchanged W_c.
  r.ack({{1.2, 0}}, r.p.base_rtt, 90'000, 160'000);
  expect_rel(r.cc->window(), r.w_init() / (1.2 / 0.95) + r.cc->w_ai());
  expect_rel(r.cc->reference_window(), r.w_init());
  // Past 100000: the full update moves W_c; the next one waits for 170000, the
  // snd_nxt of this update.
  r.ack({{1.2, 0}}, r.p.base_rtt, 100'001, 170'000);
  const double wc = r.w_init() / (1.2 / 0.95) + r.cc->w_ai();
  expect_rel(r.cc->reference_window(), wc);
  r.ack({{1.9, 0}}, r.p.base_rtt, 170'000, 180'000);
  expect_rel(r.cc->reference_window(), wc);
  expect_rel(r.cc->window(), wc / (1.9 / 0.95) + r.cc->w_ai());
  r.ack({{1.9, 0}}, r.p.base_rtt, 170'001, 200'000);
  expect_rel(r.cc->reference_window(), wc / (1.9 / 0.95) + r.cc->w_ai());
}

TEST(Hpcc, WithoutFastReactionOnlyTheOncePerRttUpdateActs) {
  Rig r;
  r.p.fast_react = false;
  r.make();
  r.ack({{0, 0}}, Time::us(1), 0, 100'000);
  r.ack({{1.9, 0}}, r.p.base_rtt, 50'000, 150'000);
  expect_rel(r.cc->window(), r.w_init());
  EXPECT_EQ(r.cc->utilisation(), 1.0);
  // The update measures over the whole interval since the reference (2 T here).
  r.ack({{1.9, 0}}, r.p.base_rtt, 100'001, 150'000);
  expect_rel(r.cc->utilisation(), 1.9);
  expect_rel(r.cc->window(), r.w_init() / (1.9 / 0.95) + r.cc->w_ai());
}

TEST(Hpcc, AnOverflowedStackIsIgnoredAndBadParametersAreRefused) {
  Rig r;
  r.ack({{0, 0}}, Time::us(1), 0, 10'000);
  IntStack s;
  for (int i = 0; i <= kMaxIntHops; ++i) s.push(IntHop{Time::us(100), 1'000'000'000, 0, 1});
  EXPECT_TRUE(s.overflow);
  r.cc->on_int_ack(IntAckEvent{s, 20'000, 30'000, r.p.base_rtt});
  expect_rel(r.cc->window(), r.w_init());
  HpccParams bad;
  bad.base_rtt = Time::zero();
  EXPECT_FALSE(bad.validate());
}

}  // namespace
}  // namespace aifabric
