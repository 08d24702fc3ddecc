// Work-conserving list scheduling over ports: every task needs one or two ports (a
// GPU; a NIC's tx and the peer NIC's rx; an NVLink egress and the peer's ingress), each
// port serves one task at a time, and whenever a task's ports are all free and it is
// the earliest-ready such task (ties by index) it starts. Invariant after each instant
// is dispatched: no waiting task has all of its ports free.
#include "aifabric/workload/analytic_executor.h"

#include <algorithm>
#include <deque>
#include <queue>
#include <tuple>
#include <utility>

namespace aifabric {
namespace {

constexpr uint32_t kNoPort = UINT32_MAX;

class Scheduler {
 public:
  Scheduler(const TaskGraph& g, const ClusterMap& map, const AlphaBeta& ab)
      : tasks_(g.tasks()), ranks_(map.ranks()) {
    const size_t n = tasks_.size();
    const BitRate goodput = ab.net_beta.scaled(ab.net_efficiency);
    need_.resize(n);
    duration_.resize(n);
    for (size_t i = 0; i < n; ++i) {
      const Task& t = tasks_[i];
      if (t.kind == TaskKind::kCompute) {
        need_[i] = {port(kGpu, t.rank), kNoPort};
        duration_[i] = t.duration;
      } else if (map.same_node(t.rank, t.peer)) {
        need_[i] = {port(kNvlOut, t.rank), port(kNvlIn, t.peer)};
        duration_[i] = map.nvlink_latency + map.nvlink_rate.transmit_time(t.bytes);
      } else {
        need_[i] = {port(kNetTx, t.rank), port(kNetRx, t.peer)};
        duration_[i] = ab.net_alpha + goodput.transmit_time(t.bytes);
      }
    }
    // Successors in one flat array (CSR).
    remaining_.resize(n);
    succ_begin_.assign(n + 1, 0);
    for (size_t i = 0; i < n; ++i) {
      remaining_[i] = static_cast<uint32_t>(tasks_[i].deps.size());
      for (uint32_t d : tasks_[i].deps) ++succ_begin_[d + 1];
    }
    for (size_t i = 0; i < n; ++i) succ_begin_[i + 1] += succ_begin_[i];
    succ_.resize(succ_begin_[n]);
    std::vector<uint32_t> fill(succ_begin_.begin(), succ_begin_.end() - 1);
    for (size_t i = 0; i < n; ++i) {
      for (uint32_t d : tasks_[i].deps) succ_[fill[d]++] = static_cast<uint32_t>(i);
    }
    const size_t ports = size_t{kPortKinds} * ranks_;
    free_at_.assign(ports, Time::zero());
    queue_.resize(ports);
    dirty_stamp_.assign(ports, 0);
    seq_.assign(n, 0);
    times_.start.assign(n, Time::max());
    times_.finish.assign(n, Time::max());
  }

  TaskTimes run() {
    std::vector<uint32_t> ready;
    for (uint32_t i = 0; i < tasks_.size(); ++i) {
      if (remaining_[i] == 0) ready.push_back(i);
    }
    Time now = Time::zero();
    for (;;) {
      enqueue(ready);
      dispatch(now);
      if (events_.empty()) break;
      // Every task that ends at the next instant, before any new task starts, so that
      // the tasks they free compete in index order.
      now = Time::ps(events_.top().first);
      ready.clear();
      while (!events_.empty() && events_.top().first == now.ps()) {
        const uint32_t i = events_.top().second;
        events_.pop();
        mark_dirty(need_[i].first);
        mark_dirty(need_[i].second);
        for (uint32_t k = succ_begin_[i]; k < succ_begin_[i + 1]; ++k) {
          if (--remaining_[succ_[k]] == 0) ready.push_back(succ_[k]);
        }
      }
    }
    return std::move(times_);
  }

 private:
  enum PortKind : uint32_t { kGpu, kNetTx, kNetRx, kNvlOut, kNvlIn, kPortKinds };
  uint32_t port(PortKind kind, uint32_t rank) const { return kind * ranks_ + rank; }

  bool port_free(uint32_t p, Time now) const { return p == kNoPort || free_at_[p] <= now; }
  bool startable(uint32_t i, Time now) const {
    return times_.start[i] == Time::max() && port_free(need_[i].first, now) &&
           port_free(need_[i].second, now);
  }

