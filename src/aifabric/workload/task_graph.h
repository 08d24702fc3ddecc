// A workload as a dependency graph of tasks on GPU ranks: compute (a duration on one
// GPU) and transfers (bytes from one GPU to another, over NVLink inside a node or the
// network between nodes). A task starts when every task it depends on has finished.
// Invariant: a task depends only on tasks added before it (indices are a topological
// order), so the graph is acyclic by construction.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "aifabric/core/status.h"
#include "aifabric/core/units.h"
#include "aifabric/fabric/switch/aggregation/aggregation.h"

namespace aifabric {

enum class TaskKind : uint8_t { kCompute, kTransfer };

struct Task {
  TaskKind kind = TaskKind::kCompute;
  uint32_t rank = 0;     // compute: the GPU; transfer: the sending GPU
  uint32_t peer = 0;     // transfer: the receiving GPU
  int64_t bytes = 0;     // transfer: payload bytes
  Time duration;         // compute: how long the GPU is busy; pipelined transfer: see below
  uint32_t group = 0;    // index into TaskGraph::groups
  uint8_t priority = 3;  // transfer: 802.1p class on the network
  // Transfer: NCCL-style streaming (collectives.md). An NVLink port is held only while
  // the bytes serialise and the data is usable `duration` later (the hop latency of
  // the protocol); a network transfer is usable `duration` after the engine delivered
  // it (the protocol's overhead beyond the wire). False: an NVLink transfer holds its
  // ports for the cluster's latency + bytes / rate, the whole-step model.
  bool pipelined = false;
  // Compute: a pure join (no duration, no GPU): done the moment its dependencies are.
  bool barrier = false;
  // Pipelined transfer: `duration` is the latency of the ring steps it stands for
  // (CollectiveSpec::coalesce), communication that a free-communication run drops.
  bool coalesced = false;
  std::vector<uint32_t> deps;
};

// A named set of tasks reported together: one collective, one pipeline exchange, the
// compute of one stage...
struct TaskGroup {
  std::string name;    // e.g. "dp.allreduce stage 3"
  std::string kind;    // "compute", "allreduce", "reduce_scatter", "all_gather", "all_to_all",
                       // "send_recv", "pp_send", ...
  int64_t bytes = 0;   // the collective's size in nccl-tests terms (per-rank buffer)
  uint32_t ranks = 0;  // participants (bus bandwidth factors depend on it)
};

class TaskGraph {
 public:
  uint32_t add_group(TaskGroup g) {
    groups_.push_back(std::move(g));
    return static_cast<uint32_t>(groups_.size() - 1);
  }
  uint32_t add_compute(uint32_t rank, Time duration, std::span<const uint32_t> deps,
                       uint32_t group) {
    Task t;
    t.kind = TaskKind::kCompute;
    t.rank = rank;
    t.duration = duration;
    t.group = group;
    t.deps.assign(deps.begin(), deps.end());
    return push(std::move(t));
  }
  // A join of `deps` that holds no GPU (Task::barrier): n tasks waiting on the n tasks
  // of a collective then take n + n edges through it instead of n x n.
  uint32_t add_barrier(std::span<const uint32_t> deps, uint32_t group) {
    const uint32_t id = add_compute(0, Time::zero(), deps, group);
    tasks_[id].barrier = true;
    return id;
  }
  void mark_coalesced(uint32_t task) { tasks_[task].coalesced = true; }
  uint32_t add_transfer(uint32_t src, uint32_t dst, int64_t bytes, std::span<const uint32_t> deps,
                        uint32_t group, uint8_t priority = 3) {
    Task t;
    t.kind = TaskKind::kTransfer;
    t.rank = src;
    t.peer = dst;
    t.bytes = bytes;
    t.group = group;
    t.priority = priority;
    t.deps.assign(deps.begin(), deps.end());
    return push(std::move(t));
  }
  // A pipelined transfer (Task::pipelined) whose data is usable `latency` after it
  // arrived.
  uint32_t add_streamed(uint32_t src, uint32_t dst, int64_t bytes, Time latency,
                        std::span<const uint32_t> deps, uint32_t group, uint8_t priority = 3) {
    const uint32_t id = add_transfer(src, dst, bytes, deps, group, priority);
    tasks_[id].pipelined = true;
    tasks_[id].duration = latency;
    return id;
  }
  const std::vector<Task>& tasks() const { return tasks_; }
  const std::vector<TaskGroup>& groups() const { return groups_; }
  size_t size() const { return tasks_.size(); }

