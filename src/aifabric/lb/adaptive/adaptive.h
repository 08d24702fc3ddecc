// Switch adaptive routing, per packet (as in Ethernet fabrics built for AI: NVIDIA
// Spectrum-X adaptive routing, Broadcom dynamic load balancing): each packet takes the
// eligible egress with the least load, load = queued bytes / link rate (the queueing
// delay), so links of unequal rate compare fairly. Ties go to a random tied port. With a
// threshold a packet keeps its ECMP-hashed port unless that port is worse by more than
// the threshold. Per-packet choices reorder packets within a flow.
#pragma once

#include <cstdint>
#include <memory>

#include "aifabric/core/random.h"
#include "aifabric/lb/load_balancer.h"

namespace aifabric {

struct AdaptiveParams final : ParamsOf<AdaptiveParams> {
  // 0 = every packet takes a least-loaded port. Above 0 a packet leaves its ECMP port
  // only when that queue exceeds the least-loaded one (at equal delay) by more than this.
  Bytes threshold = Bytes(0);
  void visit(ParamVisitor& v) override;
  Status validate() const override;
};

class Adaptive final : public LoadBalancer {
 public:
  Adaptive(const AdaptiveParams& params, uint64_t seed);
  uint16_t choose(const Packet& p, std::span<const uint16_t> candidates, const EgressView& view,
                  Time now) override;

 private:
  int64_t threshold_;
  uint64_t seed_;
  RandomStream rng_;
};

}  // namespace aifabric
