// N-to-1 incast: `fan_in` random senders (or the listed ones) to one receiver at once.
// Deterministic for a given random stream; errors name the offending field.
#pragma once

#include <vector>

#include "aifabric/workload/traffic/common.h"
#include "aifabric/workload/traffic/generator.h"

namespace aifabric {

struct IncastTraffic final : ParamsOf<IncastTraffic> {
  TrafficCommon common;
  int64_t receiver = 0;
  int64_t fan_in = 16;
  std::vector<int64_t> senders;  // explicit sender hosts; empty = fan_in random hosts
  void visit(ParamVisitor& v) override {
    common.visit(v);
    v.param("receiver", receiver, "host index that receives", Range{0, 1e9});
    v.param("fan_in", fan_in, "number of senders, drawn at random from the other hosts",
            Range{1, 1e9});
    v.param("senders", senders, "explicit sender host indices (overrides fan_in)", Range{0, 1e9});
  }
};

// `hosts` is the number of hosts in the topology.
Result<std::vector<FlowSpec>> incast_flows(const IncastTraffic& t, uint32_t hosts,
                                           uint8_t default_priority, RandomStream& rng);
inline uint64_t incast_count(const IncastTraffic& t, uint64_t /*hosts*/) {
  return t.senders.empty() ? static_cast<uint64_t>(t.fan_in) : t.senders.size();
}
Result<std::vector<FlowSpec>> generate_incast(const IncastTraffic& t, TrafficContext& ctx);

}  // namespace aifabric
