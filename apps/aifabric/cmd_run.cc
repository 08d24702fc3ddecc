// `aifabric run` and `aifabric validate`.
#include <fmt/format.h>
#include <unistd.h>

#include <iostream>

#include "aifabric/scenario/outputs.h"
#include "aifabric/telemetry/sinks/summary_json/summary_json.h"
#include "cli.h"

namespace aifabric::cli {
namespace {

int run_scenario(const CommonOptions& o, std::string out, bool quiet) {
  auto scenario = load(o);
  if (!scenario) return bad_input(scenario.status().message());
  if (!quiet) print_notes(**scenario);
  auto prepared = prepare_run(**scenario);
  if (!prepared) return bad_input(prepared.status().message());
  if (out.empty()) out = "results/" + (*scenario)->name;
  std::unique_ptr<TerminalProgress> progress;
  if (!quiet && isatty(STDERR_FILENO))
    progress = std::make_unique<TerminalProgress>((*scenario)->stop_time);
  auto sim = simulate(*prepared, progress.get());
  progress.reset();
  if (!sim) return bad_input(sim.status().message());
  if (auto st = write_results(out, **sim, *prepared); !st) return write_failed(st.message());
  if (!quiet) {
    std::cout << summary_text((*sim)->report);
    std::cout << "results       " << out
              << "/ (summary.json, flows.csv, ports.csv, fct.txt, telemetry.sqlite, report.html"
              << (prepared->job ? ", trace.json" : "") << ((*sim)->report.plan ? ", plan.csv" : "")
              << ")\n";
  }
  return 0;
}

int validate_scenario(const CommonOptions& o) {
  auto scenario = load(o);
  if (!scenario) return bad_input(scenario.status().message());
  auto prepared = prepare_run(**scenario);
  if (!prepared) return bad_input(prepared.status().message());
  print_notes(**scenario);
  std::cout << fmt::format("ok: {} ({} hosts, {} switches, {} links, {} flows)\n",
                           (*scenario)->name, prepared->graph.hosts().size(),
                           prepared->graph.switch_count(), prepared->graph.links().size(),
                           prepared->flows.size());
  return 0;
}

}  // namespace

Command add_run(CLI::App& app) {
  auto o = std::make_shared<CommonOptions>();
  auto out = std::make_shared<std::string>();
  auto quiet = std::make_shared<bool>(false);
  auto* run = app.add_subcommand("run", "simulate a scenario and write a results folder");
  add_common(run, *o);
  run->add_option("--out", *out, "results folder (default results/<scenario name>)");
  run->add_flag("--quiet,-q", *quiet, "print nothing but errors");
  run->footer(
      "Writes summary.json, flows.csv, ports.csv and fct.txt (ns-3 layout) into --out.\n"
      "Example: aifabric run examples/default.yaml --seed 7 --set cc.algorithm=none --out /tmp/r");
  return {run, [o, out, quiet] { return run_scenario(*o, *out, *quiet); }};
}

Command add_validate(CLI::App& app) {
  auto o = std::make_shared<CommonOptions>();
  auto* validate = app.add_subcommand(
      "validate", "check a scenario (and the files it names) without running it");
  add_common(validate, *o);
  validate->footer("Example: aifabric validate examples/fat-tree-permutation.yaml");
  return {validate, [o] { return validate_scenario(*o); }};
}

}  // namespace aifabric::cli
