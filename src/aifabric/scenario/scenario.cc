#include "aifabric/scenario/scenario.h"

#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <fstream>
#include <system_error>

#include "aifabric/core/line_reader.h"
#include "aifabric/core/parse.h"
#include "aifabric/net/packet.h"
#include "aifabric/scenario/default_scenario.h"
#include "aifabric/scenario/profiles/profiles.h"
#include "aifabric/scenario/yaml_reader.h"

namespace aifabric {

void TopologySpec::visit(ParamVisitor& v) {
  kind.visit(v);
  v.param("failed_links", failed_links,
          "links down for the whole run, as \"leaf0-spine1, leaf2-spine0\"; routing (and the "
          "planned-path controller) avoid them");
  v.param("degraded_links", degraded_links,
          "links running below their rate, as \"leaf0-spine1=100Gbps\" (both directions)");
}

Scenario::Scenario() = default;

void Scenario::visit(ParamVisitor& v) {
  v.param("name", name, "scenario name (names the default output folder)");
  v.param("seed", seed, "run seed: ECMP hashes, source ports, generators, ECN coin flips",
          Range{0, 9.2e18});
  v.param("stop_time", stop_time,
          "simulated-time limit; unfinished flows are reported as such. 0 = auto: until "
          "every flow (or the job) has finished, capped at the last start + max(1 s, 20 x the "
          "busiest NIC's bytes at line rate) (a job: 1 s + 10 x its alpha-beta estimate)");
  v.choice("engine", engine, kFlowListEngines,
           "what moves the traffic list: packet (the packet-level fabric) or flow (max-min fair "
           "fluid flows on the same paths, docs/flow-level.md); a workload's is "
           "workload.backend");
  v.section("topology", topology, "the network graph");
  v.section("switch", switch_config, "every switch");
  v.section("transport", transport, "the RoCEv2-like reliable transport of every NIC");
  v.section("cc", cc, "congestion control (algorithm: name, then its parameters)");
  v.section("lb", lb, "load balancing (algorithm: name, then its parameters)");
  ParamsVector<LbClassSpec> classes(lb_classes);
  v.list("lb_classes", classes,
         "per traffic class: a priority and a load-balancing algorithm (with its parameters) "
         "used for that class instead of `lb`, e.g. ACKs on ECMP while data is sprayed");
  ParamsVector<TrafficSpec> list(traffic);
  v.list("traffic", list, "flows: a list of generators and flow files");
  v.section("workload", workload, "a training job (instead of a traffic list)");
  ParamsVector<FaultSpec> fault_list(faults);
  v.list("faults", fault_list,
         "faults during the run, each at its time: link_down/up, flap, degrade/restore, ber, "
         "switch_down/up, nic_down/up (docs/faults.md)");
  v.section("random_faults", random_faults,
            "faults drawn per element from MTBF/MTTR over stop_time, seeded by the run seed");
  v.section("recovery", recovery,
            "how the fabric recovers from faults (detection, data-plane fast recovery, control "
            "plane) and what a failed job costs (checkpoints, restart)");
  v.section("horizon", horizon,
            "the training time faults cost over a long horizon (a month), from per-fault "
            "costs measured at packet level (docs/faults.md)");
  v.section("telemetry", telemetry, "sampled port and queue-pair telemetry");
}

Status check_run_name(const std::string& name) {
  if (name.empty()) return Status::error("name: must not be empty (it names the results folder)");
  if (name == "." || name == "..") return Status::error("name: '" + name + "' is not a name");
  if (name.size() > 128) return Status::error("name: longer than 128 characters");
  for (const char c : name) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '/' || c == '\\' || u < 0x20 || u == 0x7f) {
      return Status::error(
          "name: may not contain '/', '\\' or control characters (it names "
          "the results folder)");
    }
  }
  return Status::ok();
}

