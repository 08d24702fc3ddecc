// A scenario made concrete: its topology graph (built or imported, failed and degraded
// links applied, validated) and its workload (the traffic list's flows, or a job's
// task graph). Every referenced file is read and every input checked here, before
// anything is simulated or written.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "aifabric/fault/schedule.h"
#include "aifabric/scenario/scenario.h"
#include "aifabric/topo/graph.h"
#include "aifabric/transport/flow_spec.h"
#include "aifabric/workload/job.h"

namespace aifabric {

struct PreparedRun {
  std::shared_ptr<const Scenario> scenario;  // a copy: the run owns its configuration
  TopologyGraph graph;
  std::vector<FlowSpec> flows;  // the traffic list's (empty for a job)
  std::optional<Job> job;       // workload type llm, collective, ...
  FaultPlan faults;             // the fault schedule, resolved on the graph
  // Advice on settings that run but probably do not do what was meant, one line each.
  std::vector<std::string> notes;
};

// The scenario's topology graph (reads the file of an importer), link states applied,
// not validated.
Result<TopologyGraph> build_topology(const Scenario& s);

// Builds the topology and the workload, reading any referenced files. Fails without
// side effects on any bad input.
Result<PreparedRun> prepare_run(const Scenario& s);

// A file name as written in `s` -> the path to open (relative to the scenario's folder).
std::string resolve_path(const Scenario& s, const std::string& file);

}  // namespace aifabric
