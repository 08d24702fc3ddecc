// The scenario: everything a run needs, as one tree of self-describing Params. It is
// filled from a YAML file (or the built-in defaults) plus --set overrides, validated
// as a whole, and only then turned into a topology, a fabric and a workload.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "aifabric/core/params.h"
#include "aifabric/core/registry.h"
#include "aifabric/fabric/switch/switch_config.h"
#include "aifabric/fault/fault_config.h"
#include "aifabric/lb/load_balancer.h"
#include "aifabric/telemetry/telemetry_config.h"
#include "aifabric/topo/builder.h"
#include "aifabric/transport/cc/congestion_control.h"
#include "aifabric/transport/transport_config.h"
#include "aifabric/workload/job.h"
#include "aifabric/workload/traffic/generator.h"

namespace aifabric {

inline constexpr std::string_view kLbDoc =
    "load-balancing scheme: at the switches, at the senders (spray) or by a path controller "
    "(planned)";

struct TopologySpec final : ParamsOf<TopologySpec> {
  Choice<TopologyBuilder> kind{topology_builders(), "type", "topology kind", "leaf_spine"};
  // Links named "nodeA-nodeB", separated by commas or spaces.
  std::string failed_links;    // down for the whole run: routing avoids them
  std::string degraded_links;  // "leaf0-spine1=100Gbps": the link runs at a lower rate
  void visit(ParamVisitor& v) override;
};

struct TrafficSpec final : ParamsOf<TrafficSpec> {
  Choice<TrafficGenerator> kind{traffic_generators(), "type", "traffic kind", "permutation"};
  void visit(ParamVisitor& v) override { kind.visit(v); }
};

struct WorkloadSpec final : ParamsOf<WorkloadSpec> {
  Choice<WorkloadType> kind{workload_types(), "type", "a training job to simulate", "none"};
  void visit(ParamVisitor& v) override { kind.visit(v); }
  // A training job or collective rather than a traffic list.
  bool is_job() const { return kind.selected().prepare != nullptr; }
};

// A load-balancing scheme for one traffic class (802.1p priority), overriding `lb`.
struct LbClassSpec final : ParamsOf<LbClassSpec> {
  int64_t priority = 0;
  Choice<LbAlgorithm> lb{lb_algorithms(), "algorithm", kLbDoc, "ecmp"};
  void visit(ParamVisitor& v) override {
    v.param("priority", priority, "the 802.1p priority (traffic class) this entry applies to",
            Range{0, 7});
    lb.visit(v);
  }
};

// Where a scenario came from (not keys: never read from YAML).
struct ScenarioOrigin {
  std::string file;                    // empty: the built-in default
  std::vector<std::string> overrides;  // KEY=VALUE applied on top, in order (--set, --seed, ...)
  std::string command;                 // the command line that ran it, if any
  std::string ns3_config;              // the ns-3 config file it was made from, if any
  // What reading its inputs could not carry over (an ns-3 config's unmapped keys).
  std::vector<std::string> notes;
  // What transport.profile set (KEY=VALUE), where the scenario left the key unset.
  std::vector<std::string> profile_settings;
};

// What moves a flow list (`engine`): the packet-level fabric or the flow level.
inline constexpr std::string_view kFlowListEngines[] = {"packet", "flow"};

struct Scenario final : ParamsOf<Scenario> {
  Scenario();
  std::string name = "default";
  int64_t seed = 1;
  // 0 = auto: until the traffic or job has finished, with a safety cap (simulate.h).
  Time stop_time = Time::zero();
  int engine = 0;  // kFlowListEngines
  std::string_view engine_name() const { return kFlowListEngines[static_cast<size_t>(engine)]; }
  TopologySpec topology;
  SwitchConfig switch_config;
  TransportConfig transport;
  Choice<CcAlgorithm> cc{cc_algorithms(), "algorithm", "congestion control of every queue pair",
                         "dcqcn"};
  Choice<LbAlgorithm> lb{lb_algorithms(), "algorithm", kLbDoc, "ecmp"};
  std::vector<LbClassSpec> lb_classes;
  std::vector<TrafficSpec> traffic;
  WorkloadSpec workload;
  std::vector<FaultSpec> faults;
  RandomFaultsSpec random_faults;
  RecoverySpec recovery;
  HorizonSpec horizon;
  TelemetryConfig telemetry;
  std::string base_dir = ".";  // where relative file names are resolved (not a key)
  ScenarioOrigin origin;
  void visit(ParamVisitor& v) override;
  Status validate() const override;
};

// A run's name names its results folder: not empty, no path separators or control
// characters, not "." or "..".
Status check_run_name(const std::string& name);

// Loads a scenario: `path` empty means the built-in default (examples/default.yaml). Overrides are
// applied before reading, so they are validated like file contents.
Result<std::unique_ptr<Scenario>> load_scenario(const std::string& path,
                                                const std::vector<std::string>& overrides);
// The same from YAML text (tests, the built-in default).
Result<std::unique_ptr<Scenario>> load_scenario_text(const std::string& yaml,
                                                     const std::string& source,
                                                     const std::vector<std::string>& overrides);

}  // namespace aifabric
