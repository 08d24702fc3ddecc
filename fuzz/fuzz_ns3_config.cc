// Fuzz harness for the --ns3-config reader and its translation: a config either reads
// or is refused in one clean line naming the file; one that reads has every key once,
// each one HPCC's third.cc knows; its translation (over a fixed 4-host topology and
// flow file, as --ns3-topology/--ns3-flows give them) either fails cleanly or yields
// overrides the scenario loader takes or refuses in one clean line, and a scenario it
// takes validates.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include "aifabric/scenario/ns3/config.h"
#include "aifabric/scenario/scenario.h"
#include "fuzz/fuzz_target.h"

namespace {

namespace fs = std::filesystem;

// The fixed inputs, written once to a folder of this process.
struct Files {
  std::string dir, topology, flows;
};
const Files& files() {
  static const Files f = [] {
    Files x;
    x.dir =
        (fs::temp_directory_path() / ("aifabric-fuzz-ns3cfg-" + std::to_string(getpid()))).string();
    fs::create_directories(x.dir);
    x.topology = x.dir + "/topology.txt";
    x.flows = x.dir + "/flow.txt";
    std::ofstream(x.topology) << "6 2 5\n4 5\n0 4 100Gbps 1us 0\n1 4 100Gbps 1us 0\n"
                                 "2 5 100Gbps 1us 0\n3 5 100Gbps 1us 0\n4 5 400Gbps 1us 0\n";
    std::ofstream(x.flows) << "2\n0 2 3 100 65536 2.0\n1 3 3 100 65536 2.000001\n";
    return x;
  }();
  return f;
}

}  // namespace

AIFABRIC_FUZZ_TARGET(ns3_config) {
  using namespace aifabric;
  std::istringstream in(std::string(reinterpret_cast<const char*>(data), size));
  auto c = read_ns3_config(in, "config.txt");
  if (!c) {
    fuzz::check_message(c.status().message(), {"config.txt:"});
    return 0;
  }
  const auto known = ns3_config_keys();
  std::set<std::string> seen;
  size_t last_line = 0;
  for (const Ns3ConfigLine& l : c->lines) {
    AIFABRIC_FUZZ_REQUIRE(std::find(known.begin(), known.end(), l.key) != known.end(),
                          "an unknown key read: " + l.key);
    AIFABRIC_FUZZ_REQUIRE(seen.insert(l.key).second, "a key read twice: " + l.key);
    AIFABRIC_FUZZ_REQUIRE(l.line > last_line, "line numbers out of order");
    last_line = l.line;
  }
  const Files& f = files();
  auto m = map_ns3_config(*c, f.dir, {f.topology, f.flows});
  if (!m) {
    fuzz::check_message(m.status().message(), {"config.txt:", f.dir});
    return 0;
  }
  auto s = load_scenario("", m->overrides);
  if (!s) {
    fuzz::check_message(s.status().message(), {"--set ", "default scenario"});
    return 0;
  }
  const Status ok = (*s)->validate();
  AIFABRIC_FUZZ_REQUIRE(ok.is_ok(),
                        "a translated config loaded but does not validate: " + ok.message());
  return 0;
}
