// HPCC's reaction point: Algorithm 1 of Li et al., SIGCOMM 2019 (MeasureInflight,
// ComputeWind, NewAck).
#include "aifabric/transport/cc/hpcc/hpcc.h"

#include <algorithm>
#include <cmath>

namespace aifabric {

Hpcc::Hpcc(const HpccParams& p, BitRate line, CcContext& /*ctx*/)
    : p_(p),
      t_(p.base_rtt.to_seconds()),
      w_init_(static_cast<double>(line.bits_per_second()) / 8 * t_),
      w_min_(std::min(static_cast<double>(p.min_rate.bits_per_second()) / 8 * t_, w_init_)),
      w_ai_(p.w_ai.count() > 0 ? static_cast<double>(p.w_ai.count())
                               : w_init_ * (1 - p.eta) / static_cast<double>(p.expected_flows)),
      wc_(w_init_),
      w_(w_init_) {}

BitRate Hpcc::rate() const {
  return BitRate::bps(static_cast<int64_t>(w_ * 8 / t_));
}

int64_t Hpcc::window_bytes() const {
  if (!p_.window) return 0;
  return std::max<int64_t>(1, std::llround(w_));  // 0 would mean "no window"
}

// The largest normalised inflight over the hops, smoothed over T by the time it spans.
double Hpcc::measure_inflight(const IntStack& s) {
  double u = 0;
  int64_t tau = 0;
  for (int i = 0; i < s.hops; ++i) {
    const IntHop& now = s.hop[i];
    const IntHop& before = ref_.hop[i];
    const int64_t dt = (now.ts - before.ts).ps();
    if (dt <= 0 || now.rate_bps <= 0) continue;  // nothing new from this hop
    const double b = static_cast<double>(now.rate_bps);
    const double tx_rate = static_cast<double>(now.tx_bytes - before.tx_bytes) * 8 / (dt * 1e-12);
    const double bdp = b / 8 * t_;
    const double hop_u = static_cast<double>(std::min(now.qlen, before.qlen)) / bdp + tx_rate / b;
    if (hop_u > u) {
      u = hop_u;
      tau = dt;
    }
  }
  const double frac = std::min(static_cast<double>(tau) * 1e-12, t_) / t_;
  u_ = (1 - frac) * u_ + frac * u;
  return u_;
}

void Hpcc::compute_window(bool update_wc) {
  double w;
  if (u_ >= p_.eta || inc_stage_ >= p_.max_stage) {
    w = u_ > 0 ? wc_ / (u_ / p_.eta) + w_ai_ : w_init_;
    if (update_wc) inc_stage_ = 0;
  } else {
    w = wc_ + w_ai_;
    if (update_wc) ++inc_stage_;
  }
  // Bounded by line rate (ns-3 clamps the rate to the NIC's) and by min_rate.
  w = std::clamp(w, w_min_, w_init_);
  if (update_wc) wc_ = w;
  w_ = w;
}

void Hpcc::on_int_ack(const IntAckEvent& ack) {
  const IntStack& s = ack.telemetry;
  if (s.overflow || s.hops == 0) return;
  if (!have_ref_ || s.hops != ref_.hops) {
    // First feedback (or a path of another length): keep it as the reference.
    ref_.copy_from(s);
    have_ref_ = true;
    last_update_seq_ = ack.sent_bytes;
    return;
  }
  const bool update_wc = ack.acked_bytes > last_update_seq_;
  if (!update_wc && !p_.fast_react) return;
  measure_inflight(s);
  ref_.copy_from(s);
  compute_window(update_wc);
  if (update_wc) last_update_seq_ = ack.sent_bytes;
}

}  // namespace aifabric
