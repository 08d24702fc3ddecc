// The scenario: everything a run needs, as one tree of self-describing Params. It is
// filled from a YAML file (or the built-in defaults) plus --set overrides, validated
// as a whole, and only then turned into a topology, a fabric and a workload.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "aifabric/core/params.h"
#include "aifabric/net/switch_config.h"
#include "aifabric/topo/builders.h"
#include "aifabric/transport/transport_config.h"
#include "aifabric/workload/traffic.h"

namespace aifabric {

struct Ns3TopologySpec final : Params {
  std::string file;
  void visit(ParamVisitor& v) override {
    v.param("file", file, "topology file in the ns-3 RDMA (HPCC) format, relative to the scenario");
  }
  Status validate() const override {
    if (file.empty()) return Status::error("file: a topology file is required for type ns3");
    return Status::ok();
  }
};

struct TopologySpec final : Params {
  int type = 0;
  LeafSpineConfig leaf_spine;
  FatTreeConfig fat_tree;
  Ns3TopologySpec ns3;
  void visit(ParamVisitor& v) override;
};

struct FileTraffic final : Params {
  std::string file;
  int64_t priority = -1;
  void visit(ParamVisitor& v) override {
    v.param("file", file,
            "CSV flow list (src,dst,bytes,start[,priority]), relative to the scenario");
    v.param("priority", priority, "priority for rows without one; -1 = transport.data_priority",
            Range{-1, 7});
  }
  Status validate() const override {
    if (file.empty()) return Status::error("file: a flow file is required");
    return Status::ok();
  }
};

struct Ns3FlowTraffic final : Params {
  std::string file;
  void visit(ParamVisitor& v) override {
    v.param("file", file, "flow file in the ns-3 RDMA (HPCC) format, relative to the scenario");
  }
  Status validate() const override {
    if (file.empty()) return Status::error("file: a flow file is required");
    return Status::ok();
  }
};

struct TrafficSpec final : Params {
  int type = 0;
  PermutationTraffic permutation;
  IncastTraffic incast;
  AllToAllTraffic all_to_all;
  FileTraffic file;
  Ns3FlowTraffic ns3;
  void visit(ParamVisitor& v) override;
};

// An algorithm family chosen by name from a registry; each algorithm's parameters
// sit beside `algorithm:` in the same map.
struct AlgorithmChoice final : Params {
  enum Family { kCc, kLb };
  explicit AlgorithmChoice(Family f = kCc);
  Family family;
  int index = 0;
  std::vector<std::unique_ptr<Params>> params;  // one per registered algorithm
  void visit(ParamVisitor& v) override;
  const Params& selected() const { return *params[static_cast<size_t>(index)]; }
};

struct Scenario final : Params {
  Scenario();
  std::string name = "default";
  int64_t seed = 1;
  Time stop_time = Time::sec(1);
  TopologySpec topology;
  SwitchConfig switch_config;
  TransportConfig transport;
  AlgorithmChoice cc{AlgorithmChoice::kCc};
  AlgorithmChoice lb{AlgorithmChoice::kLb};
  std::vector<TrafficSpec> traffic;
  std::string base_dir = ".";  // where relative file names are resolved (not a key)
  void visit(ParamVisitor& v) override;
  Status validate() const override;
};

// Loads a scenario: `path` empty means the built-in default. Overrides are applied
// before reading, so they are validated like file contents.
Result<std::unique_ptr<Scenario>> load_scenario(const std::string& path,
                                                const std::vector<std::string>& overrides);
// The same from YAML text (tests, the built-in default).
Result<std::unique_ptr<Scenario>> load_scenario_text(const std::string& yaml,
                                                     const std::string& source,
                                                     const std::vector<std::string>& overrides);

}  // namespace aifabric
