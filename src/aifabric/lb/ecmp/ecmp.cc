#include "aifabric/lb/ecmp/ecmp.h"

namespace aifabric {

LbAlgorithm ecmp_algorithm() {
  return LbAlgorithm{
      "ecmp",
      "per-flow hash of the 5-tuple (UDP source port carries the entropy), seeded per switch",
      [] { return std::unique_ptr<Params>(std::make_unique<EcmpParams>()); },
      [](const Params&, uint64_t seed) {
        return std::unique_ptr<LoadBalancer>(std::make_unique<Ecmp>(seed));
      }};
}

}  // namespace aifabric
