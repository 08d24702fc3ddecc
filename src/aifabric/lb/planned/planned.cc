#include "aifabric/lb/planned/planned.h"

#include "aifabric/lb/ecmp/ecmp.h"

namespace aifabric {

LbAlgorithm planned_algorithm() {
  LbAlgorithm a{
      "planned",
      "a controller assigns each flow a path minimizing the busiest link and sets its UDP "
      "source port so that the switches' ECMP hash takes it (switches run ECMP)",
      [] { return std::unique_ptr<Params>(std::make_unique<PlannedParams>()); },
      [](const Params&, uint64_t seed) {
        return std::unique_ptr<LoadBalancer>(std::make_unique<Ecmp>(seed));
      }};
  a.planned = true;
  return a;
}

}  // namespace aifabric
