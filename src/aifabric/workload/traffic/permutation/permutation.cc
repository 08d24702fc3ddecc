#include "aifabric/workload/traffic/permutation/permutation.h"

#include <algorithm>
#include <numeric>
#include <string>

namespace aifabric {

Result<std::vector<FlowSpec>> permutation_flows(const PermutationTraffic& t, uint32_t hosts,
                                                uint8_t prio, RandomStream& rng) {
  if (auto s = check_size(t.common); !s) return s;
  if (hosts < 2) return Status::error("a permutation needs at least 2 hosts");
  std::vector<uint32_t> dst(hosts);
  if (t.shift > 0) {
    if (t.shift % hosts == 0) {
      return Status::error("shift: " + std::to_string(t.shift) + " is a multiple of the " +
                           std::to_string(hosts) + " hosts: every host would send to itself");
    }
    for (uint32_t i = 0; i < hosts; ++i) {
      dst[i] = static_cast<uint32_t>((i + static_cast<uint64_t>(t.shift)) % hosts);
    }
  } else {
    // A random derangement: shuffle until no host sends to itself (expected e tries).
    std::iota(dst.begin(), dst.end(), 0);
    for (;;) {
      for (uint32_t i = hosts - 1; i > 0; --i) {
        std::swap(dst[i], dst[rng.below(i + 1)]);
      }
      bool fixed = false;
      for (uint32_t i = 0; i < hosts && !fixed; ++i) fixed = dst[i] == i;
      if (!fixed) break;
    }
  }
  std::vector<FlowSpec> out;
  out.reserve(hosts);
  for (uint32_t i = 0; i < hosts; ++i) out.push_back(make_flow(t.common, i, dst[i], prio, rng));
  return out;
}

Result<std::vector<FlowSpec>> generate_permutation(const PermutationTraffic& t,
                                                   TrafficContext& ctx) {
  return permutation_flows(t, ctx.hosts(), ctx.default_priority, ctx.rng);
}

}  // namespace aifabric
