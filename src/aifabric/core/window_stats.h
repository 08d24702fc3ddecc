// The window model of a conservative parallel engine, measured on a sequential run.
//
// A conservative engine splits the fabric into partitions, one thread each, and runs
// them in windows: from the earliest pending event T, every partition may run its
// events before T + L without hearing from the others, where L (the lookahead) is the
// smallest propagation delay of a link between two partitions; then all wait at a
// barrier and exchange the frames that crossed. A window lasts as long as its busiest
// partition, so the run's critical path is the sum over windows of the most events any
// one partition ran in it (plus the fabric-wide events, which no partition owns).
//
// WindowStats watches a sequential run's events in order (Simulator::set_window_stats)
// and counts, for one placement of the topology's nodes into partitions, exactly the
// windows such an engine would run and each window's busiest partition. It changes
// nothing in the run. docs/performance.md, "Parallel model", turns the counts into a
// projected speedup with the barrier cost measured on the machine.
#pragma once

#include <algorithm>
#include <cstdint>
#include <utility>
#include <vector>

#include "aifabric/core/event_queue.h"

namespace aifabric {

class WindowStats {
 public:
  // `part_of_node[n]`: the partition (< parts) of topology node n; `lookahead_ps`: the
  // window length (0 or less: the whole run is one window, as with one partition).
  WindowStats(std::vector<uint16_t> part_of_node, int parts, int64_t lookahead_ps)
      : part_of_node_(std::move(part_of_node)),
        count_(static_cast<size_t>(std::max(parts, 1)), 0),
        total_(count_.size(), 0),
        lookahead_ps_(lookahead_ps > 0 ? static_cast<uint64_t>(lookahead_ps) : UINT64_MAX) {}

  // One event, in the order the sequential engine runs them.
  void record(const Event& e) {
    if (e.time_ps >= window_end_) close(e.time_ps);
    const uint32_t home = e.handler->home();
    if (home >= part_of_node_.size()) {
      ++serial_;  // fabric-wide (kNoHome) or a node outside the placement
      return;
    }
    ++count_[part_of_node_[home]];
  }
  // An event at node `from` started work due `delay_ps` from now at node `to`, or
  // (kNoHome `to`) fabric-wide work such as a workload's dependent tasks. From set-up or
  // a fabric-wide handler (kNoHome `from`) a windowed engine knows the time ahead; from
  // a partition, work in another partition or fabric-wide that is due sooner than the
  // lookahead is work such an engine learns of only at the next barrier: counted.
  void note_start(uint32_t from, uint32_t to, int64_t delay_ps) {
    if (from >= part_of_node_.size()) return;
    if (to < part_of_node_.size() && part_of_node_[from] == part_of_node_[to]) return;
    if (delay_ps >= 0 && static_cast<uint64_t>(delay_ps) >= lookahead_ps_) return;
    ++early_starts_;
  }
  // Closes the last window: call once the run is over, before reading.
  void finish() { close(UINT64_MAX); }

  int parts() const { return static_cast<int>(count_.size()); }
  uint64_t windows() const { return windows_; }
  uint64_t events() const { return events_; }
  // Sum over windows of the busiest partition's events plus the fabric-wide ones.
  uint64_t critical_events() const { return critical_; }
  uint64_t serial_events() const { return serial_total_; }
  // Events each partition ran over the whole run.
  const std::vector<uint64_t>& partition_events() const { return total_; }
  // Starts across partitions sooner than the lookahead (note_start).
  uint64_t early_starts() const { return early_starts_; }
  // What the windows allow at best (no barrier or exchange cost): events / critical.
  double ideal_speedup() const {
    return critical_ == 0 ? 1.0 : static_cast<double>(events_) / static_cast<double>(critical_);
  }

 private:
  // Ends the open window (if any) and opens the next at the event at `t`.
  void close(uint64_t t) {
    uint64_t busiest = 0, sum = 0;
    for (size_t p = 0; p < count_.size(); ++p) {
      busiest = std::max(busiest, count_[p]);
      sum += count_[p];
      total_[p] += count_[p];
      count_[p] = 0;
    }
    if (sum + serial_ != 0) {
      ++windows_;
      critical_ += busiest + serial_;
      events_ += sum + serial_;
      serial_total_ += serial_;
    }
    serial_ = 0;
    window_end_ = t > UINT64_MAX - lookahead_ps_ ? UINT64_MAX : t + lookahead_ps_;
  }

  std::vector<uint16_t> part_of_node_;
  std::vector<uint64_t> count_;  // this window's events per partition
  std::vector<uint64_t> total_;
  uint64_t lookahead_ps_;
  uint64_t window_end_ = 0;  // the open window covers events before this time
  uint64_t serial_ = 0;      // this window's fabric-wide events
  uint64_t windows_ = 0, events_ = 0, critical_ = 0, serial_total_ = 0;
  uint64_t early_starts_ = 0;
};

}  // namespace aifabric
