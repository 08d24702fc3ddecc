// Reader for the config files of the public ns-3 RDMA simulator (HPCC's
// simulation/mix/config.txt, as its run.py writes them), and their translation into
// scenario overrides, so `aifabric run --ns3-config config.txt` runs those experiments.
#pragma once

#include <cstdint>
#include <istream>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "aifabric/core/status.h"
#include "aifabric/core/units.h"

namespace aifabric {

// One "KEY value..." line of a config file.
struct Ns3ConfigLine {
  std::string key;
  std::vector<std::string> values;
  size_t line = 0;  // 1-based
};

struct Ns3Config {
  std::string source;                // the file, as named (messages)
  std::vector<Ns3ConfigLine> lines;  // file order; every key at most once
  // The line of `key`, or null.
  const Ns3ConfigLine* find(std::string_view key) const;
  // "source:line: KEY: why".
  Status error(const Ns3ConfigLine& l, std::string_view why) const;
};

// Every key the reader knows: the keys HPCC's third.cc reads.
std::span<const std::string_view> ns3_config_keys();

// One `KEY value...` per line (blank lines and lines starting with '#' are skipped).
// An unknown key, a wrong number of values, or a key given twice is an error
// "source:line: KEY: why". Values are checked when they are mapped.
Result<Ns3Config> read_ns3_config(std::istream& in, const std::string& source);

// KMIN_MAP, KMAX_MAP and PMAX_MAP joined: the ECN marking of each link rate (bit/s).
struct EcnAtRate {
  Bytes k_min;
  Bytes k_max;
  std::string p_max;  // as written (a validated decimal)
};
using EcnByRate = std::map<int64_t, EcnAtRate>;

// What a config becomes: overrides in --set style, applied in order before --seed
// and --set.
struct Ns3ConfigScenario {
  std::string topology_file;  // the files the run reads (absolute)
  std::string flow_file;
  std::vector<std::string> overrides;  // topology and traffic first
  // Every key that has no aifabric equivalent or no effect here, by name, one line each.
  std::vector<std::string> notes;
};

// Files named on the command line (--ns3-topology, --ns3-flows), which win over the
// config's TOPOLOGY_FILE and FLOW_FILE; empty: the config's.
struct Ns3ConfigFiles {
  std::string topology;
  std::string flows;
};

// Translates `c`. Relative TOPOLOGY_FILE / FLOW_FILE names are looked for beside the
// config (`config_dir`), then in the current directory (where ns-3 opens them: run.py
// runs third.cc from simulation/ with names like mix/topology.txt), then in the
// config folder's parent (run.py's layout seen from anywhere): the first that exists
// wins. The topology and flow files are read, since the ECN thresholds (the dominant
// link rate), the window (the largest BDP) and the ACK priority (the flows' priority)
// depend on them.
Result<Ns3ConfigScenario> map_ns3_config(const Ns3Config& c, const std::string& config_dir,
                                         const Ns3ConfigFiles& given);

// Reads the file at `path` and translates it.
Result<Ns3ConfigScenario> load_ns3_config(const std::string& path, const Ns3ConfigFiles& given);

}  // namespace aifabric
