// DCQCN's reaction point on synthetic CNPs and timers through a fake CcContext with a
// manual clock: the paper's rules (Zhu et al., "Congestion Control for Large-Scale RDMA
// Deployments", SIGCOMM 2015, section 3.1: cut, alpha, fast recovery, additive and hyper
// increase) with dcqcn_paper's keys, and the deployed rules with the defaults (alpha
// set at the first CNP, one alpha step per period, cuts on the check grid, the target
// kept through an episode, timer stages alone: NVIDIA's ConnectX knobs as the ns-3 RDMA
// model of the HPCC repository models them). Every expected value is computed here
// from those rules.
#include "aifabric/transport/cc/dcqcn/dcqcn.h"

#include <gtest/gtest.h>

#include <cmath>
#include <utility>
#include <vector>

#include "aifabric/transport/cc/manual_cc_context.h"

namespace aifabric {
namespace {

using FakeCtx = ManualCcContext;

constexpr double kLine = 400e9;
constexpr uint32_t kDecreaseTag = 0x80000000U;

// The paper's reaction point: dcqcn_paper's defaults.
DcqcnParams paper() {
  return dcqcn_paper_params();
}

struct Rig {
  DcqcnParams p;
  FakeCtx ctx;
  std::unique_ptr<Dcqcn> cc;
  explicit Rig(DcqcnParams params = DcqcnParams()) : p(params) { make(); }
  void make() { cc = std::make_unique<Dcqcn>(p, BitRate::gbps(400), ctx); }
  double rate() const { return static_cast<double>(cc->rate().bits_per_second()); }
  void cnp_at(Time t) {
    ctx.t = t;
    cc->on_cnp();
  }
  // Fires the latest timer the algorithm asked for, at its time.
  void fire() {
    ASSERT_FALSE(ctx.timers.empty());
    ctx.t = ctx.timers.back().first;
    cc->on_timer(ctx.timers.back().second);
  }
  // Fires the latest increase-timer (not a decrease-check) timer.
  void fire_increase() {
    for (auto it = ctx.timers.rbegin(); it != ctx.timers.rend(); ++it) {
      if ((it->second & kDecreaseTag) == 0) {
        ctx.t = it->first;
        cc->on_timer(it->second);
        return;
      }
    }
    FAIL() << "no increase timer";
  }
};

// ---- the paper's reaction point ------------------------------------------------------

TEST(DcqcnPaper, TheFirstCnpHalvesTheRateThenAlphaRises) {
  // Eq. (1): R_T = R_C, R_C = R_C (1 - alpha/2), then alpha = (1 - g) alpha + g, with
  // alpha = 1 at creation: the first cut (at t = 0, no decay yet) is to line / 2.
  Rig r(paper());
  EXPECT_EQ(r.rate(), kLine);
  EXPECT_TRUE(r.ctx.timers.empty());  // no timers at line rate
  r.cnp_at(Time::zero());
  EXPECT_EQ(r.rate(), kLine / 2);
  EXPECT_DOUBLE_EQ(r.cc->alpha(), (1 - r.p.g) * 1.0 + r.p.g);
  EXPECT_EQ(r.cc->target_rate(), kLine);  // clamped to the rate before the cut
  ASSERT_EQ(r.ctx.timers.size(), 1U);
  EXPECT_EQ(r.ctx.timers[0].first, r.p.increase_interval);
}

TEST(DcqcnPaper, AlphaDecaysFromCreationAndTheCutUsesItBeforeItRises) {
  // Eq. (2): without feedback for K, alpha = (1 - g) alpha. A first CNP after k idle
  // intervals cuts with (1 - g)^k, and only then does alpha rise.
  DcqcnParams p = paper();
  p.g = 1.0 / 16;  // a large gain so that the decay shows
  Rig r(p);
  const int k = 18;
  r.cnp_at(r.p.alpha_interval * k + Time::us(1));
  const double g = r.p.g;
  const double before = std::pow(1 - g, k);
  EXPECT_NEAR(r.rate(), kLine * (1 - before / 2), 1.0);
  EXPECT_NEAR(r.cc->alpha(), (1 - g) * before + g, 1e-12);
  // A CNP inside the decrease interval raises alpha without a cut.
  const double a1 = (1 - g) * before + g;
  r.cnp_at(r.p.alpha_interval * k + Time::us(20));
  EXPECT_NEAR(r.cc->alpha(), (1 - g) * a1 + g, 1e-12);
  EXPECT_NEAR(r.rate(), kLine * (1 - before / 2), 1.0);
  // Decay counts whole intervals from the last CNP: 2 intervals minus 1 ns is one.
  const double a2 = (1 - g) * a1 + g;
  const double rc = r.rate();
  r.cnp_at(r.p.alpha_interval * (k + 2) + Time::us(20) - Time::ns(1));
  EXPECT_NEAR(r.rate(), rc * (1 - (1 - g) * a2 / 2), 1.0);
  EXPECT_NEAR(r.cc->alpha(), (1 - g) * ((1 - g) * a2) + g, 1e-12);
}

TEST(DcqcnPaper, DecreaseIntervalSuppressesASecondCutInsideIt) {
  Rig r(paper());
  r.cnp_at(Time::us(10));
  ASSERT_EQ(r.rate(), kLine / 2);
  const size_t timers = r.ctx.timers.size();
  r.cnp_at(Time::us(10) + r.p.decrease_interval - Time::ns(1));
  EXPECT_EQ(r.rate(), kLine / 2);
  EXPECT_EQ(r.ctx.timers.size(), timers);
  // At exactly the interval the cut applies again; alpha has risen twice from 1,
  // (1 - g) + g = 1 each time, so the rate halves.
  r.cnp_at(Time::us(10) + r.p.decrease_interval);
  EXPECT_EQ(r.rate(), kLine / 4);
}

TEST(DcqcnPaper, FFastRecoveryStagesThenAdditiveIncrease) {
  // Two cuts 50 us apart (alpha = 1): clamped, R_T = line / 2 and R_C = line / 4. The
  // paper's F = 5 fast-recovery iterations (eq. (3)): R_C = (R_T + R_C) / 2 with R_T
  // unchanged, on timer stages 1..F; then additive increase (eq. (4)): R_T += R_AI
  // (the byte counter stays at 0 <= F, so never hyper).
  Rig r(paper());
  r.cnp_at(Time::zero());
  r.cnp_at(r.p.decrease_interval);
  double rt = kLine / 2, rc = kLine / 4;
  ASSERT_EQ(r.rate(), rc);
  ASSERT_EQ(r.cc->target_rate(), rt);
  const int64_t f = r.p.fast_recovery_steps;
  const double ai = static_cast<double>(r.p.rate_ai.bits_per_second());
  for (int64_t stage = 1; stage <= f + 3; ++stage) {
    r.fire();
    if (stage > f) rt += ai;
    rc = (rt + rc) / 2;
    ASSERT_NEAR(r.rate(), rc, 2.0) << "stage " << stage;
    ASSERT_NEAR(r.cc->target_rate(), rt, 2.0) << "stage " << stage;
  }
  // After F fast-recovery stages the gap is 1/2^F of what it was: R_T - R_C = line/4/32
  // before the additive stages (checked through the loop's recurrence above).
}

TEST(DcqcnPaper, ByteCounterStagesAndHyperIncrease) {
  // The byte counter is a second stage counter (a stage per B = 10 MB sent). Additive
  // increase once either counter passes F, hyper once both do: R_T += (min(T, BC) - F)
  // R_HAI (the paper's i x R_HAI).
  DcqcnParams p = paper();
  p.min_rate = BitRate::mbps(1);
  Rig r(p);
  r.cnp_at(Time::zero());
  for (int i = 1; i <= 5; ++i) r.cnp_at(r.p.decrease_interval * i);  // deep: rc = line/64
  double rt = r.cc->target_rate(), rc = r.rate();
  const int64_t f = r.p.fast_recovery_steps;
  const double ai = static_cast<double>(r.p.rate_ai.bits_per_second());
  const double hai = static_cast<double>(r.p.rate_hai.bits_per_second());
  int64_t t = 0, bc = 0;
  auto step = [&] {
    const int64_t hi = std::max(t, bc), lo = std::min(t, bc);
    if (hi <= f) {
    } else if (lo > f) {
      rt += static_cast<double>(lo - f) * hai;
    } else {
      rt += ai;
    }
    rt = std::min(rt, kLine);
    rc = (rt + rc) / 2;
  };
  // 4178-byte frames: a byte stage each time the sent bytes pass a multiple of B.
  int64_t sent = 0;
  while (bc < f + 1) {
    r.cc->on_packet_sent(4178);
    sent += 4178;
    if (sent >= r.p.byte_counter.count()) {
      sent -= r.p.byte_counter.count();
      ++bc;
      step();
    }
  }
  ASSERT_NEAR(r.rate(), rc, 4.0);
  for (int i = 0; i < f + 2; ++i) {
    r.fire();
    ++t;
    step();
    ASSERT_NEAR(r.rate(), rc, 4.0) << "timer stage " << t;
  }
  // The last timer stage (T = F + 2, BC = F + 1) was hyper: R_T grew by R_HAI.
  EXPECT_NEAR(r.cc->target_rate(), rt, 4.0);
}

TEST(DcqcnPaper, NeverBelowMinRate) {
  Rig r(paper());
  for (int i = 0; i < 40; ++i) r.cnp_at(r.p.decrease_interval * i);
  EXPECT_EQ(r.rate(), static_cast<double>(r.p.min_rate.bits_per_second()));
}

// ---- the deployed reaction point: the defaults ---------------------------------------

// Fires the pending decrease check (the latest decrease-tagged timer).
void fire_check(Rig& r) {
  for (auto it = r.ctx.timers.rbegin(); it != r.ctx.timers.rend(); ++it) {
    if ((it->second & kDecreaseTag) != 0) {
      r.ctx.t = it->first;
      r.cc->on_timer(it->second);
      return;
    }
  }
  FAIL() << "no decrease check";
}

TEST(DcqcnDeployed, AlphaStartsAtTheFirstCnpAndTheCutComesOneCheckLater) {
  // The first CNP sets alpha = 1 however long the queue pair was idle, and starts the
  // check grid: the cut comes at the first tick, one decrease_interval later, with
  // alpha decayed by the alpha periods in between (the first CNP does not raise it).
  Rig r;
  const Time t0 = Time::ms(3);
  r.cnp_at(t0);
  EXPECT_EQ(r.rate(), kLine);  // no cut yet
  ASSERT_EQ(r.ctx.timers.size(), 1U);
  EXPECT_EQ(r.ctx.timers[0].first, t0 + r.p.decrease_interval);
  fire_check(r);
  const double periods = static_cast<double>(r.p.decrease_interval.ps() / r.p.alpha_interval.ps());
  const double alpha = std::pow(1 - r.p.g, periods);
  EXPECT_NEAR(r.cc->alpha(), alpha, 1e-12);
  EXPECT_NEAR(r.rate(), kLine * (1 - alpha / 2), 1.0);
}

TEST(DcqcnDeployed, CutsComeOnTheCheckGridOncePerTickAndKeepTheTarget) {
  // CNPs between ticks wait for the next tick, which cuts once for all of them. Alpha
  // steps once per alpha_interval: up ((1 - g) a + g) after a period with a CNP, down
  // ((1 - g) a) otherwise. Without clamping, R_T stays at the rate before the episode.
  Rig r;
  const double g = r.p.g;
  const Time d = r.p.decrease_interval;  // 4 us, alpha periods of 1 us
  r.cnp_at(Time::zero());
  r.cnp_at(Time::ns(1500));
  r.cnp_at(Time::ns(2500));
  size_t checks = 0;
  for (const auto& [at, tag] : r.ctx.timers) checks += (tag & kDecreaseTag) != 0 ? 1 : 0;
  EXPECT_EQ(checks, 1U);
  fire_check(r);  // the tick at 4 us
  EXPECT_EQ(r.ctx.t, d);
  // Periods [0,1) (only the first CNP: down), [1,2) up, [2,3) up, [3,4) down.
  double alpha = 1.0;
  alpha = (1 - g) * alpha;
  alpha = (1 - g) * alpha + g;
  alpha = (1 - g) * alpha + g;
  alpha = (1 - g) * alpha;
  EXPECT_NEAR(r.cc->alpha(), alpha, 1e-12);
  double rc = kLine * (1 - alpha / 2);
  EXPECT_NEAR(r.rate(), rc, 1.0);
  // A second episode tick: CNP at 5 us, cut at the 8 us tick; R_T is still line rate.
  r.cnp_at(d + Time::us(1));
  EXPECT_EQ(r.ctx.timers.back().first, d * 2);
  fire_check(r);
  // Periods [4,5) down, [5,6) up, [6,7) down, [7,8) down.
  alpha = (1 - g) * alpha;
  alpha = (1 - g) * alpha + g;
  alpha = (1 - g) * ((1 - g) * alpha);
  rc *= 1 - alpha / 2;
  EXPECT_NEAR(r.rate(), rc, 1.0);
  EXPECT_EQ(r.cc->target_rate(), kLine);  // kept: no increase since the episode began
}

TEST(DcqcnDeployed, ALoneFlowRegainsNinetyFivePercentInTheStagesTheRuleGives) {
  // After one cut to r0 = 1 - alpha/2 of line, with the target kept at line, every
  // timer stage halves the gap to line (fast recovery moves halfway to R_T; the
  // additive and hyper steps only raise R_T, which is capped at line). So after n
  // stages the rate is 1 - (1 - r0) / 2^n of line, and >= 95 % needs
  // n = ceil(log2((1 - r0) / 0.05)) stages: n x RP_TIMER after the cut.
  Rig r;
  r.cnp_at(Time::zero());
  fire_check(r);
  const Time cut_at = r.ctx.t;
  const double r0 = r.rate() / kLine;
  const int n = static_cast<int>(std::ceil(std::log2((1 - r0) / 0.05)));
  ASSERT_EQ(n, 4);  // r0 ~ 0.5: 4 stages, 1.2 ms at 300 us
  for (int i = 1; i < n; ++i) {
    r.fire_increase();
    EXPECT_LT(r.rate(), 0.95 * kLine) << "stage " << i;
  }
  r.fire_increase();
  EXPECT_GE(r.rate(), 0.95 * kLine);
  EXPECT_EQ(r.ctx.t, cut_at + r.p.increase_interval * n);
  EXPECT_NEAR(r.rate(), kLine * (1 - (1 - r0) / std::pow(2, n)), 1e3);
}

TEST(DcqcnDeployed, TimerStagesAloneFastRecoveryThenOneAdditiveThenHyper) {
  // Byte counter off: stages 1..F are fast recovery, F + 1 additive (R_T += R_AI), and
  // every later stage hyper (R_T += R_HAI). A cut after a timer increase clamps R_T to
  // the current rate (clamp_tgt_rate_after_time_inc; the ns-3 model's rule), so the
  // steps show.
  Rig r;
  r.cnp_at(Time::zero());
  fire_check(r);
  r.fire_increase();  // stage 1: fast recovery
  r.cnp_at(r.ctx.t + Time::us(1));
  fire_check(r);  // the next tick cuts
  const double rt0 = r.cc->target_rate();
  ASSERT_LT(rt0, kLine);  // clamped to the rate after the increase
  double rt = rt0, rc = r.rate();
  const int64_t f = r.p.fast_recovery_steps;
  const double ai = static_cast<double>(r.p.rate_ai.bits_per_second());
  const double hai = static_cast<double>(r.p.rate_hai.bits_per_second());
  for (int64_t stage = 1; stage <= f + 3; ++stage) {
    r.fire_increase();
    if (stage == f + 1) rt += ai;
    if (stage > f + 1) rt += hai;
    rc = (rt + rc) / 2;
    ASSERT_NEAR(r.cc->target_rate(), rt, 2.0) << "stage " << stage;
    ASSERT_NEAR(r.rate(), rc, 2.0) << "stage " << stage;
  }
}

TEST(DcqcnDeployed, StaleTimersAreIgnoredAndLineRateStopsThem) {
  Rig r;
  r.cnp_at(Time::zero());
  fire_check(r);
  const auto old = r.ctx.timers.back();  // the increase timer of this cut
  r.fire_increase();
  const double after = r.rate();
  r.ctx.t = old.first + Time::us(1);
  r.cc->on_timer(old.second - 1);  // an older generation
  EXPECT_EQ(r.rate(), after);
  // Back at line rate (within 1e-6) the timer is not re-armed.
  for (int i = 0; i < 40 && r.rate() < kLine; ++i) r.fire_increase();
  EXPECT_EQ(r.rate(), kLine);
  const size_t n = r.ctx.timers.size();
  r.fire_increase();
  EXPECT_EQ(r.ctx.timers.size(), n);
  EXPECT_EQ(r.rate(), kLine);
}

TEST(DcqcnDeployed, RateOnFirstCnp) {
  // rate_to_set_on_first_cnp: both rates are set to it at the first CNP; the cut
  // follows at the first tick.
  DcqcnParams p;
  p.first_cnp_rate = 0.25;  // 100 Gb/s of 400
  Rig r(p);
  r.cnp_at(Time::us(7));
  EXPECT_EQ(r.cc->target_rate(), 100e9);
  EXPECT_EQ(r.rate(), 100e9);
  fire_check(r);
  EXPECT_LT(r.rate(), 100e9);
}

TEST(DcqcnDeployed, TheAckEchoIsTheNotificationUnlessCnpFramesAreChosen) {
  // Default (the ns-3 model): the ACK's ECN echo is the CNP, and receivers send no CNP
  // frames (the registry entry's interval is Time::max()).
  AckEvent marked;
  marked.ecn_echo = true;
  Rig ack;
  ack.ctx.t = Time::us(1);
  ack.cc->on_ack(AckEvent());  // an unmarked ACK: nothing
  EXPECT_TRUE(ack.ctx.timers.empty());
  ack.cc->on_ack(marked);
  ASSERT_EQ(ack.ctx.timers.size(), 1U);  // the first check is armed
  const CcAlgorithm a = dcqcn_algorithm();
  EXPECT_EQ(a.cnp_interval(DcqcnParams()), Time::max());
  // CNP frames: echoes are ignored, receivers send frames at most every cnp_interval.
  DcqcnParams p;
  p.cnp = DcqcnCnp::kFrame;
  Rig frame(p);
  frame.ctx.t = Time::us(1);
  frame.cc->on_ack(marked);
  EXPECT_TRUE(frame.ctx.timers.empty());
  EXPECT_EQ(frame.rate(), kLine);
  EXPECT_EQ(a.cnp_interval(p), p.cnp_interval);
}

TEST(DcqcnDeployed, NeverBelowMinRate) {
  Rig r;
  for (int i = 0; i < 200; ++i) {
    r.cnp_at(r.p.decrease_interval * i + Time::ns(1));
    fire_check(r);
  }
  EXPECT_EQ(r.rate(), static_cast<double>(r.p.min_rate.bits_per_second()));
}

}  // namespace
}  // namespace aifabric
