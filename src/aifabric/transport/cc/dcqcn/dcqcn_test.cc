// DCQCN's reaction point on synthetic CNPs and timers through a fake CcContext with a
// manual clock, against the equations of Zhu et al., "Congestion Control for
// Large-Scale RDMA Deployments", SIGCOMM 2015, section 3.1 (cut, alpha, recovery).
#include "aifabric/transport/cc/dcqcn/dcqcn.h"

#include <gtest/gtest.h>

#include <cmath>
#include <utility>
#include <vector>

namespace aifabric {
namespace {

// A clock the test moves by hand, and a record of the timers asked for.
struct FakeCtx final : CcContext {
  Time t;
  std::vector<std::pair<Time, uint32_t>> timers;
  Time now() const override { return t; }
  Bytes mtu() const override { return Bytes(4096); }
  void set_timer(Time at, uint32_t tag) override { timers.emplace_back(at, tag); }
};

constexpr double kLine = 400e9;

struct Rig {
  DcqcnParams p;
  FakeCtx ctx;
  std::unique_ptr<Dcqcn> cc;
  Rig() { make(); }
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
};

TEST(DcqcnReactionPoint, StartsAtLineRateAndTheFirstCnpHalvesIt) {
  // Paper eq. (1): R_T = R_C, R_C = R_C (1 - alpha/2), alpha = (1 - g) alpha + g, with
  // alpha starting at 1. At line rate and alpha = 1 the first cut is to line / 2, and
  // alpha stays (1 - g) + g = 1.
  Rig r;
  EXPECT_EQ(r.rate(), kLine);
  EXPECT_EQ(r.cc->alpha(), 1.0);
  EXPECT_TRUE(r.ctx.timers.empty());  // no timers at line rate
  r.cnp_at(Time::zero());
  EXPECT_EQ(r.rate(), kLine * (1 - 1.0 / 2));
  EXPECT_DOUBLE_EQ(r.cc->alpha(), (1 - r.p.g) * 1.0 + r.p.g);
  // The rate-increase timer starts: one timer, increase_interval (T = 55 us) ahead.
  ASSERT_EQ(r.ctx.timers.size(), 1U);
  EXPECT_EQ(r.ctx.timers[0].first, r.p.increase_interval);
}

TEST(DcqcnReactionPoint, AlphaAlreadyDecaysBeforeTheFirstCnp) {
  // What the code does today (see the report): alpha decays from the queue pair's
  // creation, so a first CNP after k idle intervals cuts by ((1-g)^(k+1) + g) / 2
  // instead of 1/2. The paper starts alpha at 1, and the HPCC ns-3 model sets it to 1
  // on the first CNP.
  Rig r;
  r.p.g = 1.0 / 16;
  r.make();
  const int k = 18;  // ~1 ms at 55 us per interval
  r.cnp_at(r.p.alpha_interval * k + Time::us(1));
  const double g = r.p.g;
  const double alpha = (1 - g) * std::pow(1 - g, k) + g;
  EXPECT_NEAR(r.cc->alpha(), alpha, 1e-12);
  EXPECT_NEAR(r.rate(), kLine * (1 - alpha / 2), 1.0);
}

TEST(DcqcnReactionPoint, DecreaseIntervalSuppressesASecondCutInsideIt) {
  Rig r;
  r.cnp_at(Time::us(10));
  const double after_first = kLine / 2;
  ASSERT_EQ(r.rate(), after_first);
  // 49.999 us later: inside the 50 us decrease interval, no cut and no new timer.
  r.cnp_at(Time::us(10) + r.p.decrease_interval - Time::ns(1));
  EXPECT_EQ(r.rate(), after_first);
  EXPECT_EQ(r.ctx.timers.size(), 1U);
  // At exactly 50 us the cut applies again: alpha is still 1 (less than one alpha
  // interval since the last CNP), so the rate halves again.
  r.cnp_at(Time::us(10) + r.p.decrease_interval);
  EXPECT_EQ(r.rate(), after_first / 2);
  EXPECT_EQ(r.ctx.timers.size(), 2U);
}

TEST(DcqcnReactionPoint, AlphaDecaysByOneMinusGPerIntervalWithoutCnp) {
  // Paper eq. (2): without feedback for K (alpha_interval = 55 us), alpha = (1 - g)
  // alpha. aifabric applies the decays of the intervals that passed when the next CNP
  // arrives, then that CNP's update (1 - g) alpha + g, then the cut with the updated
  // alpha (see the report: the paper's eq. (1) lists the cut before the update).
  Rig r;
  r.p.g = 1.0 / 16;  // a large gain so that the decay shows in a few intervals
  r.make();
  const double g = r.p.g;
  r.cnp_at(Time::zero());  // alpha = 1, rate line / 2
  const double rc = kLine / 2;
  // 10 whole intervals and a bit without CNPs.
  const int k = 10;
  r.cnp_at(r.p.alpha_interval * k + Time::us(3));
  const double decayed = std::pow(1 - g, k);
  const double alpha = (1 - g) * decayed + g;
  EXPECT_NEAR(r.cc->alpha(), alpha, 1e-12);
  EXPECT_NEAR(r.rate(), rc * (1 - alpha / 2), 1.0);
  // A CNP inside the decrease interval still updates alpha (no cut): less than one
  // interval later, no decay, just (1 - g) alpha + g.
  r.cnp_at(r.p.alpha_interval * k + Time::us(20));
  EXPECT_NEAR(r.cc->alpha(), (1 - g) * alpha + g, 1e-12);
  EXPECT_NEAR(r.rate(), rc * (1 - alpha / 2), 1.0);
  // Decay counts whole intervals from the last CNP: 2 intervals minus 1 ns is one.
  const double a2 = (1 - g) * alpha + g;
  r.cnp_at(r.p.alpha_interval * (k + 2) + Time::us(20) - Time::ns(1));
  EXPECT_NEAR(r.cc->alpha(), (1 - g) * ((1 - g) * a2) + g, 1e-12);
}

TEST(DcqcnReactionPoint, FastRecoveryHalvesTheGapThenAdditiveIncrease) {
  // Two cuts 50 us apart (alpha = 1 both times): R_T = line / 2 and R_C = line / 4.
  // Each timer event is a stage. Fast recovery (paper eq. (3)): R_C = (R_T + R_C) / 2.
  // Additive increase (eq. (4)): R_T += R_AI, then R_C = (R_T + R_C) / 2. aifabric
  // counts the stage before choosing the phase, so timer stages 1 .. F-1 are fast
  // recovery and stage F is the first additive increase (see the report: the paper's
  // F = 5 fast-recovery iterations, and the HPCC ns-3 model, give F such stages).
  Rig r;
  r.cnp_at(Time::zero());
  r.cnp_at(r.p.decrease_interval);
  double rt = kLine / 2, rc = kLine / 4;
  ASSERT_EQ(r.rate(), rc);
  const int64_t f = r.p.fast_recovery_steps;
  ASSERT_EQ(f, 5);
  const double ai = static_cast<double>(r.p.rate_ai.bits_per_second());
  for (int64_t stage = 1; stage <= f + 3; ++stage) {
    const size_t timers_before = r.ctx.timers.size();
    r.fire();
    if (stage >= f) rt += ai;  // additive increase (min(T, BC) = 0 <= F: never hyper)
    rc = (rt + rc) / 2;
    EXPECT_NEAR(r.rate(), rc, 1.0) << "stage " << stage;
    // Still below line rate: the timer re-arms T later with the same tag.
    ASSERT_EQ(r.ctx.timers.size(), timers_before + 1);
    EXPECT_EQ(r.ctx.timers.back().first, r.ctx.t + r.p.increase_interval);
  }
  // Fast recovery alone (4 stages) brings the rate to 1/16 of the gap below R_T.
  // Spot-check stage values against the closed form: after n fast-recovery stages
  // R_C = R_T - (R_T - R_C0) / 2^n.
  Rig q;
  q.cnp_at(Time::zero());
  q.cnp_at(q.p.decrease_interval);
  for (int n = 1; n < f; ++n) {
    q.fire();
    EXPECT_NEAR(q.rate(), kLine / 2 - (kLine / 4) / std::pow(2.0, n), 1.0) << n;
  }
}

TEST(DcqcnReactionPoint, StaleTimersAreIgnored) {
  // A new cut restarts the timer with a new tag; the old one, when it fires, does
  // nothing.
  Rig r;
  r.cnp_at(Time::zero());
  const auto old = r.ctx.timers.back();
  r.cnp_at(r.p.decrease_interval);
  const double rc = r.rate();
  r.ctx.t = old.first;
  r.cc->on_timer(old.second);
  EXPECT_EQ(r.rate(), rc);
  EXPECT_EQ(r.ctx.timers.size(), 2U);
}

TEST(DcqcnReactionPoint, ByteCounterStagesAndHyperIncrease) {
  // The byte counter is a second stage counter (one stage per B = 10 MB sent). Once
  // both counters are past F the increase is hyper: R_T += (min(T, BC) - F) R_HAI (the
  // paper's i x R_HAI). Drive BC to F + 1 with bytes, then T to F + 2 with timers.
  Rig r;
  r.cnp_at(Time::zero());
  r.cnp_at(r.p.decrease_interval);
  double rt = kLine / 2, rc = kLine / 4;
  const int64_t f = r.p.fast_recovery_steps;
  const double ai = static_cast<double>(r.p.rate_ai.bits_per_second());
  const double hai = static_cast<double>(r.p.rate_hai.bits_per_second());
  const int64_t b = r.p.byte_counter.count();
  int64_t t_stage = 0, b_stage = 0;
  auto step = [&] {
    if (std::max(t_stage, b_stage) < f) {
      // fast recovery
    } else if (std::min(t_stage, b_stage) > f) {
      rt += static_cast<double>(std::min(t_stage, b_stage) - f) * hai;
    } else {
      rt += ai;
    }
    rt = std::min(rt, kLine);
    rc = (rt + rc) / 2;
  };
  // 4178-byte frames: a stage each time the sent bytes pass a multiple of B.
  int64_t sent = 0;
  while (b_stage < f + 1) {
    r.cc->on_packet_sent(4178);
    sent += 4178;
    if (sent >= b) {
      sent -= b;
      ++b_stage;
      step();
      EXPECT_NEAR(r.rate(), rc, 1.0) << "byte stage " << b_stage;
    }
  }
  for (int i = 0; i < static_cast<int>(f) + 2; ++i) {
    r.fire();
    ++t_stage;
    step();
    EXPECT_NEAR(r.rate(), rc, 1.0) << "timer stage " << t_stage;
  }
  // The last two timer stages were hyper increases (T = F + 1, F + 2 with BC = F + 1).
  EXPECT_GT(rt, kLine / 2 + hai);
}

TEST(DcqcnReactionPoint, BackAtLineRateTheTimersStop) {
  // After one cut R_T = line; every stage halves the gap (the additive step is capped
  // at line). The rate snaps to line once within 1e-6 of it: the gap line/2 / 2^n
  // falls below 1e-6 line for n >= log2(5e5) = 18.9, so at stage 19, and from then on
  // no timer is re-armed and sent bytes no longer count.
  Rig r;
  r.cnp_at(Time::zero());
  const int stages = static_cast<int>(std::ceil(std::log2(0.5 / 1e-6)));
  ASSERT_EQ(stages, 19);
  for (int n = 1; n <= stages; ++n) {
    const size_t before = r.ctx.timers.size();
    r.fire();
    if (n < stages) {
      EXPECT_LT(r.rate(), kLine) << n;
      EXPECT_EQ(r.ctx.timers.size(), before + 1) << n;
    } else {
      EXPECT_EQ(r.rate(), kLine);
      EXPECT_EQ(r.ctx.timers.size(), before) << "a timer re-armed at line rate";
    }
  }
  // Firing the last timer again, or sending lots of bytes, changes nothing.
  const size_t n = r.ctx.timers.size();
  r.fire();
  for (int i = 0; i < 10'000; ++i) r.cc->on_packet_sent(4178);
  EXPECT_EQ(r.rate(), kLine);
  EXPECT_EQ(r.ctx.timers.size(), n);
  // The next CNP starts over from line rate.
  r.cnp_at(r.ctx.t + Time::ms(1));
  EXPECT_LT(r.rate(), kLine);
  EXPECT_EQ(r.ctx.timers.size(), n + 1);
}

TEST(DcqcnReactionPoint, NeverBelowMinRate) {
  Rig r;
  for (int i = 0; i < 40; ++i) r.cnp_at(r.p.decrease_interval * i);
  EXPECT_EQ(r.rate(), static_cast<double>(r.p.min_rate.bits_per_second()));
}

}  // namespace
}  // namespace aifabric
