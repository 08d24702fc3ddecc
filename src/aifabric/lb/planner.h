// Planned paths: a controller with the global view takes the topology, the switches'
// forwarding tables and the job's flows, assigns each flow one of its equal-cost paths
// so that the most loaded link carries as little as possible, and expresses each
// choice as a UDP source port that makes the switches' own ECMP hash take the planned
// path. The plan is deployable on a real fabric without new switch features: the NIC
// only sets the source port of the queue pair.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "aifabric/core/status.h"
#include "aifabric/net/forwarding.h"
#include "aifabric/topo/graph.h"

namespace aifabric {

// One flow (or one connection's summed transfers) to place.
struct PathDemand {
  uint32_t src = 0;   // host index
  uint32_t dst = 0;   // host index
  int64_t bytes = 0;  // load it puts on every link of its path
};

// The port a switch's ECMP picks for a packet with this 5-tuple hash among `candidates`
// (the switch is named by its node id in the topology graph).
using EcmpHash =
    std::function<uint16_t(uint32_t node, uint64_t entropy, std::span<const uint16_t> candidates)>;

struct PlanOptions {
  uint16_t sport_min = 49152;  // source ports are searched in [sport_min, sport_max]
  uint16_t sport_max = 65535;
};

// A directed link: 2 * link id + (0 for a -> b, 1 for b -> a).
using DirectedLink = uint32_t;

struct PathPlan {
  std::vector<uint16_t> sport;                  // per demand
  std::vector<std::vector<DirectedLink>> path;  // per demand, host to host
  std::vector<int64_t> link_bytes;              // planned load per directed link
  int64_t max_link_bytes = 0;                   // of switch-to-switch links
  // A lower bound on max_link_bytes no assignment can beat (e.g. a leaf's total
  // upward demand over its uplinks); equal to it when the plan is provably optimal.
  int64_t lower_bound_bytes = 0;
  std::string method;  // which algorithm produced the plan and why, for the summary
};

// Plans every demand. Fails (naming the demand) if a demand has no path or no source
// port in the range realizes its planned path.
Result<PathPlan> plan_paths(const TopologyGraph& g, const std::vector<ForwardingTable>& tables,
                            const EcmpHash& hash, std::span<const PathDemand> demands,
                            const PlanOptions& options = {});

// Source ports that take pairwise different paths from `src` to `dst` under the
// switches' hash, at most `max` of them (packet spraying round robin uses one per path).
std::vector<uint16_t> path_distinct_sports(const TopologyGraph& g,
                                           const std::vector<ForwardingTable>& tables,
                                           const EcmpHash& hash, uint32_t src, uint32_t dst,
                                           size_t max, const PlanOptions& options = {});

// The entropy a sender stamps for a source port (what the hash is evaluated on).
uint64_t planned_entropy(uint32_t src, uint32_t dst, uint16_t sport);

}  // namespace aifabric
