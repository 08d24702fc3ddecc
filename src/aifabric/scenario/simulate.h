// Simulating a prepared run: the fabric the scenario describes, load balancing set up
// on it, the traffic or the job's transfers on the chosen engine, telemetry sampled;
// then the records every layer produced, gathered into the run's report.
#pragma once

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "aifabric/core/simulator.h"
#include "aifabric/engine/flow/flow_engine.h"
#include "aifabric/engine/packet/parallel_model.h"
#include "aifabric/fabric/network.h"
#include "aifabric/fault/injector.h"
#include "aifabric/scenario/prepare.h"
#include "aifabric/telemetry/run_record.h"
#include "aifabric/telemetry/telemetry_record.h"
#include "aifabric/workload/task_graph.h"

namespace aifabric {

// What the run of `s` is: its name, seed, the build, the command, the overrides and
// the fully resolved scenario.
Provenance provenance_of(const Scenario& s);

// The simulated-time limit of `run` on `net`: the scenario's stop_time, or for 0 (auto) a
// safety cap: the last flow start + max(1 s, 20 x the busiest NIC's bytes at its line
// rate); for a job 1 s + 10 x its alpha-beta time on this fabric.
Time stop_time_of(const PreparedRun& run, const Network& net);

// The time the busiest NIC needs for its bytes (sent or received) at its line rate: a
// lower bound on the traffic's span.
Time busiest_nic_time(const PreparedRun& run);

// When telemetry starts and how often it samples: from the first flow's start (a job's
// t = 0), every telemetry.interval, or (auto) a 1-2-5 value near 1/100 of the
// expected length (the flows' start span + busiest_nic_time, or a job's alpha-beta
// time), between 100 ns and 10 ms.
struct SamplingPlan {
  Time start;
  Time interval;
  bool automatic = false;
};
SamplingPlan sampling_plan(const PreparedRun& run, const Network& net);

// The devices' configuration the scenario selects (a copy).
FabricConfig fabric_config(const Scenario& s);

// Advice on settings that run but probably do not do what was meant (e.g. a scheme that
// reorders packets with go-back-N receivers), one line each; empty when none.
std::vector<std::string> scenario_notes(const Scenario& s);

// Hears a run's progress about every million events; returning false stops it.
struct RunProgress {
  Time now;           // simulated time
  Time expected_end;  // an estimate of the end (zero when unknown)
  uint64_t events = 0;
  size_t flows_done = 0, flows_total = 0;
  int64_t bytes_done = 0, bytes_total = 0;  // payload accepted by receivers / to send
};
class RunObserver {
 public:
  virtual ~RunObserver() = default;
  virtual bool progress(const RunProgress& p) = 0;
};

struct Simulation {
  std::unique_ptr<Simulator> sim;
  std::unique_ptr<Network> net;
  // The fault schedule's injector (null without faults): the switches and the pending
  // events point at it, so it lives as long as the fabric.
  std::unique_ptr<FaultInjector> faults;
  // A flow list's flow-level engine (null at packet level): pending events point at it.
  std::unique_ptr<FlowEngine> fluid;
  RunReport report;
  TaskTimes task_times;                      // job runs: when each task ran
  std::unique_ptr<ParallelModel> parallel;   // when asked for (simulate's parallel_model)
  std::optional<TelemetryRecord> telemetry;  // none when telemetry is off or nothing ran on
                                             // the fabric
};

// Simulates and gathers results; `observer` (may be null) hears progress.
// `parallel_model`: partition counts whose window model (engine/packet/parallel_model.h)
// watches the run, left in Simulation::parallel.
Result<std::unique_ptr<Simulation>> simulate(const PreparedRun& run, RunObserver* observer,
                                             std::span<const int> parallel_model = {});

// The record the output files are written from.
RunRecord run_record(const Simulation& sim, const PreparedRun& run);

}  // namespace aifabric