  void mark_dirty(uint32_t p) {
    if (p == kNoPort || dirty_stamp_[p] == stamp_) return;
    dirty_stamp_[p] = stamp_;
    dirty_.push_back(p);
  }

  // Tasks that became ready at this instant join their ports' queues in index order;
  // their sequence number is the readiness order the whole schedule respects.
  void enqueue(std::vector<uint32_t>& ready) {
    std::sort(ready.begin(), ready.end());
    for (uint32_t i : ready) {
      seq_[i] = next_seq_++;
      for (uint32_t p : {need_[i].first, need_[i].second}) {
        if (p == kNoPort) continue;
        queue_[p].push_back(i);
        mark_dirty(p);
      }
    }
  }

  // The earliest-ready waiting task of port `p` whose other port is free too, or
  // kNoPort. Started tasks leave a queue lazily, when they reach its front.
  uint32_t first_startable(uint32_t p, Time now) {
    auto& q = queue_[p];
    while (!q.empty() && times_.start[q.front()] != Time::max()) q.pop_front();
    for (uint32_t i : q) {
      if (startable(i, now)) return i;
    }
    return kNoPort;
  }

  // Starts tasks until none that waits has all its ports free. Only ports that were
  // freed or gained a task at this instant can offer a newly startable task; each
  // offers its best, and the earliest-ready offer starts first.
  void dispatch(Time now) {
    using Offer = std::tuple<uint64_t, uint32_t, uint32_t>;  // (seq, task, port)
    std::priority_queue<Offer, std::vector<Offer>, std::greater<>> offers;
    auto offer = [&](uint32_t p) {
      if (!port_free(p, now)) return;
      const uint32_t i = first_startable(p, now);
      if (i != kNoPort) offers.emplace(seq_[i], i, p);
    };
    for (uint32_t p : dirty_) offer(p);
    dirty_.clear();
    ++stamp_;
    while (!offers.empty()) {
      const auto [s, i, p] = offers.top();
      offers.pop();
      if (!startable(i, now)) {
        offer(p);  // taken or blocked by an earlier start: the port's next best
        continue;
      }
      const Time end = now + duration_[i];
      times_.start[i] = now;
      times_.finish[i] = end;
      for (uint32_t q : {need_[i].first, need_[i].second}) {
        if (q != kNoPort) free_at_[q] = end;
      }
      events_.emplace(end.ps(), i);
    }
  }

  const std::vector<Task>& tasks_;
  const uint32_t ranks_;
  std::vector<std::pair<uint32_t, uint32_t>> need_;  // ports per task (second may be none)
  std::vector<Time> duration_;
  std::vector<uint32_t> remaining_;  // unfinished dependencies per task
  std::vector<uint32_t> succ_begin_;
  std::vector<uint32_t> succ_;
  std::vector<Time> free_at_;                // when each port ends its current task
  std::vector<std::deque<uint32_t>> queue_;  // waiting tasks per port, in readiness order
  std::vector<uint64_t> dirty_stamp_;
  std::vector<uint32_t> dirty_;
  uint64_t stamp_ = 1;
  std::vector<uint64_t> seq_;
  uint64_t next_seq_ = 0;
  using Event = std::pair<int64_t, uint32_t>;  // (finish ps, task)
  std::priority_queue<Event, std::vector<Event>, std::greater<>> events_;
  TaskTimes times_;
};

}  // namespace

Result<TaskTimes> run_analytic(const TaskGraph& g, const ClusterMap& map, const AlphaBeta& ab) {
  if (auto st = validate_task_graph(g, map.ranks()); !st) return st;
  if (ab.net_alpha < Time::zero()) return Status::error("alpha-beta: alpha must be >= 0");
  if (!(ab.net_efficiency > 0 && ab.net_efficiency <= 1)) {
    return Status::error("alpha-beta: efficiency must be in (0, 1]");
  }
  if (ab.net_beta.scaled(ab.net_efficiency).bits_per_second() <= 0) {
    return Status::error("alpha-beta: beta must be positive");
  }
  if (map.nvlink_rate.bits_per_second() <= 0) {
    return Status::error("cluster map: nvlink_rate must be positive");
  }
  if (map.nvlink_latency < Time::zero()) {
    return Status::error("cluster map: nvlink_latency must be >= 0");
  }
  return Scheduler(g, map, ab).run();
}

}  // namespace aifabric
