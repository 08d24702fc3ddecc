// A permutation: every host sends one flow to another, no host receiving twice (a
// random derangement, or host i to host i + shift).
// Deterministic for a given random stream; errors name the offending field.
#pragma once

#include <vector>

#include "aifabric/workload/traffic/common.h"
#include "aifabric/workload/traffic/generator.h"

namespace aifabric {

struct PermutationTraffic final : ParamsOf<PermutationTraffic> {
  TrafficCommon common;
  int64_t shift = 0;  // 0 = random derangement; N = host i sends to host (i + N) mod hosts
  void visit(ParamVisitor& v) override {
    common.visit(v);
    v.param("shift", shift,
            "0 = a random permutation without fixed points; N = host i sends to host "
            "(i + N) mod hosts (N = hosts per leaf makes every flow cross the fabric)",
            Range{0, 1e9});
  }
};

// `hosts` is the number of hosts in the topology.
Result<std::vector<FlowSpec>> permutation_flows(const PermutationTraffic& t, uint32_t hosts,
                                                uint8_t default_priority, RandomStream& rng);
inline uint64_t permutation_count(const PermutationTraffic& /*t*/, uint64_t hosts) {
  return hosts;
}
Result<std::vector<FlowSpec>> generate_permutation(const PermutationTraffic& t,
                                                   TrafficContext& ctx);

}  // namespace aifabric
