// The simulator object: the clock, the event queue and the run's seed. No globals:
// every component holds a reference to its Simulator.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "aifabric/core/event_queue.h"
#include "aifabric/core/random.h"
#include "aifabric/core/units.h"
#include "aifabric/core/window_stats.h"

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

  // Events at the same picosecond run by priority, then kind, then source (the home of
  // the handler whose event is running: a device; set-up and fabric-wide handlers share
  // one source), then the order their source scheduled them in (core/event_queue.h).
  void schedule_at(Time at, EventPriority prio, EventHandler* h, uint32_t kind, uint64_t arg = 0) {
    queue_.push(at, prio, h, kind, arg, next_source_key());
  }
  void schedule_in(Time delay, EventPriority prio, EventHandler* h, uint32_t kind,
                   uint64_t arg = 0) {
    queue_.push(now_ + delay, prio, h, kind, arg, next_source_key());
  }
  // The source set-up and fabric-wide handlers schedule as; devices are topology nodes
  // below it (a larger node id shares it: still reproducible, but such a node's events
  // would not partition).
  static constexpr uint32_t kFabricSource = (1U << Event::kSourceBits) - 1;

  // Runs events until the queue is empty, `stop()` is called, or the next event lies
  // beyond `until`; the clock then reads min(until, time of the last event run).
  void run_until(Time until) {
    if (window_stats_ != nullptr) {
      loop<true>(until);
    } else {
      loop<false>(until);
    }
  }

  // Window models to feed every event run from now on (null: none); they only count.
  void set_window_stats(std::vector<WindowStats>* models) { window_stats_ = models; }
  // Work started at topology node `node` (kNoHome: fabric-wide work, a workload's
  // dependent tasks) for time `at` by the event being handled: told to the window
  // models, which count the starts a windowed engine could not see in time
  // (WindowStats::note_start). Free when none watch.
  void note_start(uint32_t node, Time at) {
    if (window_stats_ == nullptr) return;
    for (WindowStats& w : *window_stats_) w.note_start(current_home_, node, (at - now_).ps());
  }

  // A progress observer called about every `every` events (one compare per event
  // when nobody listens); returning false ends the run (an interrupt).
  using ProgressFn = bool (*)(void* ctx, const Simulator& sim);
  void set_progress(ProgressFn fn, void* ctx, uint64_t every) {
    progress_fn_ = fn;
    progress_ctx_ = ctx;
    progress_every_ = every;
    next_progress_ = fn != nullptr ? events_ + every : UINT64_MAX;
  }
  void run() { run_until(Time::max()); }
  // Ends the current run after the event being handled (an abort: normal runs end
  // when their outstanding work is done).
  void stop() { stopped_ = true; }

  // Outstanding work (flows not yet finished, tasks not yet done): each component
  // holds what it starts and releases what completes, so no component has to watch the
  // others to know when the run is over. A partitioned engine sums its partitions'.
  void hold(int64_t n = 1) { outstanding_ += n; }
  void release(int64_t n = 1) {
    outstanding_ -= n;
    if (outstanding_ == 0 && stop_when_idle_) stopped_ = true;
  }
  int64_t outstanding() const { return outstanding_; }
  // Like run_until, and also ends after the event that releases the last unit of
  // outstanding work (at once when there is none): what is left in the queue then
  // (timers of finished flows, telemetry) does not stretch the simulated time.
  void run_until_idle(Time until) {
    if (outstanding_ <= 0) return;
    stop_when_idle_ = true;
    run_until(until);
    stop_when_idle_ = false;
  }

  // The random stream of a named component, reproducible for a given run seed.
  RandomStream stream(std::string_view component) const {
    return RandomStream(seed_ ^ hash_name(component));
  }
  uint64_t derive_seed(std::string_view component) const {
    return mix64(seed_ ^ hash_name(component));
  }

 private:
  template <bool kWatched>
  void loop(Time until) {
    stopped_ = false;
    while (!queue_.empty() && !stopped_) {
      if (queue_.top().time() > until) {
        now_ = until;
        return;
      }
      const Event e = queue_.pop();
      now_ = e.time();
      if (++events_ >= next_progress_) report_progress();
      if constexpr (kWatched) {
        for (WindowStats& w : *window_stats_) w.record(e);
      }
      current_home_ = e.handler->home();
      e.handler->handle_event(e.kind(), e.arg);
      current_home_ = EventHandler::kNoHome;
    }
  }

  uint64_t next_source_key() {
    const uint32_t source = current_home_ < kFabricSource ? current_home_ : kFabricSource;
    if (source >= source_seq_.size()) [[unlikely]]
      source_seq_.resize(source + 1, 0);
    return Event::source_key(source, source_seq_[source]++);
  }

  void report_progress() {
    next_progress_ = events_ + progress_every_;
    if (progress_fn_ != nullptr && !progress_fn_(progress_ctx_, *this)) stopped_ = true;
  }

  EventQueue queue_;
  std::vector<WindowStats>* window_stats_ = nullptr;
  uint32_t current_home_ = EventHandler::kNoHome;  // the running event's handler's home
  std::vector<uint64_t> source_seq_;               // events each source has scheduled
  ProgressFn progress_fn_ = nullptr;
  void* progress_ctx_ = nullptr;
  uint64_t progress_every_ = UINT64_MAX;
  uint64_t next_progress_ = UINT64_MAX;
  Time now_;
  uint64_t seed_;
  uint64_t events_ = 0;
  int64_t outstanding_ = 0;
  bool stopped_ = false;
  bool stop_when_idle_ = false;
};

}  // namespace aifabric
