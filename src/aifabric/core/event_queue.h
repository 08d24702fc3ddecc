// Events and the pending-event set, ordered by (time, priority, kind, source node, the
// source's own sequence) so that every run is reproducible, and reproducible the same
// way by an engine that runs the fabric's partitions apart (docs/design.md). Events are plain
// 32-byte values; the handler is bound through a virtual call, never std::function.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <vector>

#include "aifabric/core/units.h"

namespace aifabric {

// Named priorities for events at the same picosecond: lower runs first.
enum class EventPriority : uint8_t {
  kDelivery = 0,    // a frame arrives at the far end of a link
  kTransmit = 1,    // a transmitter becomes free
  kTimer = 2,       // protocol timers (pause expiry, CC, retransmission)
  kApplication = 3  // flow starts and other workload events
};

class EventHandler {
 public:
  virtual void handle_event(uint32_t kind, uint64_t arg) = 0;

  // The topology node whose state this handler's events change (a device, its ports and
  // its queue pairs), or kNoHome for fabric-wide handlers (the workload executor,
  // telemetry, faults): what a partitioned engine places by, and what the window model
  // (core/window_stats.h) counts by.
  static constexpr uint32_t kNoHome = UINT32_MAX;
  uint32_t home() const { return home_; }
  void set_home(uint32_t node) { home_ = node; }

 protected:
  ~EventHandler() = default;

 private:
  uint32_t home_ = kNoHome;
};

// 32 bytes, two to a cache line. `order` packs the priority (top 2 bits), the
// handler's event kind (next 6) and the event's source key (low 56 bits: the node that
// scheduled it, 20 bits, and that node's own count of events it scheduled, 36 bits), so
// (time, order) orders by time, then priority, then kind, then source node, then the
// order the source scheduled them in. A global insertion count would do for one event
// queue, but it depends on how every device's events interleave; a source's own count
// depends only on that source's events, which run in the same order in a partitioned
// engine (docs/design.md, "the order key").
struct Event {
  uint64_t time_ps;
  uint64_t order;
  EventHandler* handler;
  uint64_t arg;
  Time time() const { return Time::ps(static_cast<int64_t>(time_ps)); }
  uint32_t kind() const { return static_cast<uint32_t>((order >> kKindShift) & kKindMask); }

  static constexpr int kKindShift = 56;
  static constexpr uint64_t kKindMask = 0x3f;  // kinds < 64
  static constexpr int kSourceBits = 20;       // source nodes < 2^20
  static constexpr int kSeqBits = 36;          // 6.9e10 events per source
  static constexpr uint64_t kSourceKeyMask = (1ULL << kKindShift) - 1;
  // A source key: `source` < 2^20, `seq` taken modulo 2^36.
  static uint64_t source_key(uint32_t source, uint64_t seq) {
    return (static_cast<uint64_t>(source) << kSeqBits) | (seq & ((1ULL << kSeqBits) - 1));
  }
};

// The pending-event set: a calendar queue for the near future and a 4-ary heap for
// the rest. Most events in a packet simulation fall within a few microseconds of now
// (serialization, propagation), so they go to one of 8192 buckets of 1.024 ns each
// (an 8.4 us window) found through a bitmap; timers further out wait in the heap and
// move into the calendar as the window reaches them. Pops return events in exactly
// (time, priority, insertion) order, as a plain heap would.
class EventQueue {
 public:
  EventQueue() : buckets_(kBuckets) {}
  bool empty() const { return size_ == 0; }
  size_t size() const { return size_; }