 private:
  uint32_t push(Task t) {
    tasks_.push_back(std::move(t));
    return static_cast<uint32_t>(tasks_.size() - 1);
  }
  std::vector<Task> tasks_;
  std::vector<TaskGroup> groups_;
};

// Deps refer to earlier tasks, ranks are below `ranks`, transfers are between
// different GPUs with positive size, compute durations are non-negative.
Status validate_task_graph(const TaskGraph& g, uint32_t ranks);

// NVLS (NVLink SHARP): the NVSwitches of an NVLink domain reduce and multicast
// (workload/collectives/nvls.h). Each GPU's switch port is a rank of its own (its two
// directions are the GPU's NVLink); the reduction unit is one more rank per domain whose
// compute time is the reduction's cost.
struct NvlsConfig {
  // Reduction throughput per GPU port (bytes of one GPU's contribution per second);
  // 0 = no limit beyond the ports' NVLink rate.
  BitRate rate = BitRate::bps(0);
  Bytes chunk = Bytes::kib(512);  // the pipeline's piece
  int64_t in_flight = 16;         // pieces a GPU has between its switch and itself
};

// Where GPU ranks live: rank r is local GPU r % gpus_per_node of node r / gpus_per_node
// unless `host_of_rank` says otherwise; its NIC is host `host_of_rank[r]` of the
// topology (one NIC per GPU: the rail design). Ranks on the same node talk over
// NVLink/NVSwitch instead of the network.
struct ClusterMap {
  uint32_t gpus_per_node = 8;
  std::vector<uint32_t> node_of_rank;
  std::vector<uint32_t> host_of_rank;
  BitRate nvlink_rate = BitRate::gbps(2400);  // per GPU, each direction (A100 NVLink3: 300 GB/s)
  Time nvlink_latency = Time::us(2);
  // The share of nvlink_rate a GPU's copies achieve (NCCL's measured busbw over the
  // nominal rate: collectives.md); 1 = nominal, as before the NCCL model.
  double nvlink_efficiency = 1.0;
  // The free-communication baseline (the LLM report): coalesced transfers' step
  // latencies count as communication and are dropped too.
  bool free_coalesced = false;
  // A 2-level NVLink domain (NV576): ranks on hosts in different first-level groups of
  // `nvlink_group` hosts talk at the cross rate and latency (0 = one level).
  uint32_t nvlink_group = 0;
  Time nvlink_cross_latency;
  BitRate nvlink_cross_rate;
  // Multi-plane NICs: a network transfer is split evenly over `planes` connections, the
  // one of plane p from host_of_rank + p * plane_stride (the topology's plane-major
  // hosts).
  uint32_t planes = 1;
  uint32_t plane_stride = 0;
  // In-network aggregation (collective algorithm sharp): the fabric's tree, and the
  // rank each engine runs as (after the GPUs' ranks, each its own node, its host the
  // engine's endpoint). Empty: the switches do not aggregate.
  AggregationTree aggregation;
  std::vector<uint32_t> aggregator_rank;
  // Appends the engines of `t` as ranks (GPU ranks keep their numbers).
  void add_aggregators(const AggregationTree& t);
  // NVLS: by GPU rank its switch port's rank (empty: the switches do not reduce), and by
  // node the reduction unit's rank.
  NvlsConfig nvls;
  std::vector<uint32_t> nvls_port;
  std::vector<uint32_t> nvls_unit;
  // Appends a port per rank so far (but aggregation engines) and a unit per node.
  void add_nvls(const NvlsConfig& c);
  bool same_node(uint32_t a, uint32_t b) const { return node_of_rank[a] == node_of_rank[b]; }
  uint32_t ranks() const { return static_cast<uint32_t>(node_of_rank.size()); }
  // The default placement: rank r on node r / gpus_per_node, NIC host r.
  static ClusterMap linear(uint32_t ranks, uint32_t gpus_per_node);
};

// When each task started and finished, as an executor ran the graph.
struct TaskTimes {
  std::vector<Time> start;
  std::vector<Time> finish;
  // Why the run ended before every task finished, if it did (a failed transfer); empty
  // when it finished or merely reached its time limit.
  std::string failure;
  // Every task finished.
  bool complete() const;
  Time makespan() const;
};

}  // namespace aifabric
