// One scenario run through the scenario layer, as scenario tests do it: loaded (from
// YAML text or a file, with --set overrides), prepared, simulated; its fingerprint is
// checked when the run is dropped (tests/fingerprint.h). A step that fails is a test
// failure naming its message, and gives null.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "aifabric/scenario/prepare.h"
#include "aifabric/scenario/scenario.h"
#include "aifabric/scenario/simulate.h"
#include "tests/fingerprint.h"

namespace aifabric::testing {

struct ScenarioRun {
  std::unique_ptr<Scenario> scenario;
  PreparedRun prepared;
  std::unique_ptr<Simulation> sim;
  const RunReport& report() const { return sim->report; }
  ScenarioRun() = default;
  ScenarioRun(const ScenarioRun&) = delete;
  ScenarioRun& operator=(const ScenarioRun&) = delete;
  ~ScenarioRun() {
    if (sim) expect_report_fingerprint(sim->report);
  }
};

inline std::unique_ptr<ScenarioRun> run_loaded(Result<std::unique_ptr<Scenario>> s) {
  auto r = std::make_unique<ScenarioRun>();
  EXPECT_TRUE(s.is_ok()) << s.status().message();
  if (!s) return nullptr;
  r->scenario = std::move(s).value();
  auto p = prepare_run(*r->scenario);
  EXPECT_TRUE(p.is_ok()) << p.status().message();
  if (!p) return nullptr;
  r->prepared = std::move(p).value();
  auto sim = simulate(r->prepared, nullptr);
  EXPECT_TRUE(sim.is_ok()) << sim.status().message();
  if (!sim) return nullptr;
  r->sim = std::move(sim).value();
  return r;
}

// `source` names the text in messages.
inline std::unique_ptr<ScenarioRun> run_scenario_text(const std::string& yaml,
                                                      const std::string& source,
                                                      const std::vector<std::string>& sets) {
  return run_loaded(load_scenario_text(yaml, source, sets));
}

// `file` relative to the source tree.
inline std::unique_ptr<ScenarioRun> run_scenario_file(const std::string& file,
                                                      const std::vector<std::string>& sets) {
  return run_loaded(load_scenario(std::string(AIFABRIC_SOURCE_DIR) + "/" + file, sets));
}

}  // namespace aifabric::testing
