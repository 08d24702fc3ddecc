// HPCC (Li et al., "HPCC: High Precision Congestion Control", SIGCOMM 2019): switches
// stamp in-band telemetry on data packets (fabric/switch/int_stamper.h), ACKs carry it
// back, and the sender estimates each hop's normalised inflight bytes
// u = min(qlen, qlen') / (B T) + txRate / B, takes the largest over the path, smooths it
// into U and sets its window W = W_c / (U / eta) + W_AI (multiplicative, when U >= eta or
// after max_stage additive steps) or W = W_c + W_AI, sending at W / T. W_c, the
// reference window, moves once per RTT; every other ACK only reacts from it (the paper's
// Algorithm 1). Windows are in bytes, T is the fabric's base RTT.
#pragma once

#include "aifabric/transport/cc/congestion_control.h"

namespace aifabric {

struct HpccParams final : ParamsOf<HpccParams> {
  // eta and maxStage: the paper's recommended values; the ns-3 model's U_TARGET and
  // MI_THRESH.
  double eta = 0.95;
  int64_t max_stage = 5;
  // T: the fabric's largest base RTT, as the HPCC ns-3 runs use for every flow
  // (GLOBAL_T 1). The default fits a 3-tier fat-tree at 1 us per link: 12 us of
  // propagation plus 6 store-and-forward 4 KiB frames at 400 Gbps (~0.5 us).
  Time base_rtt = Time::ns(12'500);
  // W_AI: 0 = W_init (1 - eta) / N with W_init = line rate x T, the paper's rule (the N
  // flows sharing a link together add at most the (1 - eta) headroom per RTT). N = 125
  // gives the ns-3 runs' RATE_AI (run.py: 10 Mb/s per 25 Gb/s of line rate = W_AI / T).
  Bytes w_ai = Bytes(0);
  int64_t expected_flows = 125;
  // Per-ACK reaction between reference updates (ns-3 FAST_REACT).
  bool fast_react = true;
  // Limit the bytes in flight to W as well as pacing at W / T (the paper's window; ns-3
  // HAS_WIN 1 with VAR_WIN 1). false: rate only.
  bool window = true;
  // Floor of the sending rate (HPCC ns-3 run.py MIN_RATE, as dcqcn's).
  BitRate min_rate = BitRate::mbps(1000);
  void visit(ParamVisitor& v) override {
    v.param("eta", eta, "target utilisation of the bottleneck", Range{0.01, 1});
    v.param("max_stage", max_stage,
            "additive steps of W_c before a multiplicative one regardless of U", Range{0, 1000});
    v.param("base_rtt", base_rtt, "T: the fabric's base RTT; rate = W / T, W_init = line x T");
    v.param("w_ai", w_ai, "additive increase per step; 0 = W_init x (1 - eta) / expected_flows");
    v.param("expected_flows", expected_flows, "N of the automatic w_ai", Range{1, 1'000'000});
    v.param("fast_react", fast_react, "react to every ACK, not only once per RTT");
    v.param("window", window, "also limit bytes in flight to W");
    v.param("min_rate", min_rate, "lowest sending rate");
  }
  Status validate() const override {
    if (base_rtt <= Time::zero()) return Status::error("base_rtt must be positive");
    if (w_ai.count() < 0) return Status::error("w_ai must be >= 0");
    return Status::ok();
  }
};

class Hpcc final : public CongestionControl {
 public:
  static constexpr bool kNeedsInt = true;
  Hpcc(const HpccParams& p, BitRate line, CcContext& ctx);
  BitRate rate() const override;
  int64_t window_bytes() const override;
  void on_int_ack(const IntAckEvent& ack) override;

  double window() const { return w_; }
  double reference_window() const { return wc_; }
  double utilisation() const { return u_; }
  int64_t stage() const { return inc_stage_; }
  double w_ai() const { return w_ai_; }
  double w_init() const { return w_init_; }

 private:
  double measure_inflight(const IntStack& s);
  void compute_window(bool update_wc);

  const HpccParams& p_;
  double t_;       // T in seconds
  double w_init_;  // line rate x T, bytes
  double w_min_;   // min_rate x T, bytes
  double w_ai_;
  double wc_;       // reference window W_c
  double w_;        // current window W
  double u_ = 1.0;  // smoothed normalised inflight; 1 before feedback, as ns-3 starts
  int64_t inc_stage_ = 0;
  uint64_t last_update_seq_ = 0;
  bool have_ref_ = false;  // the first ACK's INT is only stored
  IntStack ref_;           // the hops of the previous ACK
};

}  // namespace aifabric
