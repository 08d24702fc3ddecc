// The packet-level task-graph executor: network transfers are real flows on the
// Network; compute tasks and NVLink transfers are timers on the same simulator, each
// GPU (and each NVLink direction) serving its tasks one at a time in the order they
// became ready, ties by task index.
#include "aifabric/workload/packet_executor.h"

#include <algorithm>
#include <string>
#include <vector>

namespace aifabric {
namespace {

enum Kind : uint32_t {
  kDispatch = 0,  // start the tasks that became ready at this instant
  kFinish = 1,    // a compute task or NVLink transfer ends (arg = task)
};

class PacketExecutor final : public EventHandler, public FlowObserver {
 public:
  PacketExecutor(const TaskGraph& g, const ClusterMap& map, Network& net)
      : g_(g), map_(map), net_(net), sim_(net.sim()) {
    const auto& tasks = g.tasks();
    const size_t n = tasks.size();
    times_.start.assign(n, Time::max());
    times_.finish.assign(n, Time::max());
    remaining_.resize(n);
    // Dependents in one flat array (CSR): a finishing task walks its successors
    // without touching the graph's per-task vectors.
    dep_begin_.assign(n + 1, 0);
    for (size_t i = 0; i < n; ++i) {
      remaining_[i] = static_cast<uint32_t>(tasks[i].deps.size());
      for (uint32_t d : tasks[i].deps) ++dep_begin_[d + 1];
    }
    for (size_t i = 0; i < n; ++i) dep_begin_[i + 1] += dep_begin_[i];
    dependents_.resize(dep_begin_[n]);
    std::vector<uint32_t> fill(dep_begin_.begin(), dep_begin_.end() - 1);
    for (size_t i = 0; i < n; ++i) {
      for (uint32_t d : tasks[i].deps) dependents_[fill[d]++] = static_cast<uint32_t>(i);
    }
    const uint32_t ranks = map.ranks();
    gpu_free_.assign(ranks, Time::zero());
    nvl_out_free_.assign(ranks, Time::zero());
    nvl_in_free_.assign(ranks, Time::zero());
    flow_base_ = static_cast<uint32_t>(net.flows().size());
  }

  Status run(Time stop_at) {
    if (g_.size() == 0) return Status::ok();
    for (size_t i = 0; i < remaining_.size(); ++i) {
      if (remaining_[i] == 0) make_ready(static_cast<uint32_t>(i));
    }
    sim_.run_until(stop_at);
    return error_;
  }

  TaskTimes take_times() { return std::move(times_); }

  void handle_event(uint32_t kind, uint64_t arg) override {
    if (kind == kFinish) {
      finish(static_cast<uint32_t>(arg));
    } else {
      dispatch();
    }
  }

  void flow_done(uint32_t flow, bool completed) override {
    if (flow < flow_base_) return;  // a flow that was on the network before this run
    const uint32_t task = task_of_flow_[flow - flow_base_];
    if (!completed) {
      const Task& t = g_.tasks()[task];
      error_ = Status::error("task " + std::to_string(task) + " (" + g_.groups()[t.group].name +
                             ": " + std::to_string(t.bytes) + " bytes from rank " +
                             std::to_string(t.rank) + " to rank " + std::to_string(t.peer) +
                             "): its flow failed (retry limit reached)");
      sim_.stop();
      return;
    }
    finish(task);
  }

 private:
  // Readiness is collected and served by one dispatch event at the same instant, after
  // every device event of that picosecond (application events run last), so that tasks
  // that become ready together start in index order whichever event freed them.
  void make_ready(uint32_t task) {
    if (ready_.empty()) sim_.schedule_at(sim_.now(), EventPriority::kApplication, this, kDispatch);
    ready_.push_back(task);
  }

  void dispatch() {
    const Time now = sim_.now();
    // Finishes are always events of their own, so nothing joins ready_ during the loop.
    std::sort(ready_.begin(), ready_.end());
    std::vector<FlowSpec> flows;
    for (uint32_t i : ready_) {
      const Task& t = g_.tasks()[i];
      if (t.kind == TaskKind::kCompute) {
        const Time start = std::max(now, gpu_free_[t.rank]);
        gpu_free_[t.rank] = start + t.duration;
        schedule_finish(i, start, start + t.duration);
      } else if (map_.same_node(t.rank, t.peer)) {
        // The sender's NVLink egress and the receiver's ingress, each one transfer at a
        // time: the transfer waits for both, then holds both.
        const Time start = std::max({now, nvl_out_free_[t.rank], nvl_in_free_[t.peer]});
        const Time end = start + map_.nvlink_latency + map_.nvlink_rate.transmit_time(t.bytes);
        nvl_out_free_[t.rank] = end;
        nvl_in_free_[t.peer] = end;
        schedule_finish(i, start, end);
      } else {
        FlowSpec f;
        f.src = map_.host_of_rank[t.rank];
        f.dst = map_.host_of_rank[t.peer];
        f.size = t.bytes;
        f.start = now;
        f.priority = t.priority;
        flows.push_back(f);
        task_of_flow_.push_back(i);
        times_.start[i] = now;
      }
    }
    ready_.clear();
    if (!flows.empty()) {
      // Hosts, sizes and priorities were checked before the run, so this cannot fail.
      const Status s = net_.add_flows(std::move(flows));
      if (!s.is_ok()) {
        error_ = s;
        sim_.stop();
      }
    }
  }

