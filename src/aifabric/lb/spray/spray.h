// Packet spraying at the sender: the NIC gives every packet its own UDP source port, so
// the switches' plain ECMP hash spreads one message over all equal-cost paths. The
// receiver gets packets out of order and must reorder them (transport.recovery:
// selective). Modes: random ports, round robin over one port per distinct path, or
// adaptive (REPS-like: reuse ports whose ACKs came back without congestion signals).
#pragma once

#include "aifabric/lb/load_balancer.h"
#include "aifabric/lb/sender/path_selection.h"

namespace aifabric {

struct SprayParams final : ParamsOf<SprayParams> {
  int mode = sender_modes().index_of("adaptive");  // a member of sender_modes()
  int64_t recycle = 64;
  Time rtt_threshold;
  void visit(ParamVisitor& v) override;
  Status validate() const override;
};

// The sender-side part: each NIC varies the source port per packet in `p.mode`.
void spray_sender(const SprayParams& p, PathSelection& out);

}  // namespace aifabric
