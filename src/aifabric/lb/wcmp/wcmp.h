// WCMP/UCMP: weighted per-flow hashing. Every packet of a flow (same 5-tuple entropy)
// takes the same port; across flows each equal-cost port gets a share proportional to
// its weight: by default its egress link rate (bit/s), so a 400G uplink renegotiated to
// 100G carries a quarter of the flows of its healthy peers. A controller may set weights
// per destination instead (the path capacity beyond each port, fault/'s re-weighting). With equal
// weights the choice is exactly ECMP's (same seeded hash, same port).
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "aifabric/lb/load_balancer.h"

namespace aifabric {

struct WcmpParams final : ParamsOf<WcmpParams> {
  // Weight per switch port number (index = port); ports past the end weigh 0. The same
  // list applies at every switch. Empty = each port's link rate.
  std::vector<int64_t> weights;
  void visit(ParamVisitor& v) override;
  Status validate() const override;
};

class Wcmp final : public LoadBalancer {
 public:
  Wcmp(const WcmpParams& params, uint64_t seed);
  uint16_t choose(const Packet& p, std::span<const uint16_t> candidates, const EgressView& view,
                  Time now) override;

 private:
  uint64_t weight(uint32_t dst, uint16_t port, const EgressView& view) const;

  std::vector<int64_t> weights_;
  uint64_t seed_;
};

}  // namespace aifabric
