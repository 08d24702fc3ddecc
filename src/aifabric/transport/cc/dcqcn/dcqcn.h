// DCQCN (Zhu et al., "Congestion Control for Large-Scale RDMA Deployments", SIGCOMM
// 2015): switches mark ECN (the congestion point), receivers turn marks into CNPs at
// most once per N microseconds per queue pair (the notification point), and the sender
// (the reaction point) cuts its rate by alpha/2 per CNP and recovers through fast
// recovery, additive and hyper increase driven by a timer and a byte counter.
#pragma once

#include "aifabric/transport/cc/congestion_control.h"

namespace aifabric {

struct DcqcnParams final : ParamsOf<DcqcnParams> {
  // g, alpha timer K, rate-increase timer T, byte counter B, F and the CNP interval N
  // are the DCQCN paper's values (section 5); the HPCC ns-3 model's "dcqcn_paper"
  // setting uses the same (t_inc 55 us, rate decrease at most every 50 us).
  double g = 1.0 / 256;
  Time alpha_interval = Time::us(55);
  Time increase_interval = Time::us(55);
  Bytes byte_counter = Bytes(10'000'000);
  int64_t fast_recovery_steps = 5;
  Time cnp_interval = Time::us(50);
  Time decrease_interval = Time::us(50);
  // Increase steps scale with line rate in the HPCC ns-3 runs (run.py: AI = 5 Mbps and
  // HAI = 50 Mbps per 25 Gbps); these are their 400 Gbps values.
  BitRate rate_ai = BitRate::mbps(80);
  BitRate rate_hai = BitRate::mbps(800);
  // Floor of the sending rate (HPCC ns-3 run.py MIN_RATE).
  BitRate min_rate = BitRate::mbps(1000);
  void visit(ParamVisitor& v) override {
    v.param("g", g, "EWMA gain of alpha", Range{1e-6, 1});
    v.param("alpha_interval", alpha_interval, "alpha decays by (1-g) per interval without CNP");
    v.param("increase_interval", increase_interval, "rate-increase timer period");
    v.param("byte_counter", byte_counter, "rate-increase byte counter");
    v.param("fast_recovery_steps", fast_recovery_steps, "F: increase events of fast recovery",
            Range{1, 1000});
    v.param("cnp_interval", cnp_interval, "receiver sends at most one CNP per interval per QP");
    v.param("decrease_interval", decrease_interval,
            "sender cuts its rate at most once per interval");
    v.param("rate_ai", rate_ai, "additive increase step");
    v.param("rate_hai", rate_hai, "hyper increase step");
    v.param("min_rate", min_rate, "lowest sending rate");
  }
  Status validate() const override {
    if (alpha_interval <= Time::zero() || increase_interval <= Time::zero()) {
      return Status::error("alpha_interval and increase_interval must be positive");
    }
    if (byte_counter.count() <= 0) return Status::error("byte_counter must be positive");
    return Status::ok();
  }
};

class Dcqcn final : public CongestionControl {
 public:
  Dcqcn(const DcqcnParams& p, BitRate line, CcContext& ctx);
  BitRate rate() const override { return BitRate::bps(static_cast<int64_t>(rc_)); }
  void on_packet_sent(uint32_t wire_bytes) override;
  void on_cnp() override;
  void on_timer(uint32_t tag) override;
  double alpha() const { return alpha_; }

 private:
  void increase();
  void decay_alpha(Time now);
  const DcqcnParams& p_;
  CcContext& ctx_;
  double line_;  // bits per second
  double rc_;    // current rate
  double rt_;    // target rate
  double alpha_ = 1.0;
  Time alpha_updated_;
  Time last_decrease_ = Time::max();
  int64_t bytes_ = 0;
  int64_t t_stage_ = 0;
  int64_t b_stage_ = 0;
  uint32_t timer_gen_ = 0;
  bool limited_ = false;  // below line rate: the increase timer runs
};

}  // namespace aifabric
