// `aifabric run` and `aifabric validate`.
#include <fmt/format.h>

#include <iostream>

#include "aifabric/scenario/outputs.h"
#include "aifabric/telemetry/sinks/summary_json/summary_json.h"
#include "cli.h"

namespace aifabric::cli {
namespace {

int run_scenario(const CommonOptions& o, const OutputOptions& oo) {
  auto scenario = load(o);
  if (!scenario) return bad_input(scenario.status().message());
  auto prepared = prepare_checked(**scenario, o.allow_large);
  if (!prepared) return bad_input(prepared.status().message());
  if (!oo.quiet) print_notes(*prepared);
  const std::string out = oo.out.empty() ? "results/" + (*scenario)->name : oo.out;
  auto folder = OutputFolder::claim(out, oo.force);
  if (!folder) return bad_input(folder.status().message());
  catch_interrupts();
  Progress progress(oo.progress && !oo.quiet, "", oo.progress_every);
  auto sim = simulate(*prepared, &progress);
  if (!sim) return bad_input(sim.status().message());
  if (const int sig = interrupted(); sig != 0) {
    std::cerr << "aifabric: interrupted; nothing written to " << out << "\n";
    return kInterruptedBase + sig;
  }
  if (auto st = write_run(**folder, **sim, *prepared); !st) return write_failed(st.message());
  if (const int sig = interrupted(); sig != 0) {
    std::cerr << "aifabric: interrupted; nothing written to " << out << "\n";
    return kInterruptedBase + sig;
  }
  if (auto st = (*folder)->commit(); !st) return write_failed(st.message());
  const RunReport& r = (*sim)->report;
  if (!oo.quiet) {
    std::cout << summary_text(r);
    std::cout << "results       " << out
              << "/ (summary.json, scenario.yaml, flows.csv, ports.csv, fct.txt, telemetry.sqlite, "
                 "report.html"
              << (prepared->job ? ", trace.json" : "") << (r.plan ? ", plan.csv" : "") << ")\n";
  }
  return r.verdict.status == Verdict::Status::kCompleted ? 0 : kIncomplete;
}

int validate_scenario(const CommonOptions& o) {
  auto scenario = load(o);
  if (!scenario) return bad_input(scenario.status().message());
  auto prepared = prepare_checked(**scenario, o.allow_large);
  if (!prepared) return bad_input(prepared.status().message());
  print_notes(*prepared);
  std::cout << fmt::format("ok: {} ({} hosts, {} switches, {} links, {} flows)\n",
                           (*scenario)->name, prepared->graph.hosts().size(),
                           prepared->graph.switch_count(), prepared->graph.links().size(),
                           prepared->flows.size());
  return 0;
}

}  // namespace

Command add_run(CLI::App& app) {
  auto o = std::make_shared<CommonOptions>();
  auto oo = std::make_shared<OutputOptions>();
  auto* run = app.add_subcommand("run", "simulate a scenario and write a results folder");
  add_common(run, *o);
  add_output(run, *oo, "results/<scenario name>");
  run->footer(
      "Writes summary.json, scenario.yaml (the resolved scenario, re-runnable), flows.csv,\n"
      "ports.csv, fct.txt (ns-3 layout), telemetry.sqlite and report.html into --out, and\n"
      "with them what applies: faults.csv (a faults: schedule), plan.csv, trace.json.\n"
      "Exit status: 0 completed; 3 the results are written but the run did not complete\n"
      "(stop_time reached, or flows failed: the verdict says which); 2 bad input (nothing\n"
      "written); 1 the results could not be written; 130/143 interrupted (nothing written).\n"
      "Example: aifabric run examples/default.yaml --seed 7 --set cc.algorithm=none --out /tmp/r");
  return {run, [o, oo] { return run_scenario(*o, *oo); }};
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
