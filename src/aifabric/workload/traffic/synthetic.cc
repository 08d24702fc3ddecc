#include "aifabric/workload/traffic/synthetic.h"

#include <algorithm>
#include <numeric>
#include <string>

namespace aifabric {

void TrafficCommon::visit(ParamVisitor& v, bool with_size) {
  if (with_size) v.param("size", size, "bytes per flow");
  v.param("start", start, "start time of the flows");
  v.param("start_jitter", start_jitter, "each flow starts at start + uniform[0, jitter)");
  v.param("priority", priority, "802.1p priority; -1 = transport.data_priority", Range{-1, 7});
}

namespace {

FlowSpec make_flow(const TrafficCommon& c, uint32_t src, uint32_t dst, uint8_t prio,
                   RandomStream& rng) {
  FlowSpec f;
  f.src = src;
  f.dst = dst;
  f.size = c.size.count();
  f.start = c.start;
  if (c.start_jitter > Time::zero()) {
    f.start +=
        Time::ps(static_cast<int64_t>(rng.below(static_cast<uint64_t>(c.start_jitter.ps()))));
  }
  f.priority = c.priority >= 0 ? static_cast<uint8_t>(c.priority) : prio;
  return f;
}

Status check_size(const TrafficCommon& c) {
  if (c.size.count() <= 0) return Status::error("size must be positive");
  return Status::ok();
}

}  // namespace

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

}  // namespace aifabric
