// Timely (Mittal et al., "TIMELY: RTT-based Congestion Control for the Datacenter",
// SIGCOMM 2015): a rate-based sender that reacts to the gradient of its RTT samples
// (NIC timestamps: the data packet's send time echoed by its ACK). Rates in bit/s, clamped
// to [min_rate, line rate]; one rate update per completion event: once per RTT by default,
// or per `segment` acknowledged bytes.
#pragma once

#include <cstdint>

#include "aifabric/transport/cc/congestion_control.h"

namespace aifabric {

struct TimelyParams final : ParamsOf<TimelyParams> {
  // alpha, beta, T_low, T_high, delta and the HAI threshold N are the Timely paper's
  // (Algorithm 1 and Table 1, measured on 10 GbE; the HPCC ns-3 model's Timely defaults
  // are the same: alpha 0.875, beta 0.8, T_low 50 us, T_high 500 us). Its min RTT is 20
  // us there; here it is measured (min_rtt: 0) unless given.
  //
  // The paper's completion events are per segment of 16-64 KB. Events per byte give a
  // flow increments in proportion to its rate (delta per segment), so two flows never
  // meet: with 64 KB segments two 10 Gbps flows stay at 1.5 and 7.4 Gbps for hundreds of
  // milliseconds (Jain index ~0.7; the unfairness Zhu et al., CoNEXT 2016, analyse).
  // segment: 0 (the default) makes the event once per RTT instead, the first ACK of a
  // packet sent after the last update, as the HPCC ns-3 model's Timely does: every flow
  // then adds delta per RTT and the cuts stay multiplicative, i.e. AIMD.
  double alpha = 0.875;
  double beta = 0.8;
  Time t_low = Time::us(50);
  Time t_high = Time::us(500);
  BitRate delta = BitRate::mbps(10);
  int64_t hai_threshold = 5;
  Bytes segment = Bytes(0);
  Time min_rtt = Time::zero();
  // Floor of the sending rate (the paper names none; the HPCC ns-3 run.py MIN_RATE, as
  // DCQCN's here).
  BitRate min_rate = BitRate::mbps(1000);
  void visit(ParamVisitor& v) override {
    v.param("alpha", alpha, "EWMA weight of the newest RTT difference", Range{1e-6, 1});
    v.param("beta", beta, "multiplicative decrement factor", Range{1e-6, 1});
    v.param("t_low", t_low, "below this RTT the rate always grows by delta");
    v.param("t_high", t_high,
            "above this RTT the rate is cut by beta (1 - t_high / rtt) whatever the gradient");
    v.param("delta", delta, "additive increment per completion event");
    v.param("hai_threshold", hai_threshold,
            "N: after this many completion events in a row with a non-positive gradient the "
            "increment is N x delta (hyperactive increase)",
            Range{1, 1000});
    v.param("segment", segment,
            "acknowledged bytes per completion event (one rate update); 0 = one event per RTT");
    v.param("min_rtt", min_rtt,
            "RTT that normalises the gradient; 0 = the smallest RTT sample the queue pair has "
            "seen (its propagation RTT)");
    v.param("min_rate", min_rate, "lowest sending rate");
  }
  Status validate() const override {
    if (t_low < Time::zero() || t_high <= t_low) {
      return Status::error("t_low must be >= 0 and t_high > t_low");
    }
    if (segment.count() < 0) return Status::error("segment must be >= 0");
    if (min_rtt < Time::zero()) return Status::error("min_rtt must be >= 0");
    if (delta.bits_per_second() <= 0) return Status::error("delta must be positive");
    if (min_rate.bits_per_second() <= 0) return Status::error("min_rate must be positive");
    return Status::ok();
  }
};

class Timely final : public CongestionControl {
 public:
  Timely(const TimelyParams& p, BitRate line, CcContext& ctx);
  BitRate rate() const override { return BitRate::bps(static_cast<int64_t>(rate_)); }
  void on_ack(const AckEvent& ack) override;

  // For tests and probes.
  Time min_rtt() const { return min_rtt_; }
  double rtt_diff_ps() const { return rtt_diff_; }
  int64_t negative_gradients() const { return negative_run_; }

 private:
  void update(Time rtt);
  const TimelyParams& p_;
  CcContext& ctx_;
  double line_;  // bits per second
  double rate_;
  Time min_rtt_;  // Time::max() until the first sample when measured
  Time prev_rtt_;
  bool have_prev_ = false;
  double rtt_diff_ = 0;       // EWMA of RTT differences, picoseconds
  int64_t negative_run_ = 0;  // completion events in a row with gradient <= 0
  int64_t acked_ = 0;         // bytes acknowledged since the last completion event
  Time last_update_;          // segment 0: when the last completion event happened
};

}  // namespace aifabric