  // `kind` must be < 64; `source_key` is Event::source_key of the scheduling source.
  void push(Time t, EventPriority prio, EventHandler* h, uint32_t kind, uint64_t arg,
            uint64_t source_key) {
    const uint64_t order = (static_cast<uint64_t>(prio) << 62) |
                           (static_cast<uint64_t>(kind & Event::kKindMask) << Event::kKindShift) |
                           (source_key & Event::kSourceKeyMask);
    insert(Event{static_cast<uint64_t>(t.ps()), order, h, arg});
    ++size_;
  }
  // Insertion order as the source key (one source): for a queue used on its own.
  void push(Time t, EventPriority prio, EventHandler* h, uint32_t kind, uint64_t arg) {
    push(t, prio, h, kind, arg, Event::source_key(0, seq_++));
  }

  // The earliest event; the queue must not be empty.
  const Event& top() {
    locate();
    return buckets_[cur_][best_];
  }

  Event pop() {
    locate();
    std::vector<Event>& b = buckets_[cur_];
    const Event out = b[best_];
    if (sorted_[cur_] != 0) {
      b.pop_back();  // best_ is the back of a sorted bucket
    } else {
      b[best_] = b.back();
      b.pop_back();
    }
    if (b.empty()) {
      bitmap_[cur_ >> 6] &= ~(1ULL << (cur_ & 63));
      sorted_[cur_] = 0;
      // A crowded bucket gives its storage back once drained: each of the 8192 would
      // otherwise keep the capacity of its most crowded moment for the whole run (half
      // the peak memory of a 432-host permutation was such idle capacity).
      if (b.capacity() > kKeepCapacity) std::vector<Event>().swap(b);
    }
    located_ = false;
    --size_;
    return out;
  }

 private:
  static constexpr int kShift = 10;  // bucket width 2^10 ps
  static constexpr size_t kBuckets = 8192;
  static constexpr uint64_t kSpan = kBuckets << kShift;
  // A bucket holding more simultaneous events than this is sorted once (latest first,
  // so the earliest pops off the back) instead of scanned on every pop: flows that
  // start together on equal-rate links, or a training job's thousands of ranks, put
  // O(hosts) events in one bucket, and scanning them per pop would cost O(b^2).
  static constexpr size_t kSortAbove = 16;
  // Capacity (events) a drained bucket may keep.
  static constexpr size_t kKeepCapacity = 64;

  static bool before(const Event& a, const Event& b) {
    return (a.time_ps < b.time_ps) | ((a.time_ps == b.time_ps) & (a.order < b.order));
  }

  void insert(const Event& e) {
    if (e.time_ps < base_) rewind(e.time_ps);
    if (e.time_ps < base_ + kSpan) {
      const size_t i = static_cast<size_t>(e.time_ps >> kShift) & (kBuckets - 1);
      std::vector<Event>& b = buckets_[i];
      bitmap_[i >> 6] |= 1ULL << (i & 63);
      if (sorted_[i] != 0) {
        // Keep it sorted, latest first: after every later event, before every earlier.
        auto at = b.begin();
        size_t lo = 0, hi = b.size();
        while (lo < hi) {
          const size_t mid = (lo + hi) / 2;
          if (before(e, b[mid])) {
            lo = mid + 1;
          } else {
            hi = mid;
          }
        }
        at += static_cast<std::ptrdiff_t>(lo);
        b.insert(at, e);
        if (located_ && i == cur_) best_ = b.size() - 1;
        return;
      }
      b.push_back(e);
      if (located_ && i == cur_ && before(e, b[best_])) best_ = b.size() - 1;
    } else {
      far_.push(e);
    }
  }

