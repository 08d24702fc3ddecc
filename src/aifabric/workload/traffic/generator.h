// The traffic-generator family: a member turns its parameters (one entry of a
// scenario's `traffic:` list) into flows on a topology: synthetic patterns drawn from
// the entry's own random stream, or flow files read through the context's resolver. A
// new generator is a folder under workload/traffic/ plus one line in
// workload/traffic/registry.cc.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <type_traits>
#include <vector>

#include "aifabric/core/random.h"
#include "aifabric/core/registry.h"
#include "aifabric/core/status.h"
#include "aifabric/topo/graph.h"
#include "aifabric/transport/flow_spec.h"

namespace aifabric {

struct TrafficContext {
  const TopologyGraph& graph;
  uint8_t default_priority;  // transport.data_priority
  RandomStream& rng;         // this traffic entry's own stream
  // A file name as written in the scenario -> the path to open.
  std::function<std::string(const std::string&)> resolve;
  uint32_t hosts() const { return static_cast<uint32_t>(graph.hosts().size()); }
};

struct TrafficGenerator : Member {
  Result<std::vector<FlowSpec>> (*generate)(const Params& params, TrafficContext& ctx) = nullptr;
  // How many flows it makes on `hosts` hosts, known before generating; null when only
  // its input says (flow files).
  uint64_t (*count)(const Params& params, uint64_t hosts) = nullptr;
};

// The entry of generator `Gen`: Result<std::vector<FlowSpec>>(const P&, TrafficContext&);
// `Count`, if given: uint64_t(const P&, uint64_t hosts).
template <class P, auto Gen, auto Count = nullptr>
TrafficGenerator traffic_member(std::string_view name, std::string_view doc) {
  TrafficGenerator g;
  g.name = name;
  g.doc = doc;
  g.make_params = &make_params_of<P>;
  g.generate = [](const Params& p, TrafficContext& ctx) { return Gen(params_as<P>(p), ctx); };
  if constexpr (!std::is_same_v<decltype(Count), std::nullptr_t>) {
    g.count = [](const Params& p, uint64_t hosts) { return Count(params_as<P>(p), hosts); };
  }
  return g;
}

const Registry<TrafficGenerator>& traffic_generators();

}  // namespace aifabric
