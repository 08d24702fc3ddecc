#include "aifabric/plan/graph_modules.h"

#include <map>

#include "aifabric/fabric/switch/aggregation/aggregation.h"

namespace aifabric {

int64_t fabric_modules(const TopologyGraph& g, BitRate cage) {
  const auto& nodes = g.nodes();
  auto internal = [&](uint32_t n) { return is_aggregation_engine(nodes[n]); };
  const int64_t c = cage.bits_per_second();
  int64_t modules = 0;
  for (uint32_t n = 0; n < nodes.size(); ++n) {
    if (internal(n)) continue;
    if (nodes[n].kind == NodeKind::kHost) {
      modules += static_cast<int64_t>(g.adjacent(n).size());  // a NIC port's module each
      continue;
    }
    std::map<int64_t, int64_t> by_rate;  // this switch's optical links per rate
    for (const Adjacent& a : g.adjacent(n)) {
      if (!internal(a.peer)) ++by_rate[g.links()[a.link].params.rate.bits_per_second()];
    }
    for (const auto& [rate, links] : by_rate) {
      modules += rate > c || rate <= 0 ? links : (links * rate + c - 1) / c;
    }
  }
  return modules;
}

}  // namespace aifabric
