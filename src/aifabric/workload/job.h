// The workload-type family: a member turns its parameters (a scenario's `workload:`
// section) into a Job, a task graph with the map of where its ranks live, and later
// reads the executed graph back into its own report. `none` has no job: the traffic
// list is the workload. A new type is a folder under workload/ plus one line in
// workload/registry.cc.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "aifabric/control/load_balancing.h"
#include "aifabric/core/registry.h"
#include "aifabric/topo/graph.h"
#include "aifabric/workload/collectives/report.h"
#include "aifabric/workload/llm/plan.h"
#include "aifabric/workload/llm/report.h"
#include "aifabric/workload/task_graph.h"

namespace aifabric {

enum class TraceScope { kReplica = 0, kAll = 1, kNone = 2 };
inline constexpr std::string_view kTraceScopeNames[] = {"replica", "all", "none"};

struct Job {
  TaskGraph graph;
  ClusterMap map;
  std::optional<IterationPlan> plan;  // a training iteration's plan, if any
  // Training: the task count after each iteration (llm/iteration.h).
  std::vector<uint32_t> iteration_end;
  std::string_view engine = "packet";  // the member of engines() that moves its transfers
  TraceScope trace = TraceScope::kReplica;
  // Per rank: part of the replica the timeline shows (one data-parallel replica of a
  // training job: every stage and tensor rank; every rank of a collective).
  std::vector<char> in_replica;
};

// The job's transfers between servers (those an engine moves), in task order.
std::vector<JobTransfer> network_transfers(const TaskGraph& g, const ClusterMap& map);

struct JobContext {
  const TopologyGraph& graph;
  uint8_t data_priority;  // transport.data_priority
};

// What a job's type makes of its executed graph.
struct JobReport {
  std::optional<WorkloadReport> training;
  std::optional<CollectiveReport> collective;
};

struct WorkloadType : Member {
  // Null: no job (the traffic list is the workload).
  Result<Job> (*prepare)(const Params& params, const JobContext& ctx) = nullptr;
  void (*report)(const Params& params, const Job& job, const TaskTimes& times,
                 const TopologyGraph& g, JobReport& out) = nullptr;
};

template <class P, auto Prepare, auto Report>
WorkloadType workload_member(std::string_view name, std::string_view doc) {
  WorkloadType w;
  w.name = name;
  w.doc = doc;
  w.make_params = &make_params_of<P>;
  w.prepare = [](const Params& p, const JobContext& ctx) { return Prepare(params_as<P>(p), ctx); };
  w.report = [](const Params& p, const Job& job, const TaskTimes& t, const TopologyGraph& g,
                JobReport& out) { Report(params_as<P>(p), job, t, g, out); };
  return w;
}

const Registry<WorkloadType>& workload_types();

}  // namespace aifabric
