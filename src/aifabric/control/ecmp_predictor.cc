#include "aifabric/control/ecmp_predictor.h"

#include "aifabric/lb/ecmp/ecmp.h"
#include "aifabric/topo/routing.h"

namespace aifabric {

EcmpPredictor::EcmpPredictor(const TopologyGraph& g, const Network& net, uint8_t prio)
    : tables(compute_shortest_paths(g)), seeds(g.nodes().size(), 0) {
  for (uint32_t id = 0; id < seeds.size(); ++id) {
    if (g.nodes()[id].kind == NodeKind::kSwitch) seeds[id] = net.lb_seed(id, prio);
  }
  hash = [this](uint32_t node, uint64_t entropy, std::span<const uint16_t> candidates) {
    return Ecmp::pick(entropy, seeds[node], candidates);
  };
}

}  // namespace aifabric
