// Packet spraying at the sender: the NIC gives every packet its own UDP source port, so
// the switches' plain ECMP hash spreads one message over all equal-cost paths. The
// receiver gets packets out of order and must reorder them (transport.recovery:
// selective). Modes: random ports, round robin over one port per distinct path, or
// adaptive (REPS-like: reuse ports whose ACKs came back without congestion signals).
#pragma once

#include "aifabric/lb/load_balancer.h"

namespace aifabric {

struct SprayParams final : Params {
  SprayMode mode = SprayMode::kAdaptive;
  int64_t recycle = 64;
  Time rtt_threshold;
  void visit(ParamVisitor& v) override;
  Status validate() const override;
};

LbAlgorithm spray_algorithm();

}  // namespace aifabric
