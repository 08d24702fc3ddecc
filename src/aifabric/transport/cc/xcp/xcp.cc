// XCP's efficiency and fairness controllers at a switch egress port (Katabi et al.,
// SIGCOMM 2002, sections 3.5 and 3.6) and its sender (section 3.2).
#include "aifabric/transport/cc/xcp/xcp.h"

#include <algorithm>
#include <cmath>

namespace aifabric {
namespace {

double bytes_per_ps(BitRate r) {
  return static_cast<double>(r.bits_per_second()) / 8e12;
}

}  // namespace

XcpPort::XcpPort(const XcpParams& p, BitRate rate)
    : p_(p), capacity_(bytes_per_ps(rate)), d_(p.min_interval), end_(p.min_interval) {}

void XcpPort::on_enqueue(const Packet& p, const IntStack* stack, int64_t queued, Time now) {
  if (now >= end_) roll(now);
  input_ += p.wire;
  if (min_queue_ < 0 || queued < min_queue_) min_queue_ = queued;
  if (stack == nullptr || stack->grant.cwnd <= 0 || p.type != PacketType::kData) return;
  const double s = p.wire;
  const double rtt = static_cast<double>(stack->grant.rtt.ps());
  sum_rtt_s_ += rtt * s;
  sum_s_ += s;
  sum_rtt_s_cw_ += rtt * s / static_cast<double>(stack->grant.cwnd);
}

void XcpPort::on_dequeue(const Packet& p, IntStack* stack, Time now) {
  if (now >= end_) roll(now);
  if (stack == nullptr || stack->grant.cwnd <= 0 || p.type != PacketType::kData) return;
  WindowGrant& g = stack->grant;
  const double s = p.wire;
  const double rtt = static_cast<double>(g.rtt.ps());
  const double fb = xi_p_ * rtt * rtt * s / static_cast<double>(g.cwnd) - xi_n_ * rtt * s;
  g.feedback = std::min(g.feedback, fb);
}

// The interval that started at start_ is over: compute the next interval's feedback
// coefficients from what it saw. The sums cover T = now - start_ (>= d when the port was
// busy; longer after an idle spell); they are scaled to one next interval of length d,
// except after an idle spell longer than two intervals, when the packets seen are taken
// as one interval's (scaling a burst after silence down to d would inflate xi).
void XcpPort::roll(Time now) {
  const double t = static_cast<double>((now - start_).ps());
  Time next = d_;
  if (sum_s_ > 0) next = Time::ps(std::llround(sum_rtt_s_ / sum_s_));
  next = std::clamp(next, p_.min_interval, p_.max_interval);
  const double d = static_cast<double>(next.ps());
  const double y = t > 0 ? input_ / t : 0;  // bytes per ps
  const double q = static_cast<double>(std::max<int64_t>(min_queue_, 0));
  phi_ = p_.alpha * d * (capacity_ - y) - p_.beta * q;
  const double h = std::max(0.0, p_.gamma * y * d - std::abs(phi_));
  const double pos = h + std::max(phi_, 0.0);
  const double neg = h + std::max(-phi_, 0.0);
  const double scale = (t > 0 && t <= 2 * static_cast<double>(d_.ps())) ? d / t : 1.0;
  xi_p_ = sum_rtt_s_cw_ > 0 ? pos / (d * sum_rtt_s_cw_ * scale) : 0;
  xi_n_ = sum_s_ > 0 ? neg / (d * sum_s_ * scale) : 0;
  input_ = sum_rtt_s_ = sum_s_ = sum_rtt_s_cw_ = 0;
  min_queue_ = -1;
  start_ = now;
  d_ = next;
  end_ = now + next;
}

Xcp::Xcp(const XcpParams& p, BitRate line, CcContext& ctx)
    : line_(bytes_per_ps(line)),
      frame_(static_cast<double>(ctx.mtu().count() + kRoceHeaderBytes + kL1OverheadBytes)),
      payload_(static_cast<double>(ctx.mtu().count())),
      cwnd_(p.initial_window.count() > 0 ? static_cast<double>(p.initial_window.count()) : frame_),
      srtt_(Time::zero()),
      min_rtt_(Time::zero()) {}

// Before the first RTT sample only the first window goes out, at line rate.
BitRate Xcp::rate() const {
  if (min_rtt_ <= Time::zero()) return BitRate::bps(std::llround(line_ * 8e12));
  const double r = std::min(line_, cwnd_ / static_cast<double>(min_rtt_.ps()));
  return BitRate::bps(std::max<int64_t>(1, std::llround(r * 8e12)));
}

int64_t Xcp::window_bytes() const {
  return std::max<int64_t>(1, std::llround(cwnd_ * payload_ / frame_));  // 0 = "no window"
}

void Xcp::on_ack(const AckEvent& ack) {
  if (ack.rtt <= Time::zero()) return;
  if (srtt_ <= Time::zero()) {
    srtt_ = ack.rtt;
    min_rtt_ = ack.rtt;
    return;
  }
  srtt_ = Time::ps((7 * srtt_.ps() + ack.rtt.ps()) / 8);
  min_rtt_ = std::min(min_rtt_, ack.rtt);
}

void Xcp::on_int_ack(const IntAckEvent& ack) {
  const WindowGrant& g = ack.telemetry.grant;
  if (g.cwnd <= 0) return;
  cwnd_ = std::max(cwnd_ + g.feedback, frame_);
}

// The increase that would take the window to line rate x RTT within one RTT, in equal
// shares over the window's packets (XCP's H_feedback = (r rtt - cwnd) / (cwnd / s)).
void Xcp::request_grant(WindowGrant& g, uint32_t wire) const {
  if (srtt_ <= Time::zero()) return;  // no RTT yet: no request (cwnd stays 0)
  const double rtt = static_cast<double>(srtt_.ps());
  g.cwnd = std::max<int64_t>(1, std::llround(cwnd_));
  g.rtt = srtt_;
  g.feedback = (line_ * rtt - cwnd_) * static_cast<double>(wire) / cwnd_;
}

}  // namespace aifabric
