#include "cli.h"

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <iostream>

namespace aifabric::cli {

int bad_input(const std::string& msg) {
  std::cerr << "aifabric: " << msg << "\n";
  return kBadInput;
}

int write_failed(const std::string& msg) {
  std::cerr << "aifabric: " << msg << "\n";
  return kWriteFailed;
}

void add_common(CLI::App* cmd, CommonOptions& o) {
  cmd->add_option("scenario", o.scenario, "scenario file (YAML); omit for the built-in default");
  cmd->add_option("--set", o.sets,
                  "override a scenario key, e.g. --set switch.ecn.k_min=50KB (repeatable)")
      ->type_name("KEY=VALUE");
  cmd->add_option("--seed", o.seed, "run seed (overrides the scenario's)");
  cmd->add_option("--ns3-topology", o.ns3_topology,
                  "topology file in the ns-3 RDMA (HPCC/SimAI/ASTRA-sim) format");
  cmd->add_option("--ns3-flows", o.ns3_flows, "flow file in the ns-3 RDMA format");
}

Result<std::unique_ptr<Scenario>> load(const CommonOptions& o) {
  std::vector<std::string> overrides;
  if (!o.ns3_topology.empty()) {
    overrides.push_back("topology={type: ns3, file: \"" +
                        std::filesystem::absolute(o.ns3_topology).string() + "\"}");
  }
  if (!o.ns3_flows.empty()) {
    overrides.push_back("traffic=[{type: ns3, file: \"" +
                        std::filesystem::absolute(o.ns3_flows).string() + "\"}]");
  }
  if (o.seed >= 0) overrides.push_back("seed=" + std::to_string(o.seed));
  overrides.insert(overrides.end(), o.sets.begin(), o.sets.end());
  auto s = load_scenario(o.scenario, overrides);
  if (s && !o.ns3_topology.empty() && o.scenario.empty()) {
    s.value()->name = std::filesystem::path(o.ns3_topology).stem().string();
  }
  return s;
}

void print_notes(const Scenario& s) {
  for (const auto& n : scenario_notes(s)) std::cerr << "aifabric: note: " << n << "\n";
}

void TerminalProgress::progress(const Simulator& sim, size_t done, size_t total) {
  const auto now = std::chrono::steady_clock::now();
  const double wall = std::chrono::duration<double>(now - start_).count();
  if (wall < 2.0 || std::chrono::duration<double>(now - last_).count() < 0.5) return;
  last_ = now;
  const double frac = total > 0 ? static_cast<double>(done) / static_cast<double>(total) : 0;
  const double eta = frac > 0 ? wall * (1 - frac) / frac : 0;
  std::fprintf(stderr,
               "\r  simulated %.3f ms of at most %.3f ms | flows %zu/%zu (%.0f%%) | %.1f M ev/s "
               "| ETA %.0f s   ",
               sim.now().to_ms(), stop_.to_ms(), done, total, 100 * frac,
               static_cast<double>(sim.events_processed()) / wall / 1e6, eta);
  shown_ = true;
}

TerminalProgress::~TerminalProgress() {
  if (shown_) std::fprintf(stderr, "\r%100s\r", "");
}

}  // namespace aifabric::cli
