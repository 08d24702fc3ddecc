// Per-flow completion records in the layout of the ns-3 RDMA simulator's fct.txt
// (HPCC, SimAI, ASTRA-sim), so that their analysis scripts read our runs unchanged:
//
//   sip dip sport dport bytes start_ns fct_ns standalone_ns
//
// with addresses as 8 lowercase hex digits and times as integer nanoseconds.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "aifabric/fabric/records.h"
#include "aifabric/topo/graph.h"

namespace aifabric {

// The IPv4 address the ns-3 RDMA model gives node `node_id`,
// 0x0b000001 + ((id / 256) << 16) + ((id % 256) << 8), as "%08x": node 0 is
// "0b000001", node 1 "0b000101", node 256 "0b010001".
std::string ns3_ip(uint32_t node_id);

// One line per completed flow in completion order, ties by flow id, as ns-3 appends a
// line when each flow completes; unfinished and failed flows are left out. Addresses
// come from the hosts' TopoNode::ext_id (the ns-3 node id of an imported topology).
// fct is the sender's finish time minus the flow's start; standalone is the flow's
// ideal FCT. Times are rounded to the nearest nanosecond.
void write_fct_txt(std::ostream& out, const std::vector<FlowRow>& flows, const TopologyGraph& g);

}  // namespace aifabric
