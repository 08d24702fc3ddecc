// Receiver-driven credits with packet trimming, the scheme of NDP (Handley et al.,
// "Re-architecting datacenter networks and stacks for low latency and high
// performance", SIGCOMM 2017) and EQDS (Olteanu et al., "An edge-queued datagram
// service for all datacenter traffic", NSDI 2022), which UEC 1.0 builds on:
//  - a new flow sends an initial window at line rate without asking (NDP's first RTT,
//    EQDS's speculative start), one BDP by default;
//  - after that it sends one packet per pull: a data packet that reaches the receiver
//    owes its sender one pull if the sender asked for one (it had more to send than its
//    credits and pulls on their way cover: EQDS's backlog, where NDP pulls for every
//    packet), a trimmed header always; the receiving NIC paces the pulls of all its
//    flows at its line rate, round robin (fabric/nic/pull_pacer.h), so the receiver's
//    link is filled but never oversubscribed;
//  - switches trim data to headers when a small data queue is full and forward the
//    headers first (fabric/switch/trim/); a trimmed header makes the receiver NACK
//    exactly that packet, which the sender resends on a later credit (selective
//    recovery; go-back-N is refused).
// The sender itself only counts credits: the algorithm is the receiver's pacing and the
// switches' trimming. Pacing at line rate, no window: pulls are the clock.
#pragma once

#include "aifabric/transport/cc/congestion_control.h"

namespace aifabric {

struct EqdsParams final : ParamsOf<EqdsParams> {
  // The base RTT the automatic initial window is one BDP of. Default: HPCC's (a 3-tier
  // fat-tree at 1 us per link, 12 us of propagation plus 6 store-and-forward 4 KiB
  // frames at 400 Gb/s); set it to the fabric's (8.4 us across two leaves of
  // examples/incast-64.yaml).
  Time base_rtt = Time::ns(12'500);
  // 0 = auto: line rate x base_rtt, 1 BDP (NDP: "the initial window is one BDP"; EQDS
  // starts speculatively with up to a BDP before its credits come back).
  Bytes initial_window = Bytes(0);
  // The share of the receiver's line rate its pulls request: 1 = one full data frame
  // per frame time, the rate NDP paces pulls at. Trimmed headers that arrive take
  // their own wire time out of the pull clock (pull_pacer.h).
  double pull_share = 1.0;
  void visit(ParamVisitor& v) override {
    v.param("base_rtt", base_rtt, "base RTT of the automatic initial window (line rate x it)");
    v.param("initial_window", initial_window,
            "payload bytes sent before the first pull; 0 = line rate x base_rtt (1 BDP)");
    v.param("pull_share", pull_share,
            "receivers pace pulls at this share of their line rate (one full frame per pull)",
            Range{0.01, 1});
  }
  Status validate() const override {
    if (base_rtt <= Time::zero()) return Status::error("base_rtt must be positive");
    if (initial_window.count() < 0) return Status::error("initial_window must be >= 0");
    return Status::ok();
  }
};

class Eqds final : public CongestionControl {
 public:
  Eqds(const EqdsParams& p, BitRate line, CcContext& ctx);
  static double pull_share(const EqdsParams& p) { return p.pull_share; }
  BitRate rate() const override { return line_; }
  int64_t initial_credits() const override { return initial_credits_; }

 private:
  BitRate line_;
  int64_t initial_credits_;  // packets of the initial window, at least 1
};

}  // namespace aifabric
