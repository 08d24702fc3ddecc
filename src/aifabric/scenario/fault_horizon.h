// The long-horizon cost of faults (horizon.length > 0): the scenario's topology gives the
// element counts per class (optics, links, switches, NICs), each class's MTBF its fault
// rate, and a packet-level probe the cost of one fault of the class under the
// scenario's recovery and transport settings: a ring all-reduce of horizon.probe_size
// per rank over 16 ranks on 8 leaves of a 400G leaf-spine (4 spines), timed without a
// fault and with one at 200 µs — a fabric link (optic, link), a spine (switch), a NIC
// port (nic). The stall is the difference; a probe whose collective fails marks the
// class as failing the job. fault/horizon then draws the horizon (seeded) and gives the
// closed form beside it.
#pragma once

#include "aifabric/core/status.h"
#include "aifabric/fault/horizon/horizon.h"
#include "aifabric/scenario/scenario.h"
#include "aifabric/topo/graph.h"

namespace aifabric {

Result<HorizonReport> fault_horizon(const Scenario& s, const TopologyGraph& g);

}  // namespace aifabric
