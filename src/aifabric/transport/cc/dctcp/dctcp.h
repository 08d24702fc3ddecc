// DCTCP as a rate (Alizadeh et al., "Data Center TCP", SIGCOMM 2010, with the rate
// form the ns-3 RDMA model of the HPCC repository runs as CC_MODE 8): the sender
// counts the ACKs whose data arrived ECN-marked; once per round trip alpha follows the
// marked fraction F, alpha = (1 - g) alpha + g F, and the rate is cut by alpha/2 if any
// ACK of that round trip was marked, else raised by one additive step. The worked
// example of docs/add-a-congestion-control.md: the doc quotes this file and dctcp.cc,
// and a test checks that it still does.
#pragma once

#include "aifabric/transport/cc/congestion_control.h"

namespace aifabric {

struct DctcpParams final : ParamsOf<DctcpParams> {
  double g = 1.0 / 16;                     // the DCTCP paper's g
  BitRate rate_ai = BitRate::mbps(615);    // HPCC run.py DCTCP_RATE_AI: 1 KB per 13 us
  BitRate min_rate = BitRate::mbps(1000);  // HPCC run.py MIN_RATE
  void visit(ParamVisitor& v) override {
    v.param("g", g, "EWMA gain of alpha, the marked fraction", Range{1e-6, 1});
    v.param("rate_ai", rate_ai, "rate added per round trip without a mark");
    v.param("min_rate", min_rate, "lowest sending rate");
  }
};

class Dctcp final : public CongestionControl {
 public:
  Dctcp(const DctcpParams& p, BitRate line, CcContext& ctx);
  BitRate rate() const override { return BitRate::bps(static_cast<int64_t>(rate_)); }
  void on_ack(const AckEvent& ack) override;
  double alpha() const { return alpha_; }

 private:
  const DctcpParams& p_;
  CcContext& ctx_;
  double line_;                    // bits per second
  double rate_;                    // current rate
  double alpha_ = 1;               // as DCTCP starts it: the first marked round trip halves
  int64_t acks_ = 0;               // ACKs of the current round trip
  int64_t marked_ = 0;             // of which marked
  Time round_end_ = Time::zero();  // the current round trip ends here (zero: not begun)
};

}  // namespace aifabric
