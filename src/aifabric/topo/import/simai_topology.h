// Reader for the topology files of SimAI's ns-3 backend (its gen_Topo_Template.py
// writes them): the ns-3 RDMA layout with a longer header,
//
//   N_nodes gpus_per_server N_nvswitches N_switches N_links gpu_type [gpus_per_node]
//   <the NVSwitch ids, then the switch ids>
//   src dst rate delay error_rate        (N_links lines)
//
// Nodes that are neither are GPUs. A GPU's links to NVSwitches are its server's NVLink
// (the NvlinkDomains of the graph: GPUs that share an NVSwitch share a server); the
// NVSwitches leave the graph, and what remains (each GPU's NIC link, the switches) is
// the fabric. Parsing is the ns-3 reader's (ns3_topology.h), with its bounds.
#pragma once

#include <istream>
#include <string>

#include "aifabric/core/params.h"
#include "aifabric/core/status.h"
#include "aifabric/topo/builder.h"
#include "aifabric/topo/graph.h"

namespace aifabric {

// Graph nodes keep the file's ids as ext_id and "node<id>" names, in ascending id with
// the NVSwitches left out. Refused, as "source:line: why" or "source: why": a link
// between an NVSwitch and anything but a GPU, a GPU without an NVSwitch link when the
// file has NVSwitches, servers of different sizes or of another size than the header's
// gpus_per_server, and a fabric that fails validate() (each GPU needs exactly one NIC
// link).
Result<TopologyGraph> read_simai_topology(std::istream& in, const std::string& source);

// `topology: {type: simai, file: ...}`.
struct SimaiTopologySpec final : ParamsOf<SimaiTopologySpec> {
  std::string file;
  void visit(ParamVisitor& v) override {
    v.path("file", file,
           "topology file of SimAI's ns-3 backend, relative to the scenario; its NVSwitch "
           "links become the servers' NVLink (workloads simai and chakra use them)");
  }
  Status validate() const override {
    if (file.empty()) return Status::error("file: a topology file is required for type simai");
    return Status::ok();
  }
};

Result<TopologyGraph> import_simai_topology(const SimaiTopologySpec& spec, const BuildContext& ctx);

}  // namespace aifabric
