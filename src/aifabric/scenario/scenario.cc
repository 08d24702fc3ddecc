#include "aifabric/scenario/scenario.h"

#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "aifabric/lb/load_balancer.h"
#include "aifabric/scenario/default_scenario.h"
#include "aifabric/scenario/yaml_reader.h"
#include "aifabric/transport/cc/congestion_control.h"

namespace aifabric {

void TopologySpec::visit(ParamVisitor& v) {
  const VariantOption options[] = {
      {"leaf_spine", "2-tier leaf-spine (CLOS) with any oversubscription", &leaf_spine},
      {"fat_tree", "3-tier k-ary fat-tree", &fat_tree},
      {"ns3", "a topology file in the ns-3 RDMA format", &ns3},
      {"rail_optimized", "GPU servers whose GPU g connects to the rail-g leaf; leaves to spines",
       &rail_optimized},
  };
  v.variant("type", type, options, "topology kind");
  v.param("failed_links", failed_links,
          "links down for the whole run, as \"leaf0-spine1, leaf2-spine0\"; routing (and the "
          "planned-path controller) avoid them");
  v.param("degraded_links", degraded_links,
          "links running below their rate, as \"leaf0-spine1=100Gbps\" (both directions)");
}

void TrafficSpec::visit(ParamVisitor& v) {
  const VariantOption options[] = {
      {"permutation", "every host sends one flow to another, no host receiving twice",
       &permutation},
      {"incast", "N hosts send to one receiver at once", &incast},
      {"all_to_all", "every host sends one flow to every other", &all_to_all},
      {"file", "flows from a CSV file", &file},
      {"ns3", "flows from an ns-3 RDMA flow file", &ns3},
  };
  v.variant("type", type, options, "traffic kind");
}

AlgorithmChoice::AlgorithmChoice(Family f) : family(f) {
  if (f == kCc) {
    for (const auto& a : cc_algorithms()) params.push_back(a.make_params());
  } else {
    for (const auto& a : lb_algorithms()) params.push_back(a.make_params());
  }
}

void AlgorithmChoice::visit(ParamVisitor& v) {
  std::vector<VariantOption> options;
  if (family == kCc) {
    const auto all = cc_algorithms();
    for (size_t i = 0; i < all.size(); ++i)
      options.push_back({all[i].name, all[i].doc, params[i].get()});
    v.variant("algorithm", index, options, "congestion control of every queue pair");
  } else {
    const auto all = lb_algorithms();
    for (size_t i = 0; i < all.size(); ++i)
      options.push_back({all[i].name, all[i].doc, params[i].get()});
    v.variant("algorithm", index, options,
              "load-balancing scheme: at the switches, at the senders (spray) or by a path "
              "controller (planned)");
  }
}

Scenario::Scenario() = default;

void Scenario::visit(ParamVisitor& v) {
  v.param("name", name, "scenario name (names the default output folder)");
  v.param("seed", seed, "run seed: ECMP hashes, source ports, generators, ECN coin flips",
          Range{0, 9.2e18});
  v.param("stop_time", stop_time, "simulated-time limit; unfinished flows are reported as such");
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
  v.section("telemetry", telemetry, "sampled port and queue-pair telemetry");
}

Status Scenario::validate() const {
  if (stop_time <= Time::zero()) return Status::error("stop_time must be positive");
  for (size_t i = 0; i < lb_classes.size(); ++i) {
    for (size_t j = 0; j < i; ++j) {
      if (lb_classes[i].priority == lb_classes[j].priority) {
        return Status::error("lb_classes." + std::to_string(i) + ": priority " +
                             std::to_string(lb_classes[i].priority) +
                             " already has a scheme (lb_classes." + std::to_string(j) + ")");
      }
    }
  }
  if (workload.is_job()) {
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
  YAML::Node root;
  try {
    root = YAML::Load(yaml);
  } catch (const YAML::ParserException& e) {
    return Status::error(source + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
  if (root && !root.IsNull() && !root.IsMap()) {
    return Status::error(source + ": expected a map of keys at the top level");
  }
  for (const auto& o : overrides) {
    if (auto s = apply_override(root, o); !s) return s;
  }
  auto scenario = std::make_unique<Scenario>();
  if (auto s = read_params(root, *scenario, source); !s) return s;
  return scenario;
}

Result<std::unique_ptr<Scenario>> load_scenario(const std::string& path,
                                                const std::vector<std::string>& overrides) {
  if (path.empty()) return load_scenario_text(kDefaultScenarioYaml, "default scenario", overrides);
  std::ifstream in(path);
  if (!in) return Status::error(path + ": cannot read the file");
  std::stringstream ss;
  ss << in.rdbuf();
  auto r = load_scenario_text(ss.str(), path, overrides);
  if (!r) return r;
  r.value()->base_dir = std::filesystem::path(path).parent_path().string();
  if (r.value()->name == "default") r.value()->name = std::filesystem::path(path).stem().string();
  if (r.value()->base_dir.empty()) r.value()->base_dir = ".";
  return r;
}

}  // namespace aifabric
