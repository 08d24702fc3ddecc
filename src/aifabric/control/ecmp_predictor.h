// What the switches' ECMP will do to packets of one priority: their forwarding tables
// and hash seeds, for the controllers that choose source ports (planned paths,
// round-robin spraying). Computed from the topology graph and the seeds the fabric
// gives its switches; never reads a live device.
#pragma once

#include <cstdint>
#include <vector>

#include "aifabric/control/planner/planner.h"
#include "aifabric/fabric/network.h"
#include "aifabric/topo/graph.h"

namespace aifabric {

struct EcmpPredictor {
  std::vector<ForwardingTable> tables;
  std::vector<uint64_t> seeds;  // by node id
  EcmpHash hash;
  EcmpPredictor(const TopologyGraph& g, const Network& net, uint8_t prio);
  EcmpPredictor(const EcmpPredictor&) = delete;
  EcmpPredictor& operator=(const EcmpPredictor&) = delete;
};

}  // namespace aifabric
