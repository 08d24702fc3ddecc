// The event queue must pop in exactly (time, priority, insertion) order — the
// guarantee reproducible runs rest on — including across its calendar window, far
// timers, and events scheduled after a peek moved the window; and the simulator must
// break ties by source node and the source's own order, not by global insertion.
#include "aifabric/core/event_queue.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <tuple>
#include <vector>

#include "aifabric/core/random.h"
#include "aifabric/core/simulator.h"

namespace aifabric {
namespace {

struct Nop final : EventHandler {
  void handle_event(uint32_t, uint64_t) override {}
};

TEST(EventQueue, TiesBreakByPriorityThenInsertion) {
  EventQueue q;
  Nop h;
  q.push(Time::ns(5), EventPriority::kTimer, &h, 1, 10);
  q.push(Time::ns(5), EventPriority::kDelivery, &h, 2, 11);
  q.push(Time::ns(5), EventPriority::kTimer, &h, 3, 12);
  q.push(Time::ns(1), EventPriority::kApplication, &h, 4, 13);
  std::vector<uint64_t> args;
  while (!q.empty()) args.push_back(q.pop().arg);
  EXPECT_EQ(args, (std::vector<uint64_t>{13, 11, 10, 12}));
}

// Random schedules as a simulation makes them (never in the past; a mix of near
// events and far timers; pushes between pops), checked against a sorted reference.
TEST(EventQueue, MatchesReferenceOrderUnderRandomLoad) {
  RandomStream rng(42);
  EventQueue q;
  Nop h;
  using Key = std::tuple<int64_t, int, uint64_t>;  // time, priority, insertion
  std::vector<Key> pending;
  uint64_t inserted = 0;
  int64_t now = 0;
  auto push = [&] {
    int64_t delay = 0;
    const uint64_t r = rng.below(100);
    if (r < 70) {
      delay = static_cast<int64_t>(rng.below(3'000'000));  // within 3 us
    } else if (r < 95) {
      delay = static_cast<int64_t>(rng.below(100'000'000));  // up to 100 us
    } else {
      delay = static_cast<int64_t>(rng.below(5'000'000'000));  // up to 5 ms
    }
    if (rng.below(10) == 0) delay = 0;  // same-time events
    const auto prio = static_cast<EventPriority>(rng.below(4));
    q.push(Time::ps(now + delay), prio, &h, 0, inserted);
    pending.emplace_back(now + delay, static_cast<int>(prio), inserted);
    ++inserted;
  };
  for (int i = 0; i < 1000; ++i) push();
  for (int step = 0; step < 200'000; ++step) {
    if (q.empty()) break;
    auto it = std::min_element(pending.begin(), pending.end());
    const Event e = q.pop();
    ASSERT_EQ(e.arg, std::get<2>(*it)) << "step " << step;
    ASSERT_EQ(e.time().ps(), std::get<0>(*it));
    now = std::get<0>(*it);
    *it = pending.back();
    pending.pop_back();
    const uint64_t k = rng.below(3);
    for (uint64_t j = 0; j < k && inserted < 150'000; ++j) push();
  }
  EXPECT_TRUE(q.empty());
  EXPECT_TRUE(pending.empty());
}

// Thousands of events in one 1 ns bucket (a training job's ranks finishing together):
// the queue sorts such a bucket once instead of scanning it per pop, and events pushed
// into it while it drains (same time, earlier or later in it) keep their places.
TEST(EventQueue, CrowdedBucketsPopInOrder) {
  RandomStream rng(7);
  EventQueue q;
  Nop h;
  using Key = std::tuple<int64_t, int, uint64_t>;
  std::vector<Key> pending;
  uint64_t inserted = 0;
  auto push = [&](int64_t t) {
    const auto prio = static_cast<EventPriority>(rng.below(4));
    q.push(Time::ps(t), prio, &h, 0, inserted);
    pending.emplace_back(t, static_cast<int>(prio), inserted);
    ++inserted;
  };
  for (int i = 0; i < 3000; ++i) push(1'000'000 + static_cast<int64_t>(rng.below(1000)));
  int64_t now = 0;
  size_t pops = 0;
  while (!q.empty()) {
    auto it = std::min_element(pending.begin(), pending.end());
    const Event e = q.pop();
    ASSERT_EQ(e.arg, std::get<2>(*it)) << "pop " << pops;
    now = std::get<0>(*it);
    *it = pending.back();
    pending.pop_back();
    ++pops;
    // Into the draining bucket: at the same instant, or later within it.
    if (inserted < 6000 && rng.below(2) == 0) push(now + static_cast<int64_t>(rng.below(3)));
  }
  EXPECT_TRUE(pending.empty());
  EXPECT_GT(pops, 4000U);
}

TEST(EventQueue, ScheduleBeforeAPeekedFutureEvent) {
  EventQueue q;
  Nop h;
  q.push(Time::ms(3), EventPriority::kTimer, &h, 0, 1);
  EXPECT_EQ(q.top().arg, 1u);                            // the window jumps to 3 ms
  q.push(Time::us(1), EventPriority::kTimer, &h, 0, 2);  // earlier than the window
  EXPECT_EQ(q.pop().arg, 2u);
  EXPECT_EQ(q.pop().arg, 1u);
  EXPECT_TRUE(q.empty());
}

// A device (its home) that, at its own event, schedules events for a recorder.
struct Scheduler final : EventHandler {
  Simulator* sim = nullptr;
  EventHandler* target = nullptr;
  std::vector<uint64_t> args;  // what to schedule at 5 ns
  uint32_t kind = 0;
  void handle_event(uint32_t, uint64_t) override {
    for (uint64_t a : args) sim->schedule_at(Time::ns(5), EventPriority::kTimer, target, kind, a);
  }
};
struct Recorder final : EventHandler {
  std::vector<uint64_t> seen;
  void handle_event(uint32_t, uint64_t arg) override { seen.push_back(arg); }
};

// Ties at one picosecond, priority and kind run by the node that scheduled them (lowest
// first; set-up and fabric-wide work last), then in that node's own order; a global
// insertion count would have run 99 first and 30 last. This is what lets a partitioned
// engine reproduce the sequential order (docs/design.md, "the order key").
TEST(Simulator, TiesBreakBySourceNodeThenTheSourcesOwnOrder) {
  Simulator sim;
  Recorder r;
  Scheduler seven, three, late_kind;
  seven.set_home(7);
  three.set_home(3);
  late_kind.set_home(1);
  for (Scheduler* s : {&seven, &three, &late_kind}) {
    s->sim = &sim;
    s->target = &r;
  }
  seven.args = {70, 71};
  three.args = {30};
  late_kind.args = {10};
  late_kind.kind = 1;  // a higher kind runs after every kind-0 tie, whatever its source
  sim.schedule_at(Time::ns(5), EventPriority::kTimer, &r, 0, 99);  // set-up
  sim.schedule_at(Time::ns(1), EventPriority::kTimer, &late_kind, 0);
  sim.schedule_at(Time::ns(1), EventPriority::kTimer, &seven, 0);
  sim.schedule_at(Time::ns(2), EventPriority::kTimer, &three, 0);
  sim.schedule_at(Time::ns(5), EventPriority::kTimer, &r, 0, 98);  // set-up, after 99
  sim.run();
  EXPECT_EQ(r.seen, (std::vector<uint64_t>{30, 70, 71, 99, 98, 10}));
}

}  // namespace
}  // namespace aifabric
