// Links taken down or slowed for a whole run (`topology.failed_links`,
// `topology.degraded_links`): named "nodeA-nodeB" by their end nodes, applied to the
// graph before routing, so shortest paths, WCMP weights and planners follow.
#pragma once

#include <cstdint>
#include <string>

#include "aifabric/core/status.h"
#include "aifabric/topo/graph.h"

namespace aifabric {

// The link named "nodeA-nodeB" (node names may themselves contain '-').
Result<uint32_t> find_named_link(const TopologyGraph& g, const std::string& name);

// `failed`: "leaf0-spine1, leaf2-spine0"; `degraded`: "leaf0-spine1=100Gbps, ...".
// Errors name the key (failed_links / degraded_links) and the item.
Status apply_link_states(const std::string& failed, const std::string& degraded, TopologyGraph& g);

}  // namespace aifabric
