// The receiving NIC's pull pacer (receiver-driven credits, transport/cc/eqds/): a data
// packet that arrives asking for a pull (wants_pull), and every trimmed header (its
// packet must come again), owes its sender one pull; the pacer sends the pulls of all
// the NIC's receiving queue pairs one at a time, round robin among those owed one, at
// most one per `spacing` (a full data frame's time on the NIC's link at the
// algorithm's pull share of its rate), so the data they ask for arrives at that rate.
// Frames the link carried that no pull asked for (trimmed headers, ACKs, NACKs, CNPs,
// pulls) took link time too: each moves the pull clock on by its own wire time, so
// data and headers together fill the link (the "minus the headers" of the pacing).
// Invariant: a receiver is in the turn ring exactly while it is owed a pull.
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

#include "aifabric/core/units.h"
#include "aifabric/transport/ring_buffer.h"

namespace aifabric {

class PullPacer {
 public:
  explicit PullPacer(Time spacing) : spacing_(spacing) {}

  Time spacing() const { return spacing_; }
  // One more pull owed to receiver `r` (an index the NIC chooses).
  void owe(uint32_t r) {
    if (r >= owed_.size()) owed_.resize(r + 1, 0);
    if (owed_[r]++ == 0) turns_.push_back(r);
  }
  bool pending() const { return !turns_.empty(); }
  // Whose turn it is; pending() must hold.
  uint32_t front() const { return turns_.front(); }
  // When the next pull may leave, seen at `now`.
  Time next_at(Time now) const { return std::max(now, clock_); }
  // The front receiver gets a pull now (now >= next_at(now)): one fewer owed, its turn
  // goes to the back of the ring, the clock moves one spacing on.
  uint32_t take(Time now) {
    const uint32_t r = turns_.front();
    turns_.pop_front();
    if (--owed_[r] > 0) turns_.push_back(r);
    clock_ = std::max(clock_, now) + spacing_;
    return r;
  }
  // The front receiver is owed nothing more after all (its message is complete): it
  // leaves the ring without a pull, and the clock stays.
  void forgive_front() {
    owed_[turns_.front()] = 0;
    turns_.pop_front();
  }
  // The link carried, at `now`, a frame of `t` that no pull asked for.
  void occupied(Time t, Time now) { clock_ = std::max(clock_, now) + t; }
  int64_t owed(uint32_t r) const { return r < owed_.size() ? owed_[r] : 0; }

 private:
  Time spacing_;
  Time clock_;  // the earliest time the next pull may leave
  std::vector<int64_t> owed_;
  RingBuffer<uint32_t> turns_;
};

}  // namespace aifabric
