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
      alpha_updated_(ctx.now()) {}

// Alpha decays by (1-g) for every alpha interval that passed without a CNP. Applying
// the decay when the next CNP arrives gives the same alpha as a periodic timer without
// an event per interval per queue pair.
void Dcqcn::decay_alpha(Time now) {
  const int64_t periods = (now - alpha_updated_).ps() / p_.alpha_interval.ps();
  if (periods > 0) {
    alpha_ *= std::pow(1.0 - p_.g, static_cast<double>(periods));
    alpha_updated_ += p_.alpha_interval * periods;
  }
}

void Dcqcn::on_cnp() {
  const Time now = ctx_.now();
  decay_alpha(now);
  alpha_ = (1 - p_.g) * alpha_ + p_.g;
  alpha_updated_ = now;
  if (last_decrease_ != Time::max() && now - last_decrease_ < p_.decrease_interval) return;
  last_decrease_ = now;
  rt_ = rc_;
  rc_ = std::max(rc_ * (1 - alpha_ / 2), static_cast<double>(p_.min_rate.bits_per_second()));
  t_stage_ = 0;
  b_stage_ = 0;
  bytes_ = 0;
  limited_ = true;
  ctx_.set_timer(now + p_.increase_interval, ++timer_gen_);  // restart the increase timer
}

void Dcqcn::on_packet_sent(uint32_t wire_bytes) {
  if (!limited_) return;
  bytes_ += wire_bytes;
  if (bytes_ >= p_.byte_counter.count()) {
    bytes_ -= p_.byte_counter.count();
    ++b_stage_;
    increase();
  }
}

void Dcqcn::on_timer(uint32_t tag) {
  if (tag != timer_gen_ || !limited_) return;
  ++t_stage_;
  increase();
  if (limited_) ctx_.set_timer(ctx_.now() + p_.increase_interval, timer_gen_);
}

void Dcqcn::increase() {
  const int64_t f = p_.fast_recovery_steps;
  if (std::max(t_stage_, b_stage_) < f) {
    // fast recovery: move halfway back to the target
  } else if (std::min(t_stage_, b_stage_) > f) {
    rt_ += static_cast<double>(std::min(t_stage_, b_stage_) - f) *
           static_cast<double>(p_.rate_hai.bits_per_second());
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

}  // namespace aifabric
