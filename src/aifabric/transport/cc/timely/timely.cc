// Timely's rate computation (the paper's Algorithm 1), once per completion event.
#include "aifabric/transport/cc/timely/timely.h"

#include <algorithm>

namespace aifabric {

Timely::Timely(const TimelyParams& p, BitRate line, CcContext& ctx)
    : p_(p),
      ctx_(ctx),
      line_(static_cast<double>(line.bits_per_second())),
      rate_(line_),
      min_rtt_(p.min_rtt > Time::zero() ? p.min_rtt : Time::max()) {}

void Timely::on_ack(const AckEvent& ack) {
  if (ack.rtt <= Time::zero()) return;
  // The smallest sample is the propagation RTT plus one serialization per hop: the first
  // packets of a flow into an idle path meet no queue.
  if (p_.min_rtt == Time::zero()) min_rtt_ = std::min(min_rtt_, ack.rtt);
  if (p_.segment.count() > 0) {
    acked_ += ack.newly_acked_bytes;
    if (acked_ < p_.segment.count()) return;
    acked_ %= p_.segment.count();
  } else {
    // Once per RTT: the acknowledged packet left after the last update (its send time is
    // the ACK's arrival minus its RTT sample).
    const Time now = ctx_.now();
    if (have_prev_ && now - ack.rtt < last_update_) return;
    last_update_ = now;
  }
  update(ack.rtt);
}

void Timely::update(Time rtt) {
  const double new_diff = have_prev_ ? static_cast<double>((rtt - prev_rtt_).ps()) : 0.0;
  prev_rtt_ = rtt;
  have_prev_ = true;
  rtt_diff_ = (1 - p_.alpha) * rtt_diff_ + p_.alpha * new_diff;
  const double gradient = rtt_diff_ / static_cast<double>(min_rtt_.ps());
  const double delta = static_cast<double>(p_.delta.bits_per_second());
  if (rtt < p_.t_low) {
    rate_ += delta;
    negative_run_ = 0;
  } else if (rtt > p_.t_high) {
    const double t_high = static_cast<double>(p_.t_high.ps());
    rate_ *= 1 - p_.beta * (1 - t_high / static_cast<double>(rtt.ps()));
    negative_run_ = 0;
  } else if (gradient <= 0) {
    ++negative_run_;
    rate_ +=
        negative_run_ >= p_.hai_threshold ? static_cast<double>(p_.hai_threshold) * delta : delta;
  } else {
    rate_ *= 1 - p_.beta * gradient;
    negative_run_ = 0;
  }
  rate_ = std::clamp(rate_, static_cast<double>(p_.min_rate.bits_per_second()), line_);
}

}  // namespace aifabric
