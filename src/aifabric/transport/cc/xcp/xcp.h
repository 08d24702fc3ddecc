// The zero-queue scheme: switch-granted windows, after XCP (Katabi, Handley and Rohrs,
// "Congestion Control for High Bandwidth-Delay Product Networks", SIGCOMM 2002), the
// published design of what the source report's third generation describes ("each
// endpoint sends a window request; the network device grants window increments from
// its port's idle bandwidth").
//
// Sender (Xcp): keeps a window cwnd (wire bytes) and an RTT estimate; every data packet
// carries cwnd, rtt and the per-packet increase it would like (enough to reach line
// rate within one RTT); the ACK returns what the path granted and cwnd moves by it.
// It sends at most cwnd, paced at cwnd / min RTT. A request needs the flow's RTT: the
// packets sent before the first ACK carry none (ports leave them out of their sums), so
// no port sizes its control interval or its grants on a guess.
//
// Switch egress port (XcpPort): every control interval d (the mean RTT of the packets
// it carried) it measures its input rate y and its persistent queue Q (the smallest
// queue an arrival saw) and computes the aggregate window change
//   phi = alpha d (C - y) - beta Q
// (idle bandwidth grants, standing queue takes back), plus a shuffle
// h = max(0, gamma y d - |phi|) moved from fast flows to slow ones so flows converge to
// a fair share. Positive feedback p = h + max(phi, 0) is spread so each flow gets an
// equal share per interval (per packet xi_p rtt^2 s / cwnd), negative n = h +
// max(-phi, 0) in proportion to each flow's rate (xi_n rtt s). A packet's feedback is
// the smallest over its path's ports. Stability: alpha = 0.4, beta = 0.226 (the
// paper's Theorem 1 needs 0 < alpha < pi / (4 sqrt 2) and beta = alpha^2 sqrt 2);
// gamma = 0.1 (its section 3.5).
#pragma once

#include <cstdint>

#include "aifabric/transport/cc/congestion_control.h"

namespace aifabric {

struct XcpParams final : ParamsOf<XcpParams> {
  double alpha = 0.4;
  double beta = 0.226;
  double gamma = 0.1;
  // A new flow's window before any grant. One MTU frame: nothing enters the fabric
  // beyond what the switches granted but the first packet of each flow, which is what
  // holds an incast's queue near zero (and what costs a lone short flow a few RTTs of
  // ramp: cwnd grows by alpha of the idle BDP per RTT).
  Bytes initial_window = Bytes(0);  // 0 = one full frame
  // Bounds of a port's control interval d (the mean RTT it sees).
  Time min_interval = Time::ns(1000);
  Time max_interval = Time::us(1000);
  void visit(ParamVisitor& v) override {
    v.param("alpha", alpha, "share of a port's idle bandwidth x d granted per control interval",
            Range{0.001, 1});
    v.param("beta", beta, "share of a port's persistent queue taken back per control interval",
            Range{0, 1});
    v.param("gamma", gamma, "share of a port's traffic shuffled between flows per interval",
            Range{0, 1});
    v.param("initial_window", initial_window,
            "a flow's window before any grant; 0 = one full frame (MTU + headers)");
    v.param("min_interval", min_interval, "shortest control interval of a switch port");
    v.param("max_interval", max_interval, "longest control interval of a switch port");
  }
  Status validate() const override {
    if (initial_window.count() < 0) return Status::error("initial_window must be >= 0");
    if (min_interval <= Time::zero()) return Status::error("min_interval must be positive");
    if (max_interval < min_interval) return Status::error("max_interval must be >= min_interval");
    return Status::ok();
  }
};

// One switch egress port's controller.
class XcpPort final : public PortFeedback {
 public:
  XcpPort(const XcpParams& p, BitRate rate);
  void on_enqueue(const Packet& p, const IntStack* stack, int64_t queued, Time now) override;
  void on_dequeue(const Packet& p, IntStack* stack, Time now) override;

  // The interval's results, for tests: phi, the coefficients and d.
  double phi() const { return phi_; }
  double xi_p() const { return xi_p_; }
  double xi_n() const { return xi_n_; }
  Time interval() const { return d_; }

 private:
  void roll(Time now);

  const XcpParams& p_;
  double capacity_;  // bytes per ps
  Time d_;           // current control interval
  Time start_;       // this interval's start
  Time end_;         // start_ + d_
  // This interval's measurements (wire bytes, picoseconds).
  double input_ = 0;         // bytes that joined the queue
  double sum_rtt_s_ = 0;     // sum of rtt x s over packets with a request
  double sum_s_ = 0;         // sum of s over those packets
  double sum_rtt_s_cw_ = 0;  // sum of rtt x s / cwnd over them
  int64_t min_queue_ = -1;   // smallest queue an arrival saw; -1 = no arrival yet
  // Feedback coefficients for the packets leaving in this interval.
  double xi_p_ = 0;
  double xi_n_ = 0;
  double phi_ = 0;
};

class Xcp final : public CongestionControl {
 public:
  using PortPart = XcpPort;
  Xcp(const XcpParams& p, BitRate line, CcContext& ctx);
  BitRate rate() const override;
  int64_t window_bytes() const override;
  void on_ack(const AckEvent& ack) override;
  void on_int_ack(const IntAckEvent& ack) override;
  void request_grant(WindowGrant& g, uint32_t wire) const override;

  double cwnd() const { return cwnd_; }  // wire bytes
  Time srtt() const { return srtt_; }

 private:
  double line_;     // bytes per ps
  double frame_;    // a full frame's wire bytes
  double payload_;  // a full frame's payload bytes
  double cwnd_;     // wire bytes
  Time srtt_;       // smoothed RTT (RFC 6298 gain 1/8); zero before the first ACK
  Time min_rtt_;    // pacing: cwnd over the smallest RTT seen
};

}  // namespace aifabric
