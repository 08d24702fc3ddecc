// Swift's window update (the paper's Algorithm 1, fabric window only) and its scaled
// target delay (section 3.5).
#include "aifabric/transport/cc/swift/swift.h"

#include <algorithm>
#include <cmath>

namespace aifabric {

Swift::Swift(const SwiftParams& p, BitRate line, CcContext& ctx)
    : p_(p),
      ctx_(ctx),
      line_(static_cast<double>(line.bits_per_second())),
      mtu_(static_cast<double>(ctx.mtu().count())),
      frame_bytes_(mtu_),
      rtt_(p.base_target + p.h) {
  // t_fs = clamp(alpha / sqrt(cwnd) + beta, 0, fs_range) is fs_range at fs_min_cwnd and
  // 0 at fs_max_cwnd.
  fs_alpha_ = static_cast<double>(p.fs_range.ps()) /
              (1 / std::sqrt(p.fs_min_cwnd) - 1 / std::sqrt(p.fs_max_cwnd));
  fs_beta_ = -fs_alpha_ / std::sqrt(p.fs_max_cwnd);
  const double bdp = line_ / 8 * (p.base_target + p.h).to_seconds() / mtu_;
  cwnd_ = std::clamp(p.initial_cwnd > 0 ? p.initial_cwnd : bdp, p.min_cwnd, p.max_cwnd);
}

Time Swift::target_delay(int hops, double cwnd) const {
  const double fs = std::clamp(fs_alpha_ / std::sqrt(cwnd) + fs_beta_, 0.0,
                               static_cast<double>(p_.fs_range.ps()));
  return p_.base_target + p_.h * hops + Time::ps(static_cast<int64_t>(std::llround(fs)));
}

BitRate Swift::rate() const {
  if (cwnd_ >= 1) return BitRate::bps(static_cast<int64_t>(line_));
  // One frame per rtt / cwnd (the paper's pacing delay).
  const double bps = frame_bytes_ * 8 * cwnd_ / rtt_.to_seconds();
  return BitRate::bps(static_cast<int64_t>(std::clamp(bps, 1.0, line_)));
}

int64_t Swift::window_bytes() const {
  // The queue pair sends while its bytes in flight are below the window, so a window of
  // c packets lets ceil(c) packets fly; below one packet, one packet flies and pacing
  // stretches the gaps.
  return std::max<int64_t>(1, static_cast<int64_t>(std::max(cwnd_, 1.0) * mtu_));
}

void Swift::on_ack(const AckEvent& ack) {
  if (ack.rtt <= Time::zero()) return;
  const Time now = ctx_.now();
  rtt_ = ack.rtt;
  hops_ = ack.hops;
  const double prev = cwnd_;
  const Time target = target_delay(ack.hops, cwnd_);
  if (ack.rtt < target) {
    const double acked = static_cast<double>(ack.newly_acked_bytes) / mtu_;
    cwnd_ += cwnd_ >= 1 ? p_.ai / cwnd_ * acked : p_.ai * acked;
  } else if (last_decrease_ == Time::max() || now - last_decrease_ >= ack.rtt) {
    const double excess =
        static_cast<double>((ack.rtt - target).ps()) / static_cast<double>(ack.rtt.ps());
    cwnd_ *= std::max(1 - p_.beta * excess, 1 - p_.max_mdf);
  }
  cwnd_ = std::clamp(cwnd_, p_.min_cwnd, p_.max_cwnd);
  // The paper stamps the decrease time when cwnd <= its previous value; strictly less
  // here, so that a window pinned at max_cwnd does not hold off the next cut.
  if (cwnd_ < prev) last_decrease_ = now;
}

}  // namespace aifabric
