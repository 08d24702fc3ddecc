#include "aifabric/workload/traffic/incast/incast.h"

#include <algorithm>
#include <numeric>
#include <string>

namespace aifabric {

Result<std::vector<FlowSpec>> incast_flows(const IncastTraffic& t, uint32_t hosts, uint8_t prio,
                                           RandomStream& rng) {
  if (auto s = check_size(t.common); !s) return s;
  if (t.receiver >= hosts) {
    return Status::error("receiver: host " + std::to_string(t.receiver) +
                         " does not exist (the topology has " + std::to_string(hosts) + " hosts)");
  }
  const auto receiver = static_cast<uint32_t>(t.receiver);
  std::vector<uint32_t> senders;
  if (!t.senders.empty()) {
    for (int64_t s : t.senders) {
      if (s >= hosts) {
        return Status::error("senders: host " + std::to_string(s) +
                             " does not exist (the topology has " + std::to_string(hosts) +
                             " hosts)");
      }
      if (s == t.receiver) return Status::error("senders: the receiver cannot send to itself");
      senders.push_back(static_cast<uint32_t>(s));
    }
  } else {
    if (t.fan_in > static_cast<int64_t>(hosts) - 1) {
      return Status::error("fan_in: " + std::to_string(t.fan_in) + " senders but only " +
                           std::to_string(hosts - 1) + " other hosts");
    }
    std::vector<uint32_t> others;
    for (uint32_t h = 0; h < hosts; ++h) {
      if (h != receiver) others.push_back(h);
    }
    for (int64_t i = 0; i < t.fan_in; ++i) {
      const auto j = static_cast<size_t>(i) + rng.below(others.size() - static_cast<size_t>(i));
      std::swap(others[static_cast<size_t>(i)], others[j]);
      senders.push_back(others[static_cast<size_t>(i)]);
    }
    std::sort(senders.begin(), senders.end());
  }
  std::vector<FlowSpec> out;
  out.reserve(senders.size());
  for (uint32_t s : senders) out.push_back(make_flow(t.common, s, receiver, prio, rng));
  return out;
}

Result<std::vector<FlowSpec>> generate_incast(const IncastTraffic& t, TrafficContext& ctx) {
  return incast_flows(t, ctx.hosts(), ctx.default_priority, ctx.rng);
}

}  // namespace aifabric
