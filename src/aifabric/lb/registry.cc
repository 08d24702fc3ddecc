// Every load-balancing algorithm, one line each.
#include <array>

#include "aifabric/lb/adaptive/adaptive.h"
#include "aifabric/lb/ecmp/ecmp.h"
#include "aifabric/lb/flowlet/flowlet.h"
#include "aifabric/lb/load_balancer.h"
#include "aifabric/lb/planned/planned.h"
#include "aifabric/lb/spray/spray.h"
#include "aifabric/lb/wcmp/wcmp.h"

namespace aifabric {

std::span<const LbAlgorithm> lb_algorithms() {
  static const std::array kAll{
      ecmp_algorithm(), spray_algorithm(),   planned_algorithm(),
      wcmp_algorithm(), flowlet_algorithm(), adaptive_algorithm(),
  };
  return kAll;
}

const LbAlgorithm* find_lb_algorithm(std::string_view name) {
  for (const auto& a : lb_algorithms()) {
    if (a.name == name) return &a;
  }
  return nullptr;
}

}  // namespace aifabric