  // Finds the earliest event: the first non-empty bucket at or after the current one,
  // then the minimum inside it.
  void locate() {
    if (located_) return;
    for (;;) {
      const size_t found = next_bucket();
      if (found != kBuckets) {
        // Advance the window to the found bucket, pulling in far events it now covers.
        const size_t steps = (found - cur_) & (kBuckets - 1);
        base_ += static_cast<uint64_t>(steps) << kShift;
        cur_ = found;
        if (steps != 0) pull_far();
        // pull_far may have filled an earlier bucket of the new window.
        if (next_bucket() != cur_) continue;
        break;
      }
      // The calendar is empty: jump the window to the earliest far event.
      const uint64_t t = far_.top().time_ps;
      base_ = t & ~((1ULL << kShift) - 1);
      cur_ = static_cast<size_t>(t >> kShift) & (kBuckets - 1);
      pull_far();
    }
    std::vector<Event>& b = buckets_[cur_];
    if (sorted_[cur_] == 0 && b.size() > kSortAbove) {
      std::sort(b.begin(), b.end(), [](const Event& x, const Event& y) { return before(y, x); });
      sorted_[cur_] = 1;
    }
    if (sorted_[cur_] != 0) {
      best_ = b.size() - 1;
    } else {
      size_t best = 0;
      for (size_t i = 1; i < b.size(); ++i) best = before(b[i], b[best]) ? i : best;
      best_ = best;
    }
    located_ = true;
  }

  // Index of the first non-empty bucket from cur_ onwards (wrapping), or kBuckets.
  size_t next_bucket() const {
    const size_t words = kBuckets / 64;
    size_t w = cur_ >> 6;
    uint64_t bits = bitmap_[w] & (~0ULL << (cur_ & 63));
    for (size_t n = 0; n <= words; ++n) {
      if (bits != 0) return (w << 6) + static_cast<size_t>(__builtin_ctzll(bits));
      w = (w + 1) & (words - 1);
      bits = bitmap_[w];
    }
    return kBuckets;
  }

  // A peek (top) may move the window past the clock; an event scheduled from outside
  // the run loop can then lie before it. Start the window over at `t`.
  void rewind(uint64_t t) {
    for (size_t i = 0; i < kBuckets; ++i) {
      for (const Event& e : buckets_[i]) far_.push(e);
      buckets_[i].clear();
      sorted_[i] = 0;
    }
    std::fill(std::begin(bitmap_), std::end(bitmap_), 0);
    base_ = t & ~((1ULL << kShift) - 1);
    cur_ = static_cast<size_t>(t >> kShift) & (kBuckets - 1);
    located_ = false;
    pull_far();
  }

  void pull_far() {
    while (!far_.empty() && far_.top().time_ps < base_ + kSpan) insert(far_.pop());
  }

  // A 4-ary min-heap for events beyond the calendar window.
  class Heap {
   public:
    bool empty() const { return v_.empty(); }
    const Event& top() const { return v_.front(); }
    void push(const Event& e) {
      v_.push_back(e);
      size_t i = v_.size() - 1;
      while (i > 0) {
        const size_t parent = (i - 1) / 4;
        if (!before(e, v_[parent])) break;
        v_[i] = v_[parent];
        i = parent;
      }
      v_[i] = e;
    }
    Event pop() {
      const Event out = v_.front();
      const Event last = v_.back();
      v_.pop_back();
      const size_t n = v_.size();
      if (n == 0) return out;
      size_t i = 0;
      for (;;) {
        const size_t first = 4 * i + 1;
        if (first >= n) break;
        size_t best = first;
        const size_t end = first + 4 < n ? first + 4 : n;
        for (size_t c = first + 1; c < end; ++c) best = before(v_[c], v_[best]) ? c : best;
        if (!before(v_[best], last)) break;
        v_[i] = v_[best];
        i = best;
      }
      v_[i] = last;
      return out;
    }

   private:
    std::vector<Event> v_;
  };

  std::vector<std::vector<Event>> buckets_;
  uint64_t bitmap_[kBuckets / 64] = {};
  uint8_t sorted_[kBuckets] = {};  // bucket i is sorted, latest first (kSortAbove)
  Heap far_;
  uint64_t base_ = 0;  // start time of bucket cur_
  size_t cur_ = 0;
  size_t best_ = 0;  // index of the minimum in bucket cur_, valid while located_
  bool located_ = false;
  size_t size_ = 0;
  uint64_t seq_ = 0;
};

}  // namespace aifabric
