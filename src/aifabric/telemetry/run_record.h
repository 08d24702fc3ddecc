// The record of one run, assembled from the records each layer produced (the fabric's
// flows and ports, the workload's report, the controller's plan, telemetry's samples)
// plus the run's own figures; sinks (telemetry/sinks/) and reports read only this.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "aifabric/control/load_balancing.h"
#include "aifabric/fabric/records.h"
#include "aifabric/fault/horizon/horizon.h"
#include "aifabric/fault/records.h"
#include "aifabric/telemetry/imbalance.h"
#include "aifabric/telemetry/telemetry_record.h"
#include "aifabric/topo/graph.h"
#include "aifabric/workload/job.h"

namespace aifabric {

// What was run: the scenario's name and seed, the build, the command, the overrides on
// top of the scenario file, and the fully resolved scenario (re-runnable as is).
struct Provenance {
  std::string name;
  uint64_t seed = 0;
  std::string version;  // kVersion of the build
  std::string command;
  std::vector<std::string> overrides;
  std::string scenario_file;  // empty: the built-in default
  std::string ns3_config;     // the ns-3 config the scenario was made from, if any
  std::string scenario_yaml;  // every key with its value
  // The run's notes: settings that could not be carried over or probably do not do
  // what was meant.
  std::vector<std::string> notes;
};

// How the run ended, in a word and in a sentence.
struct Verdict {
  enum class Status { kCompleted, kStopTime, kFailed } status = Status::kCompleted;
  std::string text;
  const char* name() const;  // "completed", "stop_time", "failed"
};

struct RunReport {
  Provenance provenance;
  Verdict verdict;
  Time stop_time;               // the limit the run had
  bool stop_time_auto = false;  // ... chosen by aifabric (stop_time: 0)
  std::string scenario;
  uint64_t seed = 0;
  size_t hosts = 0, switches = 0, links = 0;
  int64_t modules = 0;  // optical modules by the planner's cage rule (plan/graph_modules.h)
  Time sim_end;         // clock when the run stopped
  Time makespan;        // last flow finish (or sim_end when some did not finish)
  double wall_seconds = 0;
  std::string engine = "packet";  // what moved the traffic: packet, flow or analytic
  uint64_t events = 0;
  int64_t packet_hops = 0;  // data/ACK/NACK/CNP frames delivered across one link
  int64_t pause_frames = 0;
  int64_t credit_frames = 0;  // CBFC credit updates sent
  int64_t credit_drops = 0;   // CBFC lane frames beyond their credits (a model bug: 0)
  double peak_memory_mib = 0;
  std::vector<FlowRow> flows;
  std::vector<PortRow> ports;
  // Payload accounting (bytes): sent = received + dropped + blackholed + in the network.
  int64_t payload_sent = 0, payload_received = 0, payload_dropped = 0, payload_in_network = 0;
  int64_t payload_blackholed = 0, blackholed = 0;  // lost on links that were down (faults)
  int64_t buffer_drops = 0, headroom_drops = 0, link_drops = 0, no_route_drops = 0;
  int64_t trims = 0, trim_drops = 0;  // packet trimming (FabricRecord)
  bool stopped_early = false;         // stop_time reached with flows unfinished
  std::optional<WorkloadReport> workload;
  std::optional<CollectiveReport> collective;
  std::optional<PlanReport> plan;
  std::optional<FaultRecord> faults;     // the run had a fault schedule
  std::optional<HorizonReport> horizon;  // horizon.length was set
  // Link utilization spread per tier direction and over all switch-to-switch links.
  std::vector<TierImbalance> tier_imbalance;
  Imbalance fabric_imbalance;
};

// Everything a results folder is written from (views; the caller owns the records).
struct RunRecord {
  const RunReport& report;
  const TopologyGraph& graph;
  const TelemetryRecord* telemetry = nullptr;  // null: telemetry off, or no fabric run
  const Job* job = nullptr;                    // null: no training job or collective
  const TaskTimes* task_times = nullptr;       // with job
  bool openmetrics = false;                    // telemetry.openmetrics
};

}  // namespace aifabric
