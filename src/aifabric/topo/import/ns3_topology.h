// Reader for the plain-text topology files of the ns-3 RDMA simulator (HPCC, and the
// ASTRA-sim ns-3 backend that inherits its format), so those files load unchanged:
//
//   N_nodes N_switches N_links
//   <the N_switches switch node ids>
//   src dst rate delay error_rate        (N_links lines, e.g. "0 4 100Gbps 0.001ms 0")
//
// Nodes not listed as switches are hosts. SimAI's variant, whose first line reads
// "N_nodes gpus_per_server N_nvswitches N_switches N_links gpu_type [gpus_per_node]"
// and which lists the NVSwitch ids before the switch ids, is read too (as a plain
// fabric; its NVSwitch links make hosts with two links, which topology type simai,
// simai_topology.h, reads as NVLink instead).
// Anything after the declared links (HPCC's examples end with prose) is ignored.
#pragma once

#include <istream>
#include <string>
#include <vector>

#include "aifabric/core/params.h"
#include "aifabric/core/status.h"
#include "aifabric/topo/builder.h"
#include "aifabric/topo/graph.h"

namespace aifabric {

// The file as read, before it becomes a graph (read_ns3_topology builds the graph;
// SimAI's reader, simai_topology.h, makes the NVSwitches NVLink domains instead).
struct Ns3TopologyFile {
  std::string source;
  uint64_t nodes = 0;
  uint64_t gpus_per_server = 0;        // SimAI header only, else 0
  std::vector<uint64_t> nvswitch_ids;  // SimAI: the first ids listed
  std::vector<uint64_t> switch_ids;    // the other ids listed
  struct Link {
    uint32_t a = 0;
    uint32_t b = 0;
    LinkParams params;
    size_t line = 0;  // where it is in the file, for errors
  };
  std::vector<Link> links;
};
// Reads and checks the header, ids and links ("source:line: why"); allocates in
// proportion to the file, never to the header's counts.
Result<Ns3TopologyFile> read_ns3_topology_file(std::istream& in, const std::string& source);

// Graph node i is ns-3 node i (TopoNode::ext_id == i), so host indices follow
// ascending ns-3 id among hosts; nodes are named "node<id>", switches get tier 1.
// A node's ports are numbered in the order its links appear, as in ns-3. The error
// rate becomes the link's per-frame loss rate. Errors read
// "source:line: why"; a graph that fails validate() returns its error prefixed with
// `source`.
Result<TopologyGraph> read_ns3_topology(std::istream& in, const std::string& source);

// `topology: {type: ns3, file: ...}`.
struct Ns3TopologySpec final : ParamsOf<Ns3TopologySpec> {
  std::string file;
  // The ns-3 config's ERROR_RATE_PER_LINK: third.cc gives every link whose own error
  // rate is 0 this one instead.
  double default_loss_rate = 0;
  void visit(ParamVisitor& v) override {
    v.path("file", file, "topology file in the ns-3 RDMA (HPCC) format, relative to the scenario");
    v.param("default_loss_rate", default_loss_rate,
            "frame loss rate of the links whose error_rate in the file is 0 (ns-3 "
            "ERROR_RATE_PER_LINK)",
            Range{0, 1});
  }
  Status validate() const override {
    if (file.empty()) return Status::error("file: a topology file is required for type ns3");
    return Status::ok();
  }
};

// Opens the spec's file (resolved by `ctx`) and reads it.
Result<TopologyGraph> import_ns3_topology(const Ns3TopologySpec& spec, const BuildContext& ctx);

}  // namespace aifabric
