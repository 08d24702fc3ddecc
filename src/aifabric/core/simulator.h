// The simulator object: the clock, the event queue and the run's seed. No globals:
// every component holds a reference to its Simulator.
#pragma once

#include <cstdint>
#include <string_view>

#include "aifabric/core/event_queue.h"
#include "aifabric/core/random.h"
#include "aifabric/core/units.h"

namespace aifabric {

class Simulator {
 public:
  explicit Simulator(uint64_t seed = 1) : seed_(seed) {}
  Simulator(const Simulator&) = delete;
  Simulator& operator=(const Simulator&) = delete;

  Time now() const { return now_; }
  uint64_t seed() const { return seed_; }
  uint64_t events_processed() const { return events_; }
  size_t pending() const { return queue_.size(); }

  void schedule_at(Time at, EventPriority prio, EventHandler* h, uint32_t kind, uint64_t arg = 0) {
    queue_.push(at, prio, h, kind, arg);
  }
  void schedule_in(Time delay, EventPriority prio, EventHandler* h, uint32_t kind,
                   uint64_t arg = 0) {
    queue_.push(now_ + delay, prio, h, kind, arg);
  }

  // Runs events until the queue is empty, `stop()` is called, or the next event lies
  // beyond `until`; the clock then reads min(until, time of the last event run).
  void run_until(Time until) {
    stopped_ = false;
    while (!queue_.empty() && !stopped_) {
      if (queue_.top().time > until) {
        now_ = until;
        return;
      }
      const Event e = queue_.pop();
      now_ = e.time;
      ++events_;
      e.handler->handle_event(e.kind, e.arg);
    }
  }
  void run() { run_until(Time::max()); }
  void stop() { stopped_ = true; }

  // The random stream of a named component, reproducible for a given run seed.
  RandomStream stream(std::string_view component) const {
    return RandomStream(seed_ ^ hash_name(component));
  }
  uint64_t derive_seed(std::string_view component) const {
    return mix64(seed_ ^ hash_name(component));
  }

 private:
  EventQueue queue_;
  Time now_;
  uint64_t seed_;
  uint64_t events_ = 0;
  bool stopped_ = false;
};

}  // namespace aifabric
