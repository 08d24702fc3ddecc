// Fuzz harness for the ns-3 RDMA topology reader: what reads is a valid topology;
// every error starts with the file's name and is one clean line.
#include <sstream>
#include <string>

#include "aifabric/topo/import/ns3_topology.h"
#include "fuzz/fuzz_target.h"

AIFABRIC_FUZZ_TARGET(ns3_topology) {
  using namespace aifabric;
  std::istringstream in(std::string(reinterpret_cast<const char*>(data), size));
  auto g = read_ns3_topology(in, "topo.txt");
  if (!g) {
    fuzz::check_message(g.status().message(), {"topo.txt:", "topo.txt: "});
    return 0;
  }
  AIFABRIC_FUZZ_REQUIRE(g->validate().is_ok(),
                        "a topology read but does not validate: " + g->validate().message());
  AIFABRIC_FUZZ_REQUIRE(!g->hosts().empty(), "a topology without hosts read");
  // Bounded by its text: every host has a link line of its own.
  AIFABRIC_FUZZ_REQUIRE(g->hosts().size() <= 2 * g->links().size(), "more hosts than links allow");
  return 0;
}
