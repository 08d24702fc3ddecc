// Swift (Kumar et al., "Swift: Delay is Simple and Effective for Congestion Control in
// the Datacenter", SIGCOMM 2020): a window in packets (fractional: below one packet the
// sender paces one packet per rtt / cwnd) grows additively while the RTT (NIC timestamps)
// is below a target delay and shrinks multiplicatively, at most once per RTT, above it.
// The target grows with the switches the data crossed and as the window shrinks.
#pragma once

#include <cstdint>

#include "aifabric/transport/cc/congestion_control.h"

namespace aifabric {

struct SwiftParams final : ParamsOf<SwiftParams> {
  // The rules are the paper's (Algorithm 1 in section 3.1; target scaling in section
  // 3.5; the 0.001-packet floor of min_cwnd in section 3.4). The paper publishes no
  // values for ai, beta, max_mdf, h and the fs_* keys: ai = 1, beta = 0.8, max_mdf = 0.5,
  // fs_min_cwnd = 0.1, fs_max_cwnd = 100 and fs_range = 5 x base_target are what open
  // Swift models use (htsim among them, which marks them as guesses). base_target and h
  // are aifabric's for its default 1 us links: one switch adds 2 us of propagation to
  // the RTT, and a one-switch path at 400 Gbps has a 4.17 us base RTT, so the target
  // leaves ~1.8 us (~90 KB) of queue over a path of any length.
  Time base_target = Time::us(4);
  Time h = Time::us(2);
  Time fs_range = Time::us(20);
  double fs_min_cwnd = 0.1;
  double fs_max_cwnd = 100;
  double ai = 1.0;
  double beta = 0.8;
  double max_mdf = 0.5;
  double min_cwnd = 0.001;
  double max_cwnd = 1000;
  // 0 = one bandwidth-delay product of the line rate over base_target + h (a one-switch
  // path's target without flow scaling): a new flow may fill its link at once.
  double initial_cwnd = 0;
  void visit(ParamVisitor& v) override {
    v.param("base_target", base_target,
            "target delay of a one-hop path with few flows (before hop and flow scaling)");
    v.param("h", h, "target added per switch the data packet crossed (hop scaling)");
    v.param("fs_range", fs_range,
            "flow scaling: most target added as the window shrinks (reached at fs_min_cwnd)");
    v.param("fs_min_cwnd", fs_min_cwnd, "flow scaling: window (packets) that gets all of fs_range",
            Range{1e-6, 1e6});
    v.param("fs_max_cwnd", fs_max_cwnd, "flow scaling: window (packets) that gets none of it",
            Range{1e-6, 1e6});
    v.param("ai", ai, "additive increment, packets per RTT", Range{1e-6, 1e6});
    v.param("beta", beta, "multiplicative decrease per unit of relative excess delay",
            Range{1e-6, 1e6});
    v.param("max_mdf", max_mdf, "largest cut at once: cwnd never falls below (1 - max_mdf) cwnd",
            Range{1e-6, 1});
    v.param("min_cwnd", min_cwnd, "smallest window, packets", Range{1e-6, 1e9});
    v.param("max_cwnd", max_cwnd, "largest window, packets", Range{1e-6, 1e9});
    v.param("initial_cwnd", initial_cwnd,
            "window of a new flow, packets; 0 = the line rate's BDP over base_target + h",
            Range{0, 1e9});
  }
  Status validate() const override {
    if (base_target <= Time::zero()) return Status::error("base_target must be positive");
    if (h < Time::zero() || fs_range < Time::zero()) {
      return Status::error("h and fs_range must be >= 0");
    }
    if (fs_min_cwnd >= fs_max_cwnd) return Status::error("fs_min_cwnd must be < fs_max_cwnd");
    if (min_cwnd > max_cwnd) return Status::error("min_cwnd must be <= max_cwnd");
    return Status::ok();
  }
};

class Swift final : public CongestionControl {
 public:
  Swift(const SwiftParams& p, BitRate line, CcContext& ctx);
  // At or above one packet the window alone limits the sender (line rate); below it one
  // packet per rtt / cwnd.
  BitRate rate() const override;
  int64_t window_bytes() const override;
  void on_packet_sent(uint32_t wire_bytes) override { frame_bytes_ = wire_bytes; }
  void on_ack(const AckEvent& ack) override;

  double cwnd() const { return cwnd_; }    // packets
  int last_hops() const { return hops_; }  // switches the last ACK said its data crossed
  // The target delay for a path of `hops` switches at window `cwnd` (section 3.5).
  Time target_delay(int hops, double cwnd) const;

 private:
  const SwiftParams& p_;
  CcContext& ctx_;
  double line_;  // bits per second
  double mtu_;   // payload bytes per packet
  double cwnd_;  // packets
  double fs_alpha_;
  double fs_beta_;
  double frame_bytes_;  // wire bytes of the latest packet sent (pacing below one packet)
  Time rtt_;            // the latest sample: pacing below one packet, once-per-RTT cuts
  Time last_decrease_ = Time::max();  // max = never
  int hops_ = 0;
};

}  // namespace aifabric