  void schedule_finish(uint32_t task, Time start, Time end) {
    times_.start[task] = start;
    sim_.schedule_at(end, EventPriority::kTimer, this, kFinish, task);
  }

  void finish(uint32_t task) {
    times_.finish[task] = sim_.now();
    for (uint32_t k = dep_begin_[task]; k < dep_begin_[task + 1]; ++k) {
      const uint32_t s = dependents_[k];
      if (--remaining_[s] == 0) make_ready(s);
    }
    if (++done_ == g_.size()) sim_.stop();
  }

  const TaskGraph& g_;
  const ClusterMap& map_;
  Network& net_;
  Simulator& sim_;
  TaskTimes times_;
  std::vector<uint32_t> remaining_;  // unfinished dependencies per task
  std::vector<uint32_t> dep_begin_;  // dependents of task i: dependents_[dep_begin_[i]..[i+1])
  std::vector<uint32_t> dependents_;
  std::vector<Time> gpu_free_;      // when each GPU ends the last compute task given to it
  std::vector<Time> nvl_out_free_;  // ... its NVLink egress its last transfer
  std::vector<Time> nvl_in_free_;   // ... its NVLink ingress
  std::vector<uint32_t> ready_;
  std::vector<uint32_t> task_of_flow_;  // by flow id - flow_base_
  uint32_t flow_base_ = 0;
  size_t done_ = 0;
  Status error_;
};

// Everything add_flows would refuse mid-run, refused before it starts.
Status check_map(const TaskGraph& g, const ClusterMap& map, const Network& net) {
  const uint32_t ranks = map.ranks();
  if (map.host_of_rank.size() != ranks) {
    return Status::error("cluster map: host_of_rank has " +
                         std::to_string(map.host_of_rank.size()) + " entries for " +
                         std::to_string(ranks) + " ranks");
  }
  if (map.nvlink_rate.bits_per_second() <= 0) {
    return Status::error("cluster map: nvlink_rate must be positive");
  }
  if (Status s = validate_task_graph(g, ranks); !s.is_ok()) return s;
  const size_t hosts = net.hosts().size();
  const auto& tasks = g.tasks();
  for (size_t i = 0; i < tasks.size(); ++i) {
    const Task& t = tasks[i];
    if (t.kind != TaskKind::kTransfer || map.same_node(t.rank, t.peer)) continue;
    const std::string where = "task " + std::to_string(i);
    const uint32_t src = map.host_of_rank[t.rank];
    const uint32_t dst = map.host_of_rank[t.peer];
    if (src >= hosts || dst >= hosts) {
      return Status::error(where + ": rank " + std::to_string(src >= hosts ? t.rank : t.peer) +
                           " is on host " + std::to_string(std::max(src, dst)) +
                           ", but the network has " + std::to_string(hosts) + " hosts");
    }
    if (src == dst) {
      return Status::error(where + ": ranks " + std::to_string(t.rank) + " and " +
                           std::to_string(t.peer) + " are on different nodes but share host " +
                           std::to_string(src));
    }
    if (t.priority > 7) return Status::error(where + ": priority must be 0..7");
  }
  return Status::ok();
}

}  // namespace

Result<TaskTimes> run_on_network(const TaskGraph& g, const ClusterMap& map, Network& net,
                                 Time stop_at) {
  if (Status s = check_map(g, map, net); !s.is_ok()) return s;
  PacketExecutor exec(g, map, net);
  net.set_stop_when_all_done(false);
  net.set_ports_per_connection(true);
  net.set_observer(&exec);
  const Status s = exec.run(stop_at);
  net.set_observer(nullptr);
  net.set_ports_per_connection(false);
  net.set_stop_when_all_done(true);
  if (!s.is_ok()) return s;
  return exec.take_times();
}

}  // namespace aifabric
