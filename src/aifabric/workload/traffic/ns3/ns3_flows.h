// Reader for the flow files of the ns-3 RDMA simulator (HPCC, ASTRA-sim's ns-3
// backend), so they load unchanged:
//
//   N_flows
//   src dst priority dport bytes start_seconds     (N_flows lines, e.g. "2 1 3 100 200000000 2")
//
// src and dst are ns-3 node ids and must be hosts of the topology; anything after the
// declared flows (HPCC's examples end with prose) is ignored.
#pragma once

#include <istream>
#include <string>
#include <vector>

#include "aifabric/core/params.h"
#include "aifabric/core/status.h"
#include "aifabric/topo/graph.h"
#include "aifabric/transport/flow_spec.h"
#include "aifabric/workload/traffic/generator.h"

namespace aifabric {

// Node ids are matched against TopoNode::ext_id and turned into host indices of `g`.
// Flows get ids 0..n-1 in file order, the file's priority (0..7) and destination
// port, and source port 0 so that the engine assigns one. Start times are rounded to
// the nearest picosecond. Errors read "source:line: why".
Result<std::vector<FlowSpec>> read_ns3_flows(std::istream& in, const std::string& source,
                                             const TopologyGraph& g);

// `traffic: [{type: ns3, file: flow.txt}]`.
struct Ns3FlowTraffic final : ParamsOf<Ns3FlowTraffic> {
  std::string file;
  void visit(ParamVisitor& v) override {
    v.path("file", file, "flow file in the ns-3 RDMA (HPCC) format, relative to the scenario");
  }
  Status validate() const override {
    if (file.empty()) return Status::error("file: a flow file is required");
    return Status::ok();
  }
};

Result<std::vector<FlowSpec>> generate_ns3(const Ns3FlowTraffic& t, TrafficContext& ctx);

}  // namespace aifabric
