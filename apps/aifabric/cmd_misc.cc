// `aifabric workload`, `report`, `compare` and `list`.
#include <iostream>

#include "aifabric/scenario/describe.h"
#include "aifabric/scenario/outputs.h"
#include "aifabric/telemetry/report/compare.h"
#include "aifabric/telemetry/report/report_html.h"
#include "aifabric/workload/llm/llm_workload.h"
#include "cli.h"

namespace aifabric::cli {

Command add_workload(CLI::App& app) {
  auto o = std::make_shared<CommonOptions>();
  auto json = std::make_shared<bool>(false);
  auto* cmd = app.add_subcommand("workload",
                                 "print a training job's per-iteration plan: parameters, FLOPs, "
                                 "traffic per parallelism and per GPU, NVLink or network");
  add_common(cmd, *o);
  cmd->add_flag("--json", *json, "the plan as JSON, for scripts");
  cmd->footer(
      "Example: aifabric workload examples/gpt3-175b-1024gpu.yaml --set workload.parallel.dp=32 "
      "--set workload.parallel.global_batch=3072");
  return {
      cmd, [o, json] {
        auto scenario = load(*o);
        if (!scenario) return bad_input(scenario.status().message());
        const auto* w = dynamic_cast<const LlmWorkloadSpec*>(&(*scenario)->workload.kind.params());
        if (w == nullptr) {
          return bad_input((o->scenario.empty() ? std::string("default scenario") : o->scenario) +
                           ": workload.type is not llm (nothing to plan)");
        }
        auto plan = make_plan(w->model, w->parallel, w->cluster);
        if (!plan) return bad_input(plan.status().message());
        std::cout << (*json ? plan_json(*plan).dump(2) + "\n" : plan_table(*plan));
        return 0;
      }};
}

Command add_report(CLI::App& app) {
  auto dir = std::make_shared<std::string>();
  auto* cmd = app.add_subcommand("report", "rebuild report.html of a results folder");
  cmd->add_option("dir", *dir, "a results folder written by aifabric run")->required();
  cmd->footer("Example: aifabric report results/default");
  return {cmd, [dir] {
            if (auto st = check_results_folder(*dir); !st) return bad_input(st.message());
            if (auto st = write_report_html(*dir); !st) return bad_input(st.message());
            std::cout << *dir << "/report.html\n";
            return 0;
          }};
}

Command add_compare(CLI::App& app) {
  auto dirs = std::make_shared<std::vector<std::string>>();
  auto* cmd = app.add_subcommand("compare", "put results folders side by side");
  cmd->add_option("dirs", *dirs, "results folders written by aifabric run")->required();
  cmd->footer("Example: aifabric compare results/ecmp results/planned");
  return {cmd, [dirs] {
            for (const auto& d : *dirs) {
              if (auto st = check_results_folder(d); !st) return bad_input(st.message());
            }
            auto table = compare_runs(*dirs);
            if (!table) return bad_input(table.status().message());
            std::cout << *table;
            return 0;
          }};
}

Command add_list(CLI::App& app) {
  auto markdown = std::make_shared<bool>(false);
  auto* cmd =
      app.add_subcommand("list", "print every scenario key with its unit, default and meaning");
  cmd->add_flag("--markdown", *markdown, "Markdown tables (the scenario reference in docs/)");
  cmd->footer("Example: aifabric list | grep ecn");
  return {cmd, [markdown] {
            Scenario s;
            std::cout << describe_params(s, *markdown);
            return 0;
          }};
}

}  // namespace aifabric::cli
