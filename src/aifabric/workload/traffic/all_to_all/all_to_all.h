// All-to-all: every one of the first N hosts sends one flow to every other.
// Deterministic for a given random stream; errors name the offending field.
#pragma once

#include <vector>

#include "aifabric/workload/traffic/common.h"
#include "aifabric/workload/traffic/generator.h"

namespace aifabric {

struct AllToAllTraffic final : ParamsOf<AllToAllTraffic> {
  TrafficCommon common;
  int64_t hosts = 0;  // the first N hosts take part; 0 = all
  void visit(ParamVisitor& v) override {
    common.visit(v);
    v.param("hosts", hosts, "the first N hosts exchange with each other; 0 = all", Range{0, 1e9});
  }
};

// `hosts` is the number of hosts in the topology.
Result<std::vector<FlowSpec>> all_to_all_flows(const AllToAllTraffic& t, uint32_t hosts,
                                               uint8_t default_priority, RandomStream& rng);
inline uint64_t all_to_all_count(const AllToAllTraffic& t, uint64_t hosts) {
  const uint64_t n = t.hosts == 0 ? hosts : static_cast<uint64_t>(t.hosts);
  return n * (n == 0 ? 0 : n - 1);
}
Result<std::vector<FlowSpec>> generate_all_to_all(const AllToAllTraffic& t, TrafficContext& ctx);

}  // namespace aifabric
