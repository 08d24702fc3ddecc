// Fuzz harness for the SimAI topology reader: what reads is a valid fabric whose NVLink
// domains, if any, give every GPU a server of the same size and a positive rate; every
// error starts with the file's name and is one clean line.
#include <sstream>
#include <string>
#include <vector>

#include "aifabric/topo/import/simai_topology.h"
#include "fuzz/fuzz_target.h"

AIFABRIC_FUZZ_TARGET(simai_topology) {
  using namespace aifabric;
  std::istringstream in(std::string(reinterpret_cast<const char*>(data), size));
  auto g = read_simai_topology(in, "topo.txt");
  if (!g) {
    fuzz::check_message(g.status().message(), {"topo.txt:", "topo.txt: "});
    return 0;
  }
  AIFABRIC_FUZZ_REQUIRE(g->validate().is_ok(),
                        "a topology read but does not validate: " + g->validate().message());
  AIFABRIC_FUZZ_REQUIRE(g->hosts().size() <= 2 * g->links().size(), "more hosts than links allow");
  if (g->nvlink().empty()) return 0;
  const NvlinkDomains& d = g->nvlink().front();
  AIFABRIC_FUZZ_REQUIRE(d.server_of_host.size() == g->hosts().size(), "a GPU without a server");
  AIFABRIC_FUZZ_REQUIRE(d.rate.bits_per_second() > 0, "NVLink of rate 0");
  AIFABRIC_FUZZ_REQUIRE(d.gpus_per_server >= 1, "servers of no GPUs");
  std::vector<uint32_t> count(g->hosts().size(), 0);
  for (uint32_t s : d.server_of_host) {
    AIFABRIC_FUZZ_REQUIRE(s < count.size(), "a server number out of range");
    ++count[s];
  }
  for (uint32_t c : count) {
    AIFABRIC_FUZZ_REQUIRE(c == 0 || c == d.gpus_per_server, "servers of different sizes");
  }
  return 0;
}
