// Shortest-path routing: for every switch and every destination host, the ports that
// lie on a minimum-hop path (hosts never forward). ECMP then chooses among them.
#pragma once

#include <vector>

#include "aifabric/net/forwarding.h"
#include "aifabric/topo/graph.h"

namespace aifabric {

// One table per node (empty for hosts), indexed by node id.
std::vector<ForwardingTable> compute_shortest_paths(const TopologyGraph& g);

// The links of the path from host `src` to host `dst` (host indices) that takes, at
// every switch, the first of its shortest-path ports (the tables' first next hop);
// empty when there is none.
std::vector<LinkParams> first_shortest_path(const TopologyGraph& g, uint32_t src, uint32_t dst);

}  // namespace aifabric
