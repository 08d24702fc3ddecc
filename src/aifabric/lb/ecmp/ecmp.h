// ECMP: a per-switch seeded hash of the packet's 5-tuple picks among the equal-cost
// ports, so all packets of a flow share one path and switches do not polarize.
#pragma once

#include <memory>

#include "aifabric/lb/load_balancer.h"

namespace aifabric {

struct EcmpParams final : ParamsOf<EcmpParams> {
  void visit(ParamVisitor& /*v*/) override {}
};

class Ecmp final : public LoadBalancer {
 public:
  explicit Ecmp(uint64_t seed) : seed_(seed) {}
  uint16_t choose(const Packet& p, std::span<const uint16_t> candidates, const EgressView&,
                  Time) override {
    return pick(p.entropy, seed_, candidates);
  }
  // The hash itself, for controllers that predict a switch's choice (planned paths).
  static uint16_t pick(uint64_t entropy, uint64_t seed, std::span<const uint16_t> candidates) {
    const uint64_t h = mix64(entropy ^ seed);
    return candidates[static_cast<size_t>((static_cast<uint128>(h) * candidates.size()) >> 64)];
  }

 private:
  uint64_t seed_;
};

}  // namespace aifabric
