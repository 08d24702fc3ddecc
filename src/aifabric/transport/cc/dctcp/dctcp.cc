#include "aifabric/transport/cc/dctcp/dctcp.h"

#include <algorithm>

namespace aifabric {

Dctcp::Dctcp(const DctcpParams& p, BitRate line, CcContext& ctx)
    : p_(p), ctx_(ctx), line_(static_cast<double>(line.bits_per_second())), rate_(line_) {}

// A round trip is the latest RTT sample long, from the first ACK after the previous one
// ended: ACKs are counted in it, and when an ACK arrives past its end the round trip's
// verdict applies, before that ACK opens the next one.
void Dctcp::on_ack(const AckEvent& ack) {
  const Time now = ctx_.now();
  if (round_end_ != Time::zero() && now >= round_end_) {
    const double f = acks_ > 0 ? static_cast<double>(marked_) / static_cast<double>(acks_) : 0;
    alpha_ = (1 - p_.g) * alpha_ + p_.g * f;
    if (marked_ > 0) {
      rate_ =
          std::max(rate_ * (1 - alpha_ / 2), static_cast<double>(p_.min_rate.bits_per_second()));
    } else {
      rate_ = std::min(rate_ + static_cast<double>(p_.rate_ai.bits_per_second()), line_);
    }
    acks_ = marked_ = 0;
    round_end_ = Time::zero();
  }
  if (round_end_ == Time::zero()) round_end_ = now + std::max(ack.rtt, Time::ns(1));
  ++acks_;
  if (ack.ecn_echo) ++marked_;
}

}  // namespace aifabric
