// `aifabric sweep`: the scenario once per value of one key; each run's results go to
// OUT/<key>=<value>/, and one table compares them.
#include <iostream>

#include "aifabric/scenario/outputs.h"
#include "aifabric/scenario/sweep.h"
#include "cli.h"

namespace aifabric::cli {
namespace {

int sweep(const CommonOptions& o, const std::string& vary_text, std::string out, bool quiet) {
  auto vary = parse_vary(vary_text);
  if (!vary) return bad_input(vary.status().message());
  // Check every variant before running any, so bad input writes nothing.
  std::vector<std::unique_ptr<Scenario>> scenarios;
  std::vector<PreparedRun> runs;
  for (const auto& v : vary->values) {
    CommonOptions one = o;
    one.sets.push_back(vary->key + "=" + v);
    auto s = load(one);
    if (!s) return bad_input(s.status().message());
    scenarios.push_back(std::move(s).value());
  }
  if (!quiet) {
    for (const auto& s : scenarios) print_notes(*s);
  }
  for (const auto& s : scenarios) {
    auto p = prepare_run(*s);
    if (!p) return bad_input(p.status().message());
    runs.push_back(std::move(p).value());
  }
  if (out.empty()) out = "results/" + scenarios[0]->name + "-sweep";
  std::string table;
  for (size_t i = 0; i < runs.size(); ++i) {
    auto sim = simulate(runs[i], nullptr);
    if (!sim) return bad_input(sim.status().message());
    const std::string dir = out + "/" + vary->key + "=" + vary->values[i];
    if (auto st = write_results(dir, **sim, runs[i]); !st) return write_failed(st.message());
    if (i == 0) table = sweep_header(vary->key, (*sim)->report);
    table += sweep_row(vary->values[i], (*sim)->report);
    if (!quiet) std::cerr << "  " << vary->key << "=" << vary->values[i] << " done\n";
  }
  if (!quiet) std::cout << table << "results       " << out << "/<key>=<value>/\n";
  return 0;
}

}  // namespace

Command add_sweep(CLI::App& app) {
  auto o = std::make_shared<CommonOptions>();
  auto vary = std::make_shared<std::string>();
  auto out = std::make_shared<std::string>();
  auto quiet = std::make_shared<bool>(false);
  auto* cmd = app.add_subcommand("sweep", "run a scenario once per value of one key; one table");
  add_common(cmd, *o);
  cmd->add_option("--vary", *vary, "KEY=V1,V2,... the key to vary and its values")->required();
  cmd->add_option("--out", *out, "results folder (default results/<name>-sweep)");
  cmd->add_flag("--quiet,-q", *quiet, "print nothing but errors");
  cmd->footer(
      "Example: aifabric sweep examples/bandwidth-sweep.yaml "
      "--vary topology.host_link.rate=25Gbps,50Gbps,100Gbps,200Gbps,400Gbps");
  return {cmd, [o, vary, out, quiet] { return sweep(*o, *vary, *out, *quiet); }};
}

}  // namespace aifabric::cli
