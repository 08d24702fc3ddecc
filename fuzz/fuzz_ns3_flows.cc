// Fuzz harness for the ns-3 RDMA flow-file reader over a fixed 4-host topology: what
// reads is a list of flows between distinct hosts with sizes and priorities in range;
// every error starts with the file's name and is one clean line.
#include <sstream>
#include <string>

#include "aifabric/topo/import/ns3_topology.h"
#include "aifabric/workload/traffic/ns3/ns3_flows.h"
#include "fuzz/fuzz_target.h"

namespace {

// ns-3 nodes 0..3 are hosts, 4 and 5 switches.
const aifabric::TopologyGraph& topology() {
  static const aifabric::TopologyGraph g = [] {
    std::istringstream in(
        "6 2 5\n4 5\n0 4 100Gbps 1us 0\n1 4 100Gbps 1us 0\n2 5 100Gbps 1us 0\n"
        "3 5 100Gbps 1us 0\n4 5 400Gbps 1us 0\n");
    return *aifabric::read_ns3_topology(in, "fixed");
  }();
  return g;
}

}  // namespace

AIFABRIC_FUZZ_TARGET(ns3_flows) {
  using namespace aifabric;
  const TopologyGraph& g = topology();
  std::istringstream in(std::string(reinterpret_cast<const char*>(data), size));
  auto flows = read_ns3_flows(in, "flow.txt", g);
  if (!flows) {
    fuzz::check_message(flows.status().message(), {"flow.txt:"});
    return 0;
  }
  // At most one flow per line of input (each needs 12 bytes).
  AIFABRIC_FUZZ_REQUIRE(flows->size() <= size / 12 + 1, "more flows than the text can hold");
  for (size_t i = 0; i < flows->size(); ++i) {
    const FlowSpec& f = (*flows)[i];
    AIFABRIC_FUZZ_REQUIRE(f.id == i, "flow ids are not 0..n-1");
    AIFABRIC_FUZZ_REQUIRE(f.src < 4 && f.dst < 4 && f.src != f.dst, "a flow between bad hosts");
    AIFABRIC_FUZZ_REQUIRE(f.size > 0 && f.priority <= 7, "a flow with a bad size or priority");
    AIFABRIC_FUZZ_REQUIRE(f.start.ps() >= 0, "a flow starting before 0");
  }
  return 0;
}
