// What a run was and how it went, for the top of report.html and the rows of sweep.html:
// its kind (flows, a training job, a collective), title (name and --set overrides), verdict
// and headline numbers, read from summary.json. Folders written before summary.json had
// its "run" and "verdict" blocks fall back to the top-level "scenario" and "seed".
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace aifabric::report {

enum class RunKind { kFlows, kJob, kCollective };

struct Card {
  std::string label;
  std::string value;
  std::string detail;
};

struct RunInfo {
  RunKind kind = RunKind::kFlows;
  std::string name;
  std::vector<std::string> overrides;  // the --set KEY=VALUE given
  std::string seed, version, command, scenario_file, topology;
  std::string status;     // completed, stop_time or failed
  std::string verdict;    // one sentence in words
  bool analytic = false;  // workload.backend analytic: nothing ran on the fabric
  std::vector<Card> cards;
  // Runs with faults: one line under the verdict (faults_headline, from the store);
  // empty otherwise.
  std::string faults;
};

RunInfo run_info(const nlohmann::json& summary);
// "default · cc.algorithm=none · switch.buffer=16MiB"
std::string title_text(const RunInfo& run);
// The header: title with the overrides, facts (seed, version, scenario file, command),
// the verdict, the faults line and the headline cards (id="headline").
std::string header_html(const RunInfo& run);

// A number at a JSON pointer of summary.json, or `fallback` where it is absent or null.
double number_at(const nlohmann::json& j, const char* pointer, double fallback);

}  // namespace aifabric::report
