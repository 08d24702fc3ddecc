// Shortest-path routing: for every switch and every destination host, the ports that
// lie on a minimum-hop path (hosts never forward). ECMP then chooses among them.
#pragma once

#include <vector>

#include "aifabric/net/forwarding.h"
#include "aifabric/topo/graph.h"

namespace aifabric {

// One table per node (empty for hosts), indexed by node id. The graph's RoutePolicy, if
// any, narrows each set (e.g. dimension-order routing on a torus).
std::vector<ForwardingTable> compute_shortest_paths(const TopologyGraph& g);

// The links of the path from host `src` to host `dst` (host indices) that takes, at
// every switch, the first of its shortest-path ports (the tables' first next hop);
// empty when there is none. It ignores the graph's RoutePolicy: a policy only chooses
// among minimum-hop paths, so the hop count is the same (the links' rates and delays
// are too on the regular fabrics that have one).
std::vector<LinkParams> first_shortest_path(const TopologyGraph& g, uint32_t src, uint32_t dst);

}  // namespace aifabric
