// Simulating a prepared run: the fabric the scenario describes, load balancing set up
// on it, the traffic or the job's transfers on the chosen engine, telemetry sampled;
// then the records every layer produced, gathered into the run's report.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "aifabric/core/simulator.h"
#include "aifabric/fabric/network.h"
#include "aifabric/scenario/prepare.h"
#include "aifabric/telemetry/run_record.h"
#include "aifabric/telemetry/telemetry_record.h"
#include "aifabric/workload/task_graph.h"

namespace aifabric {

// The devices' configuration the scenario selects (a copy).
FabricConfig fabric_config(const Scenario& s);

// Advice on settings that run but probably do not do what was meant (e.g. a scheme that
// reorders packets with go-back-N receivers), one line each; empty when none.
std::vector<std::string> scenario_notes(const Scenario& s);

class RunObserver {
 public:
  virtual ~RunObserver() = default;
  virtual void progress(const Simulator& sim, size_t flows_done, size_t flows_total) = 0;
};

struct Simulation {
  std::unique_ptr<Simulator> sim;
  std::unique_ptr<Network> net;
  RunReport report;
  TaskTimes task_times;                      // job runs: when each task ran
  std::optional<TelemetryRecord> telemetry;  // none when telemetry is off or nothing ran on
                                             // the fabric
};

// Simulates and gathers results; `observer` (may be null) hears progress.
Result<std::unique_ptr<Simulation>> simulate(const PreparedRun& run, RunObserver* observer);

// The record the output files are written from.
RunRecord run_record(const Simulation& sim, const PreparedRun& run);

}  // namespace aifabric