Status Scenario::validate() const {
  if (auto st = check_run_name(name); !st) return st;
  if (stop_time < Time::zero()) return Status::error("stop_time must not be negative");
  const int64_t max_frame = transport.mtu.count() + kRoceHeaderBytes + kL1OverheadBytes;
  if (switch_config.buffer.count() < max_frame) {
    return Status::error("switch.buffer: " + std::to_string(switch_config.buffer.count()) +
                         " B cannot hold one frame (" + std::to_string(max_frame) +
                         " B: transport.mtu plus headers)");
  }
  for (size_t i = 0; i < lb_classes.size(); ++i) {
    for (size_t j = 0; j < i; ++j) {
      if (lb_classes[i].priority == lb_classes[j].priority) {
        return Status::error("lb_classes." + std::to_string(i) + ": priority " +
                             std::to_string(lb_classes[i].priority) +
                             " already has a scheme (lb_classes." + std::to_string(j) + ")");
      }
    }
  }
  if (cc.selected().pull_share != nullptr && !transport.recovery.selected().tolerates_reordering) {
    return Status::error("cc.algorithm: " + std::string(cc.selected().name) +
                         " resends exactly the packets switches trim, which transport.recovery: " +
                         std::string(transport.recovery.selected().name) +
                         " cannot (it resends everything after a gap and discards what arrives "
                         "out of order): set transport.recovery: selective");
  }
  if (workload.is_job()) {
    if (engine_name() != "packet") {
      return Status::error(
          "engine: a workload's engine is workload.backend (set "
          "workload.backend: " +
          std::string(engine_name()) + ")");
    }
    if (!traffic.empty()) {
      return Status::error(
          "traffic: a scenario with a workload (type llm or collective) takes "
          "no traffic list");
    }
  } else if (traffic.empty()) {
    return Status::error("traffic: the list is empty (nothing to simulate)");
  }
  return Status::ok();
}

Result<std::unique_ptr<Scenario>> load_scenario_text(const std::string& yaml,
                                                     const std::string& source,
                                                     const std::vector<std::string>& overrides) {
  auto root = load_yaml(yaml, source, /*lines=*/true);
  if (!root) return root.status();
  if (*root && !root->IsNull() && !root->IsMap()) {
    return Status::error(source + ": expected a map of keys at the top level");
  }
  for (const auto& o : overrides) {
    if (auto s = apply_override(*root, o); !s) return s;
  }
  std::vector<std::string> profile = apply_transport_profile(*root);
  auto scenario = std::make_unique<Scenario>();
  if (auto s = read_params(*root, *scenario, source, overrides); !s) return s;
  scenario->origin.overrides = overrides;
  scenario->origin.profile_settings = std::move(profile);
  return scenario;
}

Result<std::unique_ptr<Scenario>> load_scenario(const std::string& path,
                                                const std::vector<std::string>& overrides) {
  if (path.empty()) return load_scenario_text(kDefaultScenarioYaml, "default scenario", overrides);
  // A scenario is a small regular file: a FIFO, a device or a huge file is refused
  // before it is read (docs/reliability.md).
  const std::string shown = printable(path);
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return Status::error(shown + ": cannot read the file");
  if (Status s = check_input_file(path, kMaxScenarioBytes); !s) return s.with_context(shown);
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::error(shown + ": cannot read the file");
  auto text = read_bounded(in, shown, kMaxScenarioBytes);
  if (!text) return text.status();
  auto r = load_scenario_text(*text, shown, overrides);
  if (!r) return r;
  r.value()->base_dir = std::filesystem::path(path).parent_path().string();
  r.value()->origin.file = path;
  if (r.value()->name == "default") {
    r.value()->name = std::filesystem::path(path).stem().string();
    if (auto st = check_run_name(r.value()->name); !st) return st.with_context(path);
  }
  if (r.value()->base_dir.empty()) r.value()->base_dir = ".";
  return r;
}

}  // namespace aifabric
