// The window model counts what a conservative windowed engine would run: windows that
// open at the earliest pending event and last the lookahead, each as long as its
// busiest partition plus the fabric-wide events. Checked on a run small enough to count
// by hand, and against the bounds any placement obeys.
#include "aifabric/core/window_stats.h"

#include <gtest/gtest.h>

#include <vector>

#include "aifabric/core/random.h"
#include "aifabric/core/simulator.h"

namespace aifabric {
namespace {

struct Nop final : EventHandler {
  void handle_event(uint32_t, uint64_t) override {}
};

// Nodes 0 and 1 in partitions 0 and 1, a lookahead of 10 ps. Events (time ps: home):
// 0:0 3:0 5:1 | 12:1 15:1 21:0 | 40:wide. The second window opens at 12 (the first
// event at or after 0 + 10) and covers [12, 22); 40 opens a third. Busiest per window:
// 2, 2, and the fabric-wide event 1: a critical path of 5 of 7 events.
TEST(WindowStats, CountsWindowsAndTheirBusiestPartitionByHand) {
  Nop n0, n1, wide;
  n0.set_home(0);
  n1.set_home(1);
  Simulator sim;
  std::vector<WindowStats> models;
  models.emplace_back(std::vector<uint16_t>{0, 1}, 2, 10);
  models.emplace_back(std::vector<uint16_t>{0, 0}, 1, 0);  // one partition
  sim.set_window_stats(&models);
  for (auto [t, h] : std::vector<std::pair<int64_t, EventHandler*>>{
           {0, &n0}, {3, &n0}, {5, &n1}, {12, &n1}, {15, &n1}, {21, &n0}, {40, &wide}}) {
    sim.schedule_at(Time::ps(t), EventPriority::kTimer, h, 0);
  }
  sim.run();
  for (WindowStats& w : models) w.finish();
  const WindowStats& two = models[0];
  EXPECT_EQ(two.windows(), 3U);
  EXPECT_EQ(two.events(), 7U);
  EXPECT_EQ(two.critical_events(), 5U);
  EXPECT_EQ(two.serial_events(), 1U);
  EXPECT_EQ(two.partition_events(), (std::vector<uint64_t>{3, 3}));
  EXPECT_DOUBLE_EQ(two.ideal_speedup(), 7.0 / 5.0);
  // One partition is the sequential engine: one window, every event on its path.
  const WindowStats& one = models[1];
  EXPECT_EQ(one.windows(), 1U);
  EXPECT_EQ(one.critical_events(), 7U);
  EXPECT_DOUBLE_EQ(one.ideal_speedup(), 1.0);
}

// A flow started in another partition sooner than the lookahead is one a windowed
// engine could only start at the next barrier: counted from inside the run; starts in
// the same partition, at least a lookahead ahead, or from set-up are not.
TEST(WindowStats, CountsStartsAcrossPartitionsSoonerThanTheLookahead) {
  struct Starter final : EventHandler {
    Simulator* sim = nullptr;
    uint32_t at = 0;
    void handle_event(uint32_t, uint64_t delay) override {
      sim->note_start(at, sim->now() + Time::ps(static_cast<int64_t>(delay)));
    }
  };
  Simulator sim;
  std::vector<WindowStats> models;
  models.emplace_back(std::vector<uint16_t>{0, 1}, 2, 10);
  sim.set_window_stats(&models);
  Starter to_other, to_self;
  to_other.sim = to_self.sim = &sim;
  to_other.set_home(0);
  to_other.at = 1;
  to_self.set_home(0);
  to_self.at = 0;
  sim.note_start(1, Time::zero());                                       // set-up: no running event
  sim.schedule_at(Time::ps(0), EventPriority::kTimer, &to_other, 0, 0);  // counted
  sim.schedule_at(Time::ps(1), EventPriority::kTimer, &to_other, 0, 9);  // counted
  sim.schedule_at(Time::ps(2), EventPriority::kTimer, &to_other, 0, 10);  // a lookahead ahead
  sim.schedule_at(Time::ps(3), EventPriority::kTimer, &to_self, 0, 0);    // same partition
  Starter to_wide;  // fabric-wide work (a workload's next tasks) made due by node 0
  to_wide.sim = &sim;
  to_wide.set_home(0);
  to_wide.at = EventHandler::kNoHome;
  sim.schedule_at(Time::ps(4), EventPriority::kTimer, &to_wide, 0, 3);   // counted
  sim.schedule_at(Time::ps(5), EventPriority::kTimer, &to_wide, 0, 10);  // a lookahead ahead
  sim.run();
  EXPECT_EQ(models[0].early_starts(), 3U);
}

// Whatever the placement, a window is never shorter than its share of an even split
// nor longer than all its events: events / P <= critical <= events.
TEST(WindowStats, CriticalPathLiesBetweenAnEvenSplitAndTheWholeRun) {
  std::vector<Nop> nodes(8);
  for (uint32_t i = 0; i < nodes.size(); ++i) nodes[i].set_home(i);
  Simulator sim;
  std::vector<WindowStats> models;
  for (int p : {2, 4, 8}) {
    std::vector<uint16_t> part(nodes.size());
    for (size_t i = 0; i < part.size(); ++i) part[i] = static_cast<uint16_t>(i % p);
    models.emplace_back(part, p, 1000);
  }
  sim.set_window_stats(&models);
  RandomStream rng(7);
  for (int i = 0; i < 5000; ++i) {
    sim.schedule_at(Time::ps(static_cast<int64_t>(rng.next_u64() % 100000)), EventPriority::kTimer,
                    &nodes[rng.next_u64() % nodes.size()], 0);
  }
  sim.run();
  for (WindowStats& w : models) {
    w.finish();
    EXPECT_EQ(w.events(), 5000U);
    EXPECT_GE(w.critical_events() * static_cast<uint64_t>(w.parts()), w.events());
    EXPECT_LE(w.critical_events(), w.events());
    EXPECT_GT(w.ideal_speedup(), 1.0);
  }
}

}  // namespace
}  // namespace aifabric
