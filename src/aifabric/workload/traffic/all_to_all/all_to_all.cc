#include "aifabric/workload/traffic/all_to_all/all_to_all.h"

#include <algorithm>
#include <numeric>
#include <string>

namespace aifabric {

Result<std::vector<FlowSpec>> all_to_all_flows(const AllToAllTraffic& t, uint32_t hosts,
                                               uint8_t prio, RandomStream& rng) {
  if (auto s = check_size(t.common); !s) return s;
  const int64_t n = t.hosts == 0 ? hosts : t.hosts;
  if (n > hosts) {
    return Status::error("hosts: " + std::to_string(n) + " but the topology has " +
                         std::to_string(hosts));
  }
  if (n < 2) return Status::error("hosts: all-to-all needs at least 2 hosts");
  std::vector<FlowSpec> out;
  for (uint32_t s = 0; s < n; ++s) {
    for (uint32_t d = 0; d < n; ++d) {
      if (s != d) out.push_back(make_flow(t.common, s, d, prio, rng));
    }
  }
  return out;
}

Result<std::vector<FlowSpec>> generate_all_to_all(const AllToAllTraffic& t, TrafficContext& ctx) {
  return all_to_all_flows(t, ctx.hosts(), ctx.default_priority, ctx.rng);
}

}  // namespace aifabric
