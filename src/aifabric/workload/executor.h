// The one task-graph executor. It keeps the dependencies and runs what lives inside a
// server itself: each GPU computes one task at a time, each NVLink direction (a
// GPU's egress, a GPU's ingress) carries one transfer at a time (latency + bytes /
// rate; a pipelined transfer holds it for bytes / rate only), scheduled work-conserving (ports free
// and earliest-ready first, ties by task index). Every transfer between servers goes to a
// TransferEngine (engine/): the packet-level fabric, the alpha-beta model, ... All on one Simulator
// clock; the executor holds one unit of the simulator's outstanding work until its last task.
#pragma once

#include <vector>

#include "aifabric/engine/analytic/analytic_engine.h"
#include "aifabric/engine/list_scheduler.h"
#include "aifabric/engine/transfer_engine.h"
#include "aifabric/fabric/network.h"
#include "aifabric/workload/task_graph.h"

namespace aifabric {

class Executor final : public EventHandler, public TransferListener {
 public:
  Executor(const TaskGraph& g, const ClusterMap& map, Simulator& sim);
  // Runs until every task finished or `stop_at`; tasks not finished by then have
  // finish = Time::max() (and start = Time::max() if they never started). A transfer
  // that fails (its flow reached the retry limit) ends the run, as NCCL ends a job: the
  // times say why (TaskTimes::failure, naming the task). Tasks without
  // dependencies start at the simulator's current time. After an early end the
  // simulator still holds the executor's events: it must not be run further.
  Status run(TransferEngine& engine, Time stop_at);
  TaskTimes take_times() { return std::move(times_); }

  void handle_event(uint32_t kind, uint64_t arg) override;
  void transfer_started(uint32_t id) override;
  void transfer_done(uint32_t id, bool completed) override;

 private:
  uint32_t gpu(uint32_t rank) const { return rank; }
  uint32_t nvl_out(uint32_t rank) const { return ranks_ + rank; }
  uint32_t nvl_in(uint32_t rank) const { return 2 * ranks_ + rank; }
  // A pipelined transfer's delay after its bytes arrived.
  Time delay_of(const Task& t) const {
    return t.coalesced && map_.free_coalesced ? Time::zero() : t.duration;
  }
  // The NVLink time of transfer `t` (its latency unless pipelined): across the first-
  // level groups of a 2-level domain at the cross rate and latency.
  Time nvlink_time(const Task& t) const;
  // Engine transfer ids: task + part * tasks (one part per plane).
  uint32_t task_of(uint32_t id) const { return static_cast<uint32_t>(id % g_.size()); }
  void make_ready(uint32_t task);
  void request_dispatch();
  void dispatch();
  void finish(uint32_t task);

  const TaskGraph& g_;
  const ClusterMap& map_;
  Simulator& sim_;
  uint32_t ranks_;
  BitRate nvlink_;                   // the achieved NVLink rate (nominal x efficiency)
  BitRate nvlink_cross_;             // the same across a 2-level domain's groups
  std::vector<uint8_t> parts_left_;  // per task: plane parts still on the network
  TransferEngine* engine_ = nullptr;
  ListScheduler local_;  // GPUs and NVLink ports
  TaskTimes times_;
  std::vector<uint32_t> remaining_;  // unfinished dependencies per task
  std::vector<uint32_t> dep_begin_;  // dependents of task i: dependents_[dep_begin_[i]..[i+1])
  std::vector<uint32_t> dependents_;
  std::vector<uint32_t> ready_;
  uint64_t next_seq_ = 0;
  Time dispatch_at_ = Time::max();
  size_t done_ = 0;
  Status error_;
};

// Refuses what the executor cannot run: a graph that fails validate_task_graph, a map
// of the wrong size, NVLink with a non-positive rate or a negative latency.
Status check_cluster_map(const TaskGraph& g, const ClusterMap& map);

// The packet-level backend: the graph's network transfers are flows on `net` (which
// must have every rank's host; checked before the run, nothing is added on error). A
// failed transfer is an error here, naming the task.
Result<TaskTimes> run_on_network(const TaskGraph& g, const ClusterMap& map, Network& net,
                                 Time stop_at);

// Runs the graph with `engine`: on `net`'s simulator, until `stop_at`, when the engine
// moves packets on the fabric or follows its paths; else on a simulator of its own, to the end (the
// engine may still measure the fabric: the analytic one takes its alpha and beta from it). Refuses
// bad input (the map, hosts); a failed transfer is reported in the times. An engine that keeps its
// own fabric records (the flow level's) fills `record`.
Result<TaskTimes> run_job(const TaskGraph& g, const ClusterMap& map, const EngineKind& engine,
                          Network& net, Time stop_at, FabricRecord* record = nullptr);

// The analytic backend on a simulator of its own: transfers take the alpha-beta time,
// sharing each NIC side equally among its concurrent transfers, from the ranks' hosts
// (map.host_of_rank).
Result<TaskTimes> run_analytic(const TaskGraph& g, const ClusterMap& map, const AlphaBeta& ab);

}  // namespace aifabric
