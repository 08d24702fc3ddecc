// Every congestion-control algorithm, one line each.
#include <array>

#include "aifabric/transport/cc/congestion_control.h"
#include "aifabric/transport/cc/dcqcn/dcqcn.h"
#include "aifabric/transport/cc/none/none.h"

namespace aifabric {

std::span<const CcAlgorithm> cc_algorithms() {
  static const std::array kAll{
      dcqcn_algorithm(),
      no_cc_algorithm(),
  };
  return kAll;
}

const CcAlgorithm* find_cc_algorithm(std::string_view name) {
  for (const auto& a : cc_algorithms()) {
    if (a.name == name) return &a;
  }
  return nullptr;
}

}  // namespace aifabric
