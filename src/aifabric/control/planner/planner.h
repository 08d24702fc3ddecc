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
  // A lower bound on max_link_bytes no assignment can beat; equal to it when the plan is
  // provably optimal. For every set E of m switch links that some demands must use one
  // of at some hop (a leaf's uplinks, the downlinks into a leaf, a pod's core links, ...)
  // the largest of: their total / m, and for j >= 1 the j + 1 smallest of their j m + 1
  // largest (two of the m + 1 largest share a link; with equal sizes b this rounds the
  // first to ceil(count / m) * b); and the largest demand on a switch link.
  int64_t lower_bound_bytes = 0;
  std::string method;  // which algorithm produced the plan and why, for the summary
  // Equal-cost paths (summed over the distinct (src, dst) pairs) that no source port in
  // [sport_min, sport_max] makes the hash take: the plan cannot use them, and the lower
  // bound is over the paths it can use. 0 unless the port range is narrow or the hash
  // never picks some candidate.
  int64_t unrealizable_paths = 0;
};

// Plans every demand. A demand's candidates are the paths of the forwarding tables that
// some source port in the range takes under `hash` (each gets the first such port); the
// planner balances bytes over switch-to-switch directed links:
//   - edge colouring (König) when all paths go up and down through lanes every demand
//     can use (2-tier leaf-spine, rail-optimized, k-ary fat tree; a lane is the rank of
//     a port among a switch's switch-facing ports, alike on all leaves, edge or
//     aggregation switches), one stage per tier: optimal for 2-tier with equal sizes;
//   - else, or when the colouring stays above the lower bound, greedy LPT followed by
//     rip-up-and-reroute local search with iterated kicks (work is capped, so a plan of
//     thousands of demands takes well under a second).
// Zero-byte demands get a valid path and port but weigh nothing. Fails, naming the first
// bad demand, if a demand's hosts are out of range, equal or disconnected in the tables,
// its size is negative, no port in the range takes any of its paths, or the hash
// answers a port outside the candidates it was given; also on an empty port range or
// tables that do not match the graph.
Result<PathPlan> plan_paths(const TopologyGraph& g, const std::vector<ForwardingTable>& tables,
                            const EcmpHash& hash, std::span<const PathDemand> demands,
                            const PlanOptions& options = {});

// Source ports that take pairwise different paths from `src` to `dst` under the
// switches' hash, at most `max` of them (packet spraying round robin uses one per path),
// in depth-first order of the tables (a switch's candidate ports in table order), each
// the first port of the range that takes its path. Empty if there is no path or the
// arguments are invalid (same host, empty range, hash outside the candidates).
std::vector<uint16_t> path_distinct_sports(const TopologyGraph& g,
                                           const std::vector<ForwardingTable>& tables,
                                           const EcmpHash& hash, uint32_t src, uint32_t dst,
                                           size_t max, const PlanOptions& options = {});

// The entropy a sender stamps for a source port (what the hash is evaluated on).
uint64_t planned_entropy(uint32_t src, uint32_t dst, uint16_t sport);

}  // namespace aifabric
