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

struct Event {
  Time time;
  uint64_t order;  // priority in the top 8 bits, insertion sequence below
  EventHandler* handler;
  uint64_t arg;
  uint32_t kind;
};

class EventQueue {
 public:
  bool empty() const { return heap_.empty(); }
  size_t size() const { return heap_.size(); }
  const Event& top() const { return heap_.front(); }

  void push(Time t, EventPriority prio, EventHandler* h, uint32_t kind, uint64_t arg) {
    const uint64_t order = (static_cast<uint64_t>(prio) << 56) | (seq_++ & ((1ULL << 56) - 1));
    heap_.push_back(Event{t, order, h, arg, kind});
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
  static bool before(const Event& a, const Event& b) {
    return a.time < b.time || (a.time == b.time && a.order < b.order);
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
        if (before(heap_[c], heap_[best])) best = c;
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
