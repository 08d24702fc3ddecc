#include "aifabric/transport/cc/dcqcn/dcqcn.h"

#include <algorithm>
#include <cmath>

namespace aifabric {

Dcqcn::Dcqcn(const DcqcnParams& p, BitRate line, CcContext& ctx)
    : p_(p),
      ctx_(ctx),
      line_(static_cast<double>(line.bits_per_second())),
      rc_(line_),
      rt_(line_),
      alpha_(p.initial_alpha),
      alpha_at_(ctx.now()) {}

// Alpha as a periodic timer would have left it at `now`, without an event per period
// per queue pair: the periods that ended since alpha_at_ are applied at once. Timer
// rule: the first of them goes up if a CNP came in it, every other one goes down.
// Per-CNP rule: every period without a CNP goes down (a CNP restarts the period).
void Dcqcn::advance_alpha(Time now) {
  if (!alpha_running()) return;
  const int64_t periods = (now - alpha_at_).ps() / p_.alpha_interval.ps();
  if (periods <= 0) return;
  int64_t down = periods;
  if (p_.alpha_update == DcqcnAlphaUpdate::kTimer && cnp_in_period_) {
    alpha_ = (1 - p_.g) * alpha_ + p_.g;
    cnp_in_period_ = false;
    --down;
  }
  if (down > 0) alpha_ *= std::pow(1.0 - p_.g, static_cast<double>(down));
  alpha_at_ += p_.alpha_interval * periods;
}

// cnp: ack — the ECN echo of an ACK (or NACK) is the notification, as the CNP flag of
// the ns-3 model's ACKs.
void Dcqcn::on_ack(const AckEvent& ack) {
  if (ack.ecn_echo && p_.cnp == DcqcnCnp::kAck) on_cnp();
}

void Dcqcn::on_cnp() {
  const Time now = ctx_.now();
  const bool first = !seen_cnp_;
  if (first) {
    // The first CNP: the check grid starts here, and alpha too unless it started with
    // the queue pair.
    if (!alpha_running()) {
      alpha_ = p_.initial_alpha;
      alpha_at_ = now;
    }
    seen_cnp_ = true;
    grid_origin_ = now;
    if (p_.first_cnp_rate > 0) rc_ = rt_ = p_.first_cnp_rate * line_;
  }
  advance_alpha(now);
  // The first CNP sets alpha; only later ones raise it.
  if (p_.alpha_update == DcqcnAlphaUpdate::kTimer && !first) cnp_in_period_ = true;
  if (p_.decrease == DcqcnDecrease::kPerCnp) {
    if (last_cut_ == Time::max() || now - last_cut_ >= p_.decrease_interval) cut(now);
  } else {
    schedule_check(now);
  }
  if (p_.alpha_update == DcqcnAlphaUpdate::kPerCnp) {
    // The paper: every CNP raises alpha, after the cut it causes.
    alpha_ = (1 - p_.g) * alpha_ + p_.g;
    alpha_at_ = now;
  }
}

// Check rule: the cut happens at the next tick of the grid (the first one a whole
// interval after the first CNP; now, if now is a tick), once however many CNPs came
// since the last tick.
void Dcqcn::schedule_check(Time now) {
  cnp_pending_ = true;
  if (check_armed_) return;
  const int64_t d = p_.decrease_interval.ps();
  const int64_t k = std::max<int64_t>(1, ((now - grid_origin_).ps() + d - 1) / d);
  Time tick = grid_origin_ + Time::ps(k * d);
  if (last_cut_ != Time::max() && tick <= last_cut_) tick = last_cut_ + p_.decrease_interval;
  if (tick == now) {
    cnp_pending_ = false;
    cut(now);
    return;
  }
  check_armed_ = true;
  ctx_.set_timer(tick, kDecreaseTag | ++check_gen_);
}

void Dcqcn::cut(Time now) {
  advance_alpha(now);
  last_cut_ = now;
  // Without clamping the target rate survives an episode of back-to-back cuts: the
  // flow recovers towards the rate it had before the episode.
  if (p_.clamp_target_rate || (p_.clamp_after_increase && t_stage_ > 0)) rt_ = rc_;
  rc_ = std::max(rc_ * (1 - alpha_ / 2), static_cast<double>(p_.min_rate.bits_per_second()));
  t_stage_ = 0;
  b_stage_ = 0;
  bytes_ = 0;
  limited_ = true;
  ctx_.set_timer(now + p_.increase_interval, ++timer_gen_);  // restart the increase timer
}

void Dcqcn::on_packet_sent(uint32_t wire_bytes) {
  if (!limited_ || p_.byte_counter.count() == 0) return;
  bytes_ += wire_bytes;
  if (bytes_ >= p_.byte_counter.count()) {
    bytes_ -= p_.byte_counter.count();
    ++b_stage_;
    increase();
  }
}

void Dcqcn::on_timer(uint32_t tag) {
  if ((tag & kDecreaseTag) != 0) {
    if (tag != (kDecreaseTag | check_gen_)) return;
    check_armed_ = false;
    if (!cnp_pending_) return;
    cnp_pending_ = false;
    cut(ctx_.now());
    return;
  }
  if (tag != timer_gen_ || !limited_) return;
  ++t_stage_;
  increase();
  if (limited_) ctx_.set_timer(ctx_.now() + p_.increase_interval, timer_gen_);
}

// One increase event. Each of the first F events of a stage counter is fast recovery
// (halfway back to the target); after them the target grows by the additive step, and
// by the hyper step once both counters passed F (with the byte counter off, the timer
// stage alone: one additive event, then hyper increase).
void Dcqcn::increase() {
  const int64_t f = p_.fast_recovery_steps;
  const bool bytes_on = p_.byte_counter.count() > 0;
  const int64_t hi = bytes_on ? std::max(t_stage_, b_stage_) : t_stage_;
  const int64_t lo = bytes_on ? std::min(t_stage_, b_stage_) : t_stage_ - 1;
  if (hi <= f) {
    // fast recovery: the target stays
  } else if (lo > f) {
    const double steps = bytes_on ? static_cast<double>(lo - f) : 1.0;
    rt_ += steps * static_cast<double>(p_.rate_hai.bits_per_second());
  } else {
    rt_ += static_cast<double>(p_.rate_ai.bits_per_second());
  }
  rt_ = std::min(rt_, line_);
  rc_ = std::min((rt_ + rc_) / 2, line_);
  if (rc_ >= line_ * 0.999999) {
    rc_ = line_;
    limited_ = false;  // back at line rate: timers stop until the next CNP
  }
}

namespace {

Time cnp_frames(const Params& p) {
  const auto& d = params_as<DcqcnParams>(p);
  return d.cnp == DcqcnCnp::kAck ? Time::max() : d.cnp_interval;
}

}  // namespace

DcqcnParams dcqcn_paper_params() {
  DcqcnParams p;
  p.g = 1.0 / 256;
  p.alpha_interval = Time::us(55);
  p.initial_alpha = 1.0;
  p.alpha_start = DcqcnAlphaStart::kCreation;
  p.alpha_update = DcqcnAlphaUpdate::kPerCnp;
  p.decrease = DcqcnDecrease::kPerCnp;
  p.decrease_interval = Time::us(50);
  p.clamp_target_rate = true;
  p.increase_interval = Time::us(55);
  p.byte_counter = Bytes(10'000'000);
  p.fast_recovery_steps = 5;
  p.rate_ai = BitRate::mbps(80);
  p.rate_hai = BitRate::mbps(800);
  p.min_rate = BitRate::mbps(1000);
  p.cnp = DcqcnCnp::kFrame;
  p.cnp_interval = Time::us(50);
  return p;
}

CcAlgorithm dcqcn_algorithm() {
  CcAlgorithm a = cc_member<DcqcnParams, Dcqcn, &DcqcnParams::cnp_interval>(
      "dcqcn",
      "ECN marks -> CNPs -> rate cuts by alpha/2, fast recovery, additive and hyper increase; "
      "the deployed (ConnectX) reaction point");
  a.cnp_interval = &cnp_frames;
  return a;
}

CcAlgorithm dcqcn_paper_algorithm() {
  CcAlgorithm a = dcqcn_algorithm();
  a.name = "dcqcn_paper";
  a.doc =
      "dcqcn with the SIGCOMM 2015 paper's reaction point as defaults (byte counter, target "
      "clamped at every cut, alpha from creation, 55 us timers)";
  a.make_params = []() -> std::unique_ptr<Params> {
    return std::make_unique<DcqcnParams>(dcqcn_paper_params());
  };
  return a;
}

}  // namespace aifabric
