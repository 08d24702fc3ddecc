// Dynamic ECN (switch.ecn.tuning policy dynamic) against static thresholds: four long
// DCQCN flows into one 400 Gbps port whose static thresholds are the HPCC ns-3 runs'
// 400 G values (k_min 1.6 MB, k_max 6.4 MB), which hold the queue at megabytes (tens of
// microseconds of delay). The dynamic policy must lower the queueing delay while keeping
// the port at its utilisation target: ACC's objective (Yan et al., SIGCOMM 2021).
#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

#include "aifabric/fabric/switch/ecn/dynamic/dynamic.h"
#include "aifabric/topo/builders/leaf_spine/leaf_spine.h"
#include "tests/test_fabric.h"

namespace aifabric {
namespace {

constexpr double kGoodputGbps = 400.0 * 4096 / 4178;

struct Measured {
  double mean_queue;  // bytes, sampled every microsecond
  double goodput_gbps;
  int64_t pauses;
};

Measured incast(bool dynamic, double target_us) {
  testing::TestFabric tf;
  tf.cc_name = "dcqcn";
  tf.sw.ecn.k_min = Bytes(1'600'000);
  tf.sw.ecn.k_max = Bytes(6'400'000);
  if (dynamic) {
    EXPECT_TRUE(tf.sw.ecn.tuning.select("dynamic"));
    tf.sw.ecn.tuning.as<DynamicEcnParams>().target_delay =
        Time::ps(static_cast<int64_t>(target_us * 1e6));
  }
  tf.graph = build_leaf_spine(testing::one_leaf(5));
  Network& net = tf.build();
  EXPECT_TRUE(net.add_flows(testing::incast(0, 4, 4, 1LL << 40)).is_ok());
  const Switch& sw = *net.switches()[0];
  const uint16_t bottleneck = 4;  // the leaf's port to host 4
  net.run(Time::ms(2));           // past the start and the tuner's settling
  int64_t bytes0 = 0;
  for (uint32_t i = 0; i < 4; ++i) bytes0 += net.outcome(i).receiver->stats().accepted_bytes;
  double q = 0;
  int n = 0;
  for (Time t = Time::ms(2) + Time::us(1); t <= Time::ms(6); t += Time::us(1)) {
    net.run(t);
    q += static_cast<double>(sw.queue_bytes(bottleneck));
    ++n;
  }
  int64_t bytes1 = 0;
  for (uint32_t i = 0; i < 4; ++i) bytes1 += net.outcome(i).receiver->stats().accepted_bytes;
  return {q / n, static_cast<double>(bytes1 - bytes0) * 8 / 4e-3 * 1e-9,
          testing::pause_frames(net)};
}

TEST(DynamicEcn, LowersTheQueueAtItsUtilisationTarget) {
  const Measured fixed = incast(false, 0);
  const double target_us = 4;
  const Measured tuned = incast(true, target_us);
  RecordProperty("mean_queue_static_dynamic_bytes",
                 std::to_string(fixed.mean_queue) + " " + std::to_string(tuned.mean_queue));
  // Static: the queue sits far above 4 us of delay (200 KB at 400 Gb/s).
  const double target_bytes = target_us * 1e-6 * 400e9 / 8;
  EXPECT_GT(fixed.mean_queue, 2 * target_bytes) << fixed.mean_queue;
  // Dynamic: a lower mean queue at the utilisation it promises (u_target 0.9). How much
  // lower is bounded by DCQCN itself: its cuts are repaired in 300 us stages, and a
  // queue that drains below the sawtooth's depth idles the port, which the policy
  // refuses (measured: 834 KB static, 225 KB dynamic, both above 90 % of goodput).
  EXPECT_LT(tuned.mean_queue, fixed.mean_queue);
  EXPECT_GE(fixed.goodput_gbps, 0.9 * kGoodputGbps) << fixed.goodput_gbps;
  EXPECT_GE(tuned.goodput_gbps, 0.9 * kGoodputGbps) << tuned.goodput_gbps;
  EXPECT_EQ(tuned.pauses, 0);
}

// The controller's rule on synthetic periods: shrink when busy with a queue above the
// target or when pauses were sent, grow when under-used and marking, keep when
// under-used without marks (light load: its senders wanted no more), bounded.
TEST(DynamicEcn, RuleShrinksGrowsAndStaysBounded) {
  DynamicEcnParams p;
  DynamicEcn d(p);
  EcnPortPeriod seen;
  seen.rate = BitRate::gbps(400);
  seen.period = p.period;
  const auto full = static_cast<int64_t>(400e9 * p.period.to_seconds() / 8);
  seen.tx_bytes = full;        // 100 % busy
  seen.max_depth = 1'000'000;  // above 4 us x 400 G = 200 KB
  EXPECT_DOUBLE_EQ(d.scale(seen, 1.0), 1 - p.step);
  seen.max_depth = 100'000;  // below target, busy: keep
  EXPECT_DOUBLE_EQ(d.scale(seen, 1.0), 1.0);
  seen.tx_bytes = full / 2;  // 50 % busy without marks: keep
  EXPECT_DOUBLE_EQ(d.scale(seen, 1.0), 1.0);
  seen.marked = 10;  // 50 % busy and marking: grow, whatever the queue did
  EXPECT_DOUBLE_EQ(d.scale(seen, 1.0), 1 + p.step);
  seen.max_depth = 1'000'000;
  EXPECT_DOUBLE_EQ(d.scale(seen, 1.0), 1 + p.step);
  seen.pause_frames = 1;  // pauses: shrink
  EXPECT_DOUBLE_EQ(d.scale(seen, 1.0), 1 - p.step);
  seen.pause_frames = 0;
  EXPECT_DOUBLE_EQ(d.scale(seen, p.max_scale), p.max_scale);
  seen.tx_bytes = full;
  seen.max_depth = 1'000'000;
  EXPECT_DOUBLE_EQ(d.scale(seen, p.min_scale), p.min_scale);
  seen.tx_bytes = 0;  // idle port: unchanged
  seen.max_depth = 0;
  seen.marked = 0;
  EXPECT_DOUBLE_EQ(d.scale(seen, 0.5), 0.5);
}

}  // namespace
}  // namespace aifabric
