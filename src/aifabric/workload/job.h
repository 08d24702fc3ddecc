// The workload-type family: a member turns its parameters (a scenario's `workload:`
// section) into a Job, a task graph with the map of where its ranks live, and later
// reads the executed graph back into its own report. `none` has no job: the traffic
// list is the workload. A new type is a folder under workload/ plus one line in
// workload/registry.cc.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "aifabric/control/load_balancing.h"
#include "aifabric/core/registry.h"
#include "aifabric/engine/transfer_engine.h"
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
  // A file name as written in the scenario -> the path to open (relative to the
  // scenario's folder), for types that read a file.
  std::function<std::string(const std::string&)> resolve = [](const std::string& f) { return f; };
  // The switches' aggregation engines on `graph` (switch.aggregation.enabled), or null;
  // the graph's hosts from aggregation->gpu_hosts on are engines, not GPUs.
  const AggregationTree* aggregation = nullptr;
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

// Where the ranks of a replayed workload file (types simai, chakra) live: rank r on
// host r. `workload.cluster` of those types.
struct ReplayCluster final : ParamsOf<ReplayCluster> {
  int64_t gpus_per_node = 0;  // 0: the topology's servers (a SimAI topology), else 8
  BitRate nvlink_rate = BitRate::gbps(2400);
  Time nvlink_latency = Time::us(2);
  void visit(ParamVisitor& v) override {
    v.param("gpus_per_node", gpus_per_node,
            "GPUs per server (consecutive ranks share NVLink); 0: the topology's servers if it "
            "has them (type simai), else 8",
            Range{0, 1024});
    v.param("nvlink_rate", nvlink_rate,
            "NVLink bandwidth per GPU per direction (unless the topology gives it)");
    v.param("nvlink_latency", nvlink_latency,
            "NVLink transfer latency (unless the topology gives it)");
  }
};

// The keys every replayed workload file shares, beside its own: where the ranks live,
// how collectives run, which engine moves the transfers.
struct ReplayRun {
  ReplayCluster cluster;
  bool hierarchical = false;
  int backend = engines().index_of("analytic");  // a member of engines()
  void visit(ParamVisitor& v) {
    v.section("cluster", cluster, "where the ranks live (rank r on host r)");
    v.param("hierarchical", hierarchical,
            "all-reduce, reduce-scatter and all-gather as NVLink rings, then one ring per rail");
    v.choice("backend", backend, engines().names(),
             "analytic (alpha-beta, instant), flow (max-min fluid flows on the fabric's paths, "
             "docs/flow-level.md) or packet (the packet-level fabric)");
  }
  std::string_view engine() const { return engines().at(static_cast<size_t>(backend)).name; }
};

// The topology's planes (a connection per plane, ClusterMap::planes) and, when the map's
// nodes are the topology's NVLink domains, their 2-level structure.
void fit_to_topology(ClusterMap& m, const TopologyGraph& g);

// The map for `ranks` GPUs, rank r on host r. With gpus_per_node 0 and NVLink domains
// in the topology, node and NVLink come from them; `on_fabric` (or domains) needs a
// host per rank. Errors name `workload.`.
Result<ClusterMap> replay_cluster_map(const ReplayCluster& c, const TopologyGraph& g,
                                      uint32_t ranks, bool on_fabric);

// A replayed file's graph stays below this many tasks (plus a quarter of its dependency
// entries), so that a small file naming many ranks cannot take all memory.
inline constexpr uint64_t kMaxReplayTasks = 20'000'000;
// Before a collective among `ranks` ranks whose first transfers wait for `deps` tasks
// is added: ok, or "the job would have more than ... tasks" (`where` first).
Status check_replay_room(const TaskGraph& g, size_t ranks, size_t deps, const std::string& where);

// A replayed file's report: the training report's iteration, compute, exposed
// communication and collectives (groups named "<kind> <instance>" are aggregated by
// kind); no training-time estimate (the file has no model).
WorkloadReport replay_report(const Job& job, const TaskTimes& t);

}  // namespace aifabric
