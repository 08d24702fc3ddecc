#include "cli.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <iostream>

#include "aifabric/scenario/ns3/config.h"
#include "aifabric/scenario/resources.h"
#include "aifabric/scenario/yaml_writer.h"

namespace aifabric::cli {

int bad_input(const std::string& msg) {
  std::cerr << "aifabric: " << msg << "\n";
  return kBadInput;
}

int write_failed(const std::string& msg) {
  std::cerr << "aifabric: " << msg << "\n";
  return kWriteFailed;
}

namespace {
std::string& command_text() {
  static std::string text;
  return text;
}
}  // namespace

void record_command_line(int argc, char** argv) {
  std::string out;
  for (int i = 0; i < argc; ++i) {
    std::string a = argv[i];
    if (i == 0) a = std::filesystem::path(a).filename().string();
    const bool plain = !a.empty() && a.find_first_not_of(
                                         "abcdefghijklmnopqrstuvwxyz"
                                         "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
                                         "_-./=:,+@%") == std::string::npos;
    if (!plain) {
      std::string q = "'";
      for (char c : a) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
      a = q + "'";
    }
    out += (i ? " " : "") + a;
  }
  command_text() = out;
}

const std::string& command_line() {
  return command_text();
}

void add_common(CLI::App* cmd, CommonOptions& o) {
  cmd->add_option("scenario", o.scenario, "scenario file (YAML); omit for the built-in default");
  cmd->add_option("--set", o.sets,
                  "override a scenario key, e.g. --set switch.ecn.k_min=50KB (repeatable)")
      ->type_name("KEY=VALUE");
  cmd->add_option("--seed", o.seed, "run seed (overrides the scenario's)")
      ->check(CLI::Range(int64_t{0}, int64_t{9'000'000'000'000'000'000}));
  cmd->add_flag("--allow-large", o.allow_large,
                "run even when the estimated memory exceeds the budget (AIFABRIC_MEMORY_BUDGET, "
                "default 80 % of this machine's memory)");
  cmd->add_option("--ns3-topology", o.ns3_topology,
                  "topology file in the ns-3 RDMA (HPCC/SimAI/ASTRA-sim) format");
  cmd->add_option("--ns3-flows", o.ns3_flows, "flow file in the ns-3 RDMA format");
  cmd->add_option("--ns3-config", o.ns3_config,
                  "config file of the ns-3 RDMA (HPCC) simulator, e.g. its mix/config.txt: its "
                  "keys become scenario overrides (--ns3-topology, --ns3-flows and --set win)");
}

Result<std::unique_ptr<Scenario>> load(const CommonOptions& o) {
  std::vector<std::string> overrides;
  std::optional<Ns3ConfigScenario> ns3;
  if (!o.ns3_config.empty()) {
    // The config's overrides name the files the command line gives, if it does.
    auto m = load_ns3_config(o.ns3_config, {o.ns3_topology, o.ns3_flows});
    if (!m) return m.status();
    ns3 = std::move(m).value();
    overrides = ns3->overrides;
  } else if (!o.ns3_topology.empty()) {
    overrides.push_back("topology={type: ns3, file: " +
                        yaml_scalar(std::filesystem::absolute(o.ns3_topology).string()) + "}");
  }
  if (!o.ns3_flows.empty() && !ns3) {
    overrides.push_back("traffic=[{type: ns3, file: " +
                        yaml_scalar(std::filesystem::absolute(o.ns3_flows).string()) + "}]");
  }
  if (o.seed) overrides.push_back("seed=" + std::to_string(*o.seed));
  overrides.insert(overrides.end(), o.sets.begin(), o.sets.end());
  auto s = load_scenario(o.scenario, overrides);
  if (!s) return s;
  Scenario& sc = **s;
  // Named after the ns-3 file, unless --set names it.
  const bool named = std::any_of(o.sets.begin(), o.sets.end(),
                                 [](const std::string& a) { return a.rfind("name=", 0) == 0; });
  if (o.scenario.empty() && !named && (ns3 || !o.ns3_topology.empty())) {
    sc.name = std::filesystem::path(ns3 ? o.ns3_config : o.ns3_topology).stem().string();
    if (auto st = check_run_name(sc.name); !st) return st;
  }
  if (ns3) {
    sc.origin.ns3_config = std::filesystem::absolute(o.ns3_config).lexically_normal().string();
    sc.origin.notes = ns3->notes;
  }
  sc.origin.command = command_line();
  return s;
}

Result<PreparedRun> prepare_checked(const Scenario& s, bool allow_large) {
  if (auto st = check_estimate(estimate_scenario(s), allow_large); !st) return st;
  auto run = prepare_run(s);
  if (!run) return run;
  if (auto st = check_estimate(estimate_prepared(*run), allow_large); !st) return st;
  return run;
}

void print_notes(const PreparedRun& run) {
  for (const auto& n : run.notes) std::cerr << "aifabric: note: " << n << "\n";
}

namespace {
volatile std::sig_atomic_t g_signal = 0;  // written by the handler only
void on_signal(int sig) {
  g_signal = sig;
  std::signal(sig, SIG_DFL);  // a second one ends the process at once
}
}  // namespace

void catch_interrupts() {
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
}

int interrupted() {
  return static_cast<int>(g_signal);
}

Progress::Progress(bool show, std::string label, double every)
    : show_(show),
      tty_(isatty(STDERR_FILENO) != 0),
      first_(every > 0 ? every : (tty_ ? 2.0 : 5.0)),
      every_(every > 0 ? every : (tty_ ? 0.5 : 5.0)),
      label_(std::move(label)),
      start_(std::chrono::steady_clock::now()),
      last_(start_) {}

bool Progress::progress(const RunProgress& p) {
  if (interrupted() != 0) return false;
  if (!show_) return true;
  const auto now = std::chrono::steady_clock::now();
  const double wall = std::chrono::duration<double>(now - start_).count();
  const double since = std::chrono::duration<double>(now - last_).count();
  if (wall < first_ || since < every_) return true;
  last_ = now;
  double frac = 0;
  if (p.bytes_total > 0) {
    frac = static_cast<double>(p.bytes_done) / static_cast<double>(p.bytes_total);
  }
  if (p.expected_end > Time::zero())
    frac = std::max(frac, std::min(p.now.to_seconds() / p.expected_end.to_seconds(), 0.99));
  std::string eta = "ETA -";
  if (frac > 0.001) eta = fmt::format("ETA {:.0f} s", wall * (1 - frac) / frac);
  const std::string line = fmt::format(
      "{}simulated {:.3f} ms | flows {}/{} | {:.1f} of {:.1f} MB ({:.0f} %) | {:.1f} M events/s | "
      "{:.0f} s wall, {}",
      label_, p.now.to_ms(), p.flows_done, p.flows_total, static_cast<double>(p.bytes_done) / 1e6,
      static_cast<double>(p.bytes_total) / 1e6, 100 * frac,
      static_cast<double>(p.events) / std::max(wall, 1e-9) / 1e6, wall, eta);
  if (tty_) {
    std::fprintf(stderr, "\r  %-118s", line.c_str());
  } else {
    std::fprintf(stderr, "aifabric: progress: %s\n", line.c_str());
  }
  std::fflush(stderr);
  shown_ = true;
  return true;
}

Progress::~Progress() {
  if (shown_ && tty_) std::fprintf(stderr, "\r%120s\r", "");
}

void add_output(CLI::App* cmd, OutputOptions& o, const std::string& default_out) {
  cmd->add_option("--out", o.out, "results folder (default " + default_out + ")");
  cmd->add_flag("--force", o.force,
                "replace --out even if aifabric did not write it (an aifabric folder is always "
                "replaced whole)");
  cmd->add_flag("--quiet,-q", o.quiet, "print nothing but errors");
  cmd->add_flag("!--no-progress", o.progress,
                "no progress lines on stderr (by default: on a terminal after 2 s, elsewhere every "
                "5 s)");
  cmd->add_option("--progress-every", o.progress_every,
                  "seconds of wall time between progress lines (default: 2 s then 0.5 s on a "
                  "terminal, 5 s elsewhere)")
      ->check(CLI::PositiveNumber);
}

}  // namespace aifabric::cli
