// The pending-event set: a 4-ary min-heap ordered by (time, priority, insertion order),
// so that every run is reproducible. Events are plain 32-byte values; the handler is
// bound through a virtual call, never std::function.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "aifabric/core/units.h"

namespace aifabric {

// Named priorities for events at the same picosecond: lower runs first.
enum class EventPriority : uint8_t {
  kDelivery = 0,   // a frame arrives at the far end of a link
  kTransmit = 1,   // a transmitter becomes free
  kTimer = 2,      // protocol timers (pause expiry, CC, retransmission)
  kApplication = 3 // flow starts and other workload events
};

class EventHandler {
 public:
  virtual void handle_event(uint32_t kind, uint64_t arg) = 0;

 protected:
  ~EventHandler() = default;
};

// 32 bytes, two to a cache line. `order` packs the priority (top 8 bits), the
// handler's event kind (next 8) and the insertion sequence (low 48 bits: 2.8e14
// events), so (time, order) orders by time, then priority, then insertion.
struct Event {
  uint64_t time_ps;
  uint64_t order;
  EventHandler* handler;
  uint64_t arg;
  Time time() const { return Time::ps(static_cast<int64_t>(time_ps)); }
  uint32_t kind() const { return static_cast<uint32_t>((order >> 48) & 0xff); }
};

class EventQueue {
 public:
  bool empty() const { return heap_.empty(); }
  size_t size() const { return heap_.size(); }
  const Event& top() const { return heap_.front(); }

  // `kind` must be < 256.
  void push(Time t, EventPriority prio, EventHandler* h, uint32_t kind, uint64_t arg) {
    const uint64_t order = (static_cast<uint64_t>(prio) << 56) |
                           (static_cast<uint64_t>(kind & 0xff) << 48) |
                           (seq_++ & ((1ULL << 48) - 1));
    heap_.push_back(Event{static_cast<uint64_t>(t.ps()), order, h, arg});
    sift_up(heap_.size() - 1);
  }

  Event pop() {
    Event out = heap_.front();
    const Event last = heap_.back();
    heap_.pop_back();
    if (!heap_.empty()) sift_down(last);
    return out;
  }

 private:
  // Branch-free: the heap's comparisons are data-dependent and mispredict badly.
  static bool before(const Event& a, const Event& b) {
    return (a.time_ps < b.time_ps) | ((a.time_ps == b.time_ps) & (a.order < b.order));
  }
  void sift_up(size_t i) {
    const Event e = heap_[i];
    while (i > 0) {
      const size_t parent = (i - 1) / 4;
      if (!before(e, heap_[parent])) break;
      heap_[i] = heap_[parent];
      i = parent;
    }
    heap_[i] = e;
  }
  void sift_down(const Event& e) {
    const size_t n = heap_.size();
    size_t i = 0;
    for (;;) {
      const size_t first = 4 * i + 1;
      if (first >= n) break;
      size_t best = first;
      const size_t end = first + 4 < n ? first + 4 : n;
      for (size_t c = first + 1; c < end; ++c) {
        best = before(heap_[c], heap_[best]) ? c : best;
      }
      if (!before(heap_[best], e)) break;
      heap_[i] = heap_[best];
      i = best;
    }
    heap_[i] = e;
  }

  std::vector<Event> heap_;
  uint64_t seq_ = 0;
};

}  // namespace aifabric
