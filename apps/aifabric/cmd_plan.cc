// `aifabric plan`: the build-out planner (plan/bom.h) from the command line: the bill of
// materials of a design, or every design side by side, and a scenario file that runs it.
#include <yaml-cpp/yaml.h>

#include <fstream>
#include <iostream>
#include <sstream>

#include "aifabric/plan/bom.h"
#include "aifabric/scenario/scenario.h"
#include "aifabric/scenario/yaml_reader.h"
#include "cli.h"

namespace aifabric::cli {
namespace {

struct PlanOptions {
  std::vector<std::pair<std::string, std::string>> keys;  // (key, text) given
  bool json = false;
  bool compare = false;
  std::string prices;
  std::string write_scenario;
};

// "nic_rate: why" -> "--nic-rate: why".
std::string name_option(std::string msg) {
  const size_t colon = msg.find(':');
  if (colon == std::string::npos) return msg;
  std::string key = msg.substr(0, colon);
  if (key.find(' ') != std::string::npos) return msg;
  for (char& ch : key) {
    if (ch == '_') ch = '-';
  }
  return "--" + key + msg.substr(colon);
}

int run_plan(const PlanOptions& o) {
  YAML::Node node(YAML::NodeType::Map);
  std::string design = "two_tier";
  for (const auto& [k, v] : o.keys) {
    std::string value = v;
    if (k == "design" || k == "host_links") {
      for (char& ch : value) {
        if (ch == '-') ch = '_';
      }
    }
    if (k == "design") design = value;
    node[k] = value;
  }
  const bool all = o.compare || design == "all";
  if (all) node["design"] = "two_tier";
  PlanConfig c;
  if (auto st = read_params(node, c, "plan"); !st) {
    std::string m = st.message();
    if (m.rfind("plan: ", 0) == 0) m = m.substr(6);
    return bad_input(name_option(m));
  }
  PriceTable table;
  if (!o.prices.empty()) {
    std::ifstream in(o.prices);
    if (!in) return bad_input("--prices: cannot read " + o.prices);
    std::stringstream ss;
    ss << in.rdbuf();
    auto y = load_yaml(ss.str(), o.prices, true);
    if (!y) return bad_input("--prices: " + y.status().message());
    if (auto st = read_params(*y, table, o.prices); !st)
      return bad_input("--prices: " + st.message());
  }
  std::vector<BillOfMaterials> plans;
  std::vector<std::string> refused;
  if (all) {
    for (auto& r : plan_all(c)) {
      if (r) {
        plans.push_back(*r);
      } else {
        refused.push_back(r.status().message());
      }
    }
    if (plans.empty()) return bad_input(refused.front());
  } else {
    auto r = plan_fabric(c);
    if (!r) return bad_input(name_option(r.status().message()));
    plans.push_back(*r);
  }
  std::vector<Costs> costs;
  for (const auto& b : plans) {
    auto cost = price(b, table);
    if (!cost) return bad_input("--prices: " + cost.status().message());
    costs.push_back(*cost);
  }
  if (!o.write_scenario.empty()) {
    if (all) return bad_input("--write-scenario: choose one --design (not all / --compare)");
    const std::string text = scenario_yaml(plans.front(), command_line());
    auto check = load_scenario_text(text, o.write_scenario, {});
    if (!check) return bad_input("--write-scenario: internal: " + check.status().message());
    std::ofstream out(o.write_scenario);
    if (!(out << text)) return write_failed("--write-scenario: cannot write " + o.write_scenario);
  }
  if (o.json) {
    nlohmann::json j;
    if (all) {
      for (size_t i = 0; i < plans.size(); ++i) j["plans"].push_back(bom_json(plans[i], &costs[i]));
      j["refused"] = refused;
    } else {
      j = bom_json(plans.front(), &costs.front());
    }
    std::cout << j.dump(2) << "\n";
  } else {
    std::cout << bom_table(plans, costs);
    for (const auto& r : refused) std::cout << "refused: " << r << "\n";
  }
  if (!o.write_scenario.empty()) std::cerr << "scenario: " << o.write_scenario << "\n";
  return 0;
}

}  // namespace

Command add_plan(CLI::App& app) {
  auto o = std::make_shared<PlanOptions>();
  auto* cmd = app.add_subcommand(
      "plan",
      "plan a fabric build-out: switches per tier, links, optical modules, fibers, bisection, "
      "reach, power and cost");
  const auto key = [cmd, o](const std::string& flag, const std::string& k, const std::string& doc) {
    cmd->add_option_function<std::string>(
        flag, [o, k](const std::string& v) { o->keys.emplace_back(k, v); }, doc);
  };
  key("--gpus", "gpus", "GPUs in the cluster");
  key("--gpus-per-server", "gpus_per_server", "GPUs per server (default 8)");
  key("--nic-rate", "nic_rate", "rate of one NIC port, e.g. 400Gbps");
  key("--nic-ports", "nic_ports", "ports (or breakout lanes) per GPU NIC (default 1)");
  key("--nic-ports-per-module", "nic_ports_per_module",
      "NIC ports one optical module carries (default 1)");
  key("--switch-capacity", "switch_capacity", "switch capacity, e.g. 51.2Tbps");
  key("--switch-port-rate", "switch_port_rate", "switch cage rate, e.g. 800Gbps (default)");
  key("--fabric-link-rate", "fabric_link_rate",
      "leaf-spine / spine-core link rate (default nic rate)");
  key("--design", "design",
      "two_tier | three_tier | rail_optimized | rail_optimized3 | multi_plane | all");
  key("--oversubscription", "oversubscription", "leaf down:up bandwidth (default 1)");
  key("--spine-oversubscription", "spine_oversubscription", "3-tier spine down:up (default 1)");
  key("--planes", "planes", "multi_plane planes (default 0: the fewest that fit)");
  key("--host-links", "host_links", "auto | optical | copper (DAC, <= 3 m)");
  key("--servers-per-rack", "servers_per_rack", "servers per rack (auto host links; default 4)");
  key("--fiber-lane-rate", "fiber_lane_rate", "rate per fiber pair (default 100Gbps)");
  cmd->add_flag("--json", o->json, "the plan as JSON");
  cmd->add_flag("--compare", o->compare, "every design side by side (= --design all)");
  cmd->add_option("--prices", o->prices,
                  "price/power table (YAML or JSON; default: illustrative placeholders)");
  cmd->add_option("--write-scenario", o->write_scenario,
                  "write a scenario YAML that runs the design with an existing topology builder");
  cmd->footer(
      "Counting rules: docs/topologies-planner.md. Power and cost use placeholder figures\n"
      "unless --prices names your table. Exit status 2 on bad input (nothing written).\n"
      "Example: aifabric plan --gpus 10240 --gpus-per-server 8 --nic-rate 400Gbps "
      "--switch-capacity 51.2Tbps --design multi-plane --json");
  return {cmd, [o] { return run_plan(*o); }};
}

}  // namespace aifabric::cli
