#include "aifabric/workload/executor.h"

#include <algorithm>
#include <string>

namespace aifabric {
namespace {

enum Kind : uint32_t {
  kDispatch = 0,   // start what became ready or free at this instant
  kFinish = 1,     // a compute task or NVLink transfer ends (arg = task)
  kFree = 2,       // a pipelined NVLink transfer's bytes left: its ports are free (arg = task)
  kDelivered = 3,  // a pipelined transfer's data is usable (arg = task)
};

}  // namespace

Executor::Executor(const TaskGraph& g, const ClusterMap& map, Simulator& sim)
    : g_(g),
      map_(map),
      sim_(sim),
      ranks_(map.ranks()),
      nvlink_(map.nvlink_rate.scaled(map.nvlink_efficiency)),
      nvlink_cross_(map.nvlink_group > 0 ? map.nvlink_cross_rate.scaled(map.nvlink_efficiency)
                                         : nvlink_),
      local_(size_t{3} * map.ranks(), g.size()) {
  const auto& tasks = g.tasks();
  const size_t n = tasks.size();
  times_.start.assign(n, Time::max());
  times_.finish.assign(n, Time::max());
  remaining_.resize(n);
  if (map.planes > 1) parts_left_.assign(n, 0);
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
}

Status Executor::run(TransferEngine& engine, Time stop_at) {
  if (g_.size() == 0) return Status::ok();
  engine_ = &engine;
  sim_.hold();
  for (size_t i = 0; i < remaining_.size(); ++i) {
    if (remaining_[i] == 0) make_ready(static_cast<uint32_t>(i));
  }
  sim_.run_until_idle(stop_at);
  engine_ = nullptr;
  return error_;
}

// Readiness is collected and served by one dispatch event at the same instant, after
// every device event of that picosecond (application events run last), so that tasks
// that become ready together start in index order whichever event freed them.
void Executor::make_ready(uint32_t task) {
  ready_.push_back(task);
  request_dispatch();
}

void Executor::request_dispatch() {
  if (dispatch_at_ == sim_.now()) return;
  dispatch_at_ = sim_.now();
  sim_.schedule_at(sim_.now(), EventPriority::kApplication, this, kDispatch);
}

void Executor::dispatch() {
  dispatch_at_ = Time::max();
  const Time now = sim_.now();
  // Finishes are always events of their own, so nothing joins ready_ during the loop.
  std::sort(ready_.begin(), ready_.end());
  std::vector<Transfer> transfers;
  for (uint32_t i : ready_) {
    const Task& t = g_.tasks()[i];
    const uint64_t seq = next_seq_++;
    if (t.barrier) {
      times_.start[i] = now;
      sim_.schedule_at(now, EventPriority::kTimer, this, kDelivered, i);
    } else if (t.kind == TaskKind::kCompute) {
      local_.enqueue(i, seq, gpu(t.rank), ListScheduler::kNone, t.duration);
    } else if (map_.same_node(t.rank, t.peer)) {
      local_.enqueue(i, seq, nvl_out(t.rank), nvl_in(t.peer), nvlink_time(t));
    } else if (map_.planes <= 1) {
      transfers.push_back(
          Transfer{i, map_.host_of_rank[t.rank], map_.host_of_rank[t.peer], t.bytes, t.priority});
    } else {
      // One connection per plane, the bytes split evenly (the first parts carry the
      // remainder); a transfer smaller than the planes uses as many as it has bytes.
      const auto parts =
          static_cast<uint32_t>(std::clamp<int64_t>(t.bytes, 1, int64_t{map_.planes}));
      parts_left_[i] = static_cast<uint8_t>(parts);
      const auto n = static_cast<uint32_t>(g_.size());
      for (uint32_t p = 0; p < parts; ++p) {
        const int64_t bytes = t.bytes / parts + (p < t.bytes % parts ? 1 : 0);
        const uint32_t shift = p * map_.plane_stride;
        transfers.push_back(Transfer{i + p * n, map_.host_of_rank[t.rank] + shift,
                                     map_.host_of_rank[t.peer] + shift, bytes, t.priority});
      }
    }
  }
  ready_.clear();
  local_.dispatch(now, [this, now](uint32_t task, Time end) {
    times_.start[task] = now;
    const Task& t = g_.tasks()[task];
    if (t.kind == TaskKind::kTransfer && t.pipelined) {
      sim_.schedule_at(end, EventPriority::kTimer, this, kFree, task);
      sim_.schedule_at(end + delay_of(t), EventPriority::kTimer, this, kDelivered, task);
    } else {
      sim_.schedule_at(end, EventPriority::kTimer, this, kFinish, task);
    }
  });
  if (!transfers.empty()) {
    // Hosts, sizes and priorities were checked before the run, so this cannot fail.
    const Status s = engine_->start(transfers);
    if (!s.is_ok()) {
      error_ = s;
      sim_.stop();
    }
  }
}

void Executor::handle_event(uint32_t kind, uint64_t arg) {
  const auto task = static_cast<uint32_t>(arg);
  switch (kind) {
    case kFinish:
      local_.freed(task);
      request_dispatch();
      finish(task);
      break;
    case kFree:
      local_.freed(task);
      request_dispatch();
      break;
    case kDelivered:
      finish(task);
      break;
    default:
      dispatch();
  }
}

Time Executor::nvlink_time(const Task& t) const {
  const bool cross = map_.nvlink_group > 0 && map_.host_of_rank[t.rank] / map_.nvlink_group !=
                                                  map_.host_of_rank[t.peer] / map_.nvlink_group;
  const Time wire = (cross ? nvlink_cross_ : nvlink_).transmit_time(t.bytes);
  if (t.pipelined) return wire;
  return (cross ? map_.nvlink_cross_latency : map_.nvlink_latency) + wire;
}

void Executor::transfer_started(uint32_t id) {
  const uint32_t task = task_of(id);
  if (times_.start[task] == Time::max()) times_.start[task] = sim_.now();
}

void Executor::transfer_done(uint32_t part, bool completed) {
  const uint32_t id = task_of(part);
  if (completed && map_.planes > 1 && --parts_left_[id] > 0) return;
  if (!completed) {
    const Task& t = g_.tasks()[id];
    times_.failure = "task " + std::to_string(id) + " (" + g_.groups()[t.group].name + ": " +
                     std::to_string(t.bytes) + " bytes from rank " + std::to_string(t.rank) +
                     " to rank " + std::to_string(t.peer) +
                     "): its flow failed (retry limit reached)";
    sim_.stop();
    return;
  }
  const Task& t = g_.tasks()[id];
  // The dependents are fabric-wide work made due by an event of the transfer's NIC.
  sim_.note_start(EventHandler::kNoHome, sim_.now() + (t.pipelined ? delay_of(t) : Time::zero()));
  if (t.pipelined && delay_of(t) > Time::zero()) {
    sim_.schedule_at(sim_.now() + delay_of(t), EventPriority::kTimer, this, kDelivered, id);
    return;
  }
  finish(id);
}

void Executor::finish(uint32_t task) {
  times_.finish[task] = sim_.now();
  for (uint32_t k = dep_begin_[task]; k < dep_begin_[task + 1]; ++k) {
    const uint32_t s = dependents_[k];
    if (--remaining_[s] == 0) make_ready(s);
  }
  if (++done_ == g_.size()) sim_.release();
}

Status check_cluster_map(const TaskGraph& g, const ClusterMap& map) {
  const uint32_t ranks = map.ranks();
  if (map.host_of_rank.size() != ranks) {
    return Status::error("cluster map: host_of_rank has " +
                         std::to_string(map.host_of_rank.size()) + " entries for " +
                         std::to_string(ranks) + " ranks");
  }
  if (Status s = validate_task_graph(g, ranks); !s.is_ok()) return s;
  if (map.nvlink_rate.bits_per_second() <= 0) {
    return Status::error("cluster map: nvlink_rate must be positive");
  }
  if (map.nvlink_latency < Time::zero()) {
    return Status::error("cluster map: nvlink_latency must be >= 0");
  }
  if (!(map.nvlink_efficiency > 0 && map.nvlink_efficiency <= 1)) {
    return Status::error("cluster map: nvlink_efficiency must be in (0, 1]");
  }
  if (map.planes < 1 || map.planes > 255) {
    return Status::error("cluster map: planes must be 1..255");
  }
  if (map.nvlink_group > 0 &&
      (map.nvlink_cross_rate.bits_per_second() <= 0 || map.nvlink_cross_latency < Time::zero())) {
    return Status::error("cluster map: a 2-level NVLink domain needs a positive cross rate");
  }
  return Status::ok();
}

namespace {

// Everything add_flows would refuse mid-run, refused before it starts.
Status check_hosts(const TaskGraph& g, const ClusterMap& map, size_t hosts) {
  const auto& tasks = g.tasks();
  for (size_t i = 0; i < tasks.size(); ++i) {
    const Task& t = tasks[i];
    if (t.kind != TaskKind::kTransfer || map.same_node(t.rank, t.peer)) continue;
    const std::string where = "task " + std::to_string(i);
    const uint64_t last_plane = uint64_t{map.planes - 1} * map.plane_stride;
    const uint32_t src = map.host_of_rank[t.rank];
    const uint32_t dst = map.host_of_rank[t.peer];
    if (src + last_plane >= hosts || dst + last_plane >= hosts) {
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
  if (Status s = check_cluster_map(g, map); !s.is_ok()) return s;
  auto times = run_job(g, map, *engines().find("packet"), net, stop_at);
  if (times && !times->failure.empty()) return Status::error(times->failure);
  return times;
}

Result<TaskTimes> run_job(const TaskGraph& g, const ClusterMap& map, const EngineKind& engine,
                          Network& net, Time stop_at, FabricRecord* record) {
  if (Status s = check_cluster_map(g, map); !s.is_ok()) return s;
  if (engine.on_paths()) {
    if (Status s = check_hosts(g, map, net.hosts().size()); !s.is_ok()) return s;
  }
  Simulator own;
  // Engines on the fabric's paths run on its clock too (the run's events and end).
  const bool fabric_clock = engine.on_paths();
  Simulator& sim = fabric_clock ? net.sim() : own;
  Executor exec(g, map, sim);
  const uint32_t probe = map.host_of_rank.empty() ? 0 : map.host_of_rank[0];
  EngineContext ctx{sim, net, exec, g.size() * std::max<uint32_t>(map.planes, 1), probe};
  const auto eng = engine.make(ctx);
  const Status s = exec.run(*eng, fabric_clock ? stop_at : Time::max());
  if (!s.is_ok()) return s;
  if (record != nullptr) eng->record(*record, sim.now());
  return exec.take_times();
}

Result<TaskTimes> run_analytic(const TaskGraph& g, const ClusterMap& map, const AlphaBeta& ab) {
  if (Status s = check_cluster_map(g, map); !s.is_ok()) return s;
  if (Status s = check_alpha_beta(ab); !s.is_ok()) return s;
  size_t hosts = 0;
  for (uint32_t h : map.host_of_rank) hosts = std::max<size_t>(hosts, size_t{h} + 1);
  if (map.planes > 1) hosts += size_t{map.planes - 1} * map.plane_stride;
  Simulator sim;
  Executor exec(g, map, sim);
  AnalyticEngine engine(sim, exec, ab, hosts, g.size() * map.planes);
  const Status s = exec.run(engine, Time::max());
  if (!s.is_ok()) return s;
  return exec.take_times();
}

}  // namespace aifabric
