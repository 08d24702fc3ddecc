// Work-conserving list scheduling over unit-capacity resources (a GPU, a NIC's transmit
// or receive side, an NVLink port): a job needs one or two resources for a known
// duration, each resource serves one job at a time, and whenever every resource a
// waiting job needs is free and it is the earliest-ready such job (by its readiness
// sequence number), it starts. Invariant after each dispatch: no waiting job has all
// of its resources free. Jobs are numbered by the caller (dense, below `jobs`).
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <queue>
#include <tuple>
#include <vector>

#include "aifabric/core/units.h"

namespace aifabric {

class ListScheduler {
 public:
  static constexpr uint32_t kNone = UINT32_MAX;

  ListScheduler(size_t resources, size_t jobs)
      : free_at_(resources, Time::zero()),
        queue_(resources),
        dirty_stamp_(resources, 0),
        need_(jobs, {kNone, kNone}),
        duration_(jobs),
        seq_(jobs, 0),
        started_(jobs, 0) {}

  // `job` became ready with readiness order `seq` (smaller = earlier); it needs `r1`
  // and, unless kNone, `r2`.
  void enqueue(uint32_t job, uint64_t seq, uint32_t r1, uint32_t r2, Time duration) {
    need_[job] = {r1, r2};
    duration_[job] = duration;
    seq_[job] = seq;
    for (uint32_t r : {r1, r2}) {
      if (r == kNone) continue;
      queue_[r].push_back(job);
      mark_dirty(r);
    }
  }
  // A job of these resources ended now: they may offer their next waiting job.
  void freed(uint32_t job) {
    mark_dirty(need_[job].first);
    mark_dirty(need_[job].second);
  }
  // Starts, in readiness order, every job that can start at `now`; calls
  // started(job, end) for each. Only resources that were freed or gained a job since
  // the last dispatch can offer a newly startable job; each offers its best, and the
  // earliest-ready offer starts first.
  template <class F>
  void dispatch(Time now, F&& started) {
    using Offer = std::tuple<uint64_t, uint32_t, uint32_t>;  // (seq, job, resource)
    std::priority_queue<Offer, std::vector<Offer>, std::greater<>> offers;
    auto offer = [&](uint32_t r) {
      if (!free(r, now)) return;
      const uint32_t j = first_startable(r, now);
      if (j != kNone) offers.emplace(seq_[j], j, r);
    };
    for (uint32_t r : dirty_) offer(r);
    dirty_.clear();
    ++stamp_;
    while (!offers.empty()) {
      const auto [s, j, r] = offers.top();
      offers.pop();
      if (!startable(j, now)) {
        offer(r);  // taken or blocked by an earlier start: the resource's next best
        continue;
      }
      const Time end = now + duration_[j];
      started_[j] = 1;
      for (uint32_t q : {need_[j].first, need_[j].second}) {
        if (q != kNone) free_at_[q] = end;
      }
      started(j, end);
    }
  }

 private:
  bool free(uint32_t r, Time now) const { return r == kNone || free_at_[r] <= now; }
  bool startable(uint32_t j, Time now) const {
    return !started_[j] && free(need_[j].first, now) && free(need_[j].second, now);
  }
  void mark_dirty(uint32_t r) {
    if (r == kNone || dirty_stamp_[r] == stamp_) return;
    dirty_stamp_[r] = stamp_;
    dirty_.push_back(r);
  }
  // The earliest-ready waiting job of resource `r` whose other resource is free too,
  // or kNone. Started jobs leave a queue lazily, when they reach its front.
  uint32_t first_startable(uint32_t r, Time now) {
    auto& q = queue_[r];
    while (!q.empty() && started_[q.front()]) q.pop_front();
    for (uint32_t j : q) {
      if (startable(j, now)) return j;
    }
    return kNone;
  }

  std::vector<Time> free_at_;                // when each resource ends its current job
  std::vector<std::deque<uint32_t>> queue_;  // waiting jobs per resource, in readiness order
  std::vector<uint64_t> dirty_stamp_;
  std::vector<uint32_t> dirty_;
  uint64_t stamp_ = 1;
  std::vector<std::pair<uint32_t, uint32_t>> need_;
  std::vector<Time> duration_;
  std::vector<uint64_t> seq_;
  std::vector<char> started_;
};

}  // namespace aifabric
