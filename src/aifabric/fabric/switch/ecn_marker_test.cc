// EcnMarker: no mark at or below k_min, every ECN-capable packet above k_max, the RED
// probability p_max (d - k_min) / (k_max - k_min) in between (binomial tolerance), only
// ECN-capable packets, a mark counted once; thresholds per link rate and priority.
#include "aifabric/fabric/switch/ecn_marker.h"

#include <gtest/gtest.h>

#include <cmath>

namespace aifabric {
namespace {

EcnConfig red(int64_t k_min, int64_t k_max, double p_max) {
  EcnConfig c;
  c.k_min = Bytes(k_min);
  c.k_max = Bytes(k_max);
  c.p_max = p_max;
  return c;
}

// Marks over `n` fresh ECN-capable packets leaving a queue of `depth` bytes.
int64_t marks(EcnMarker& m, int64_t depth, int n, PortCounters& pc, bool capable = true) {
  int64_t ce = 0;
  for (int i = 0; i < n; ++i) {
    Packet p;
    p.ecn_capable = capable;
    m.on_dequeue(&p, 0, depth, pc);
    ce += p.ecn_ce ? 1 : 0;
  }
  return ce;
}

TEST(EcnMarker, NoneAtOrBelowKminAllAboveKmax) {
  EcnMarker m(red(100'000, 400'000, 0.2), RandomStream(7));
  PortCounters pc;
  EXPECT_EQ(marks(m, 0, 10'000, pc), 0);
  EXPECT_EQ(marks(m, 100'000, 10'000, pc), 0);  // at k_min: none
  EXPECT_EQ(marks(m, 400'001, 10'000, pc), 10'000);
  EXPECT_EQ(marks(m, 5'000'000, 10'000, pc), 10'000);
  EXPECT_EQ(pc.ecn_marked, 20'000);
}

TEST(EcnMarker, LinearProbabilityBetweenTheThresholds) {
  // For depth d in (k_min, k_max] the mark probability is p = p_max (d - k_min) /
  // (k_max - k_min). Over n independent packets the count is binomial(n, p): mean n p,
  // standard deviation sqrt(n p (1 - p)); we allow 5 standard deviations (a false
  // failure about once in 1.7 million runs; the stream is seeded, so it is fixed).
  const int64_t k_min = 100'000, k_max = 400'000;
  const double p_max = 0.2;
  EcnMarker m(red(k_min, k_max, p_max), RandomStream(11));
  const int n = 100'000;
  for (int64_t d : {100'001LL, 130'000LL, 175'000LL, 250'000LL, 340'000LL, 400'000LL}) {
    PortCounters pc;
    const double p = p_max * static_cast<double>(d - k_min) / static_cast<double>(k_max - k_min);
    const double mean = n * p;
    const double sd = std::sqrt(n * p * (1 - p));
    const int64_t got = marks(m, d, n, pc);
    EXPECT_NEAR(static_cast<double>(got), mean, 5 * sd + 1) << "depth " << d << " p " << p;
    EXPECT_EQ(pc.ecn_marked, got);
  }
  // p_max = 1: a queue at k_max marks everything, the middle half of packets.
  EcnMarker full(red(k_min, k_max, 1.0), RandomStream(3));
  PortCounters pc;
  EXPECT_EQ(marks(full, k_max, 1000, pc), 1000);
  const double sd = std::sqrt(n * 0.5 * 0.5);
  EXPECT_NEAR(static_cast<double>(marks(full, (k_min + k_max) / 2, n, pc)), n * 0.5, 5 * sd);
}

TEST(EcnMarker, OnlyEcnCapablePacketsAndEachMarkCountedOnce) {
  EcnMarker m(red(100'000, 400'000, 0.2), RandomStream(5));
  PortCounters pc;
  EXPECT_EQ(marks(m, 1'000'000, 1000, pc, /*capable=*/false), 0);
  EXPECT_EQ(pc.ecn_marked, 0);
  // A packet already marked upstream stays marked and is not counted again here.
  Packet p;
  p.ecn_capable = true;
  p.ecn_ce = true;
  m.on_dequeue(&p, 0, 1'000'000, pc);
  EXPECT_TRUE(p.ecn_ce);
  EXPECT_EQ(pc.ecn_marked, 0);
  // A fresh one is counted once, and dequeued again (a second hop) not recounted.
  Packet q;
  q.ecn_capable = true;
  m.on_dequeue(&q, 0, 1'000'000, pc);
  m.on_dequeue(&q, 0, 1'000'000, pc);
  EXPECT_TRUE(q.ecn_ce);
  EXPECT_EQ(pc.ecn_marked, 1);
  // Disabled: nothing is marked.
  EcnConfig off = red(100'000, 400'000, 0.2);
  off.enabled = false;
  EcnMarker none(off, RandomStream(5));
  EXPECT_EQ(marks(none, 1'000'000, 1000, pc), 0);
}

// switch.ecn.by_rate: a port takes the rule of its link rate (a rule naming the
// packet's priority over one that does not); a port at a rate no rule names keeps the
// switch-wide values. Values: HPCC run.py's 100 KB / 400 KB per 25 Gb/s, at 100 and
// 400 Gb/s.
TEST(EcnMarker, ThresholdsPerLinkRateAndPriority) {
  EcnConfig c = red(100'000, 400'000, 0.2);
  EcnRule r100;
  r100.rate = BitRate::gbps(100);
  r100.k_min = Bytes(400'000);
  r100.k_max = Bytes(1'600'000);
  EcnRule r400 = r100;
  r400.rate = BitRate::gbps(400);
  r400.k_min = Bytes(1'600'000);
  r400.k_max = Bytes(6'400'000);
  EcnRule r400p5 = r400;
  r400p5.priority = 5;
  r400p5.k_min = Bytes(50'000);
  r400p5.k_max = Bytes(60'000);
  c.by_rate = {r400p5, r100, r400};  // order does not matter
  ASSERT_TRUE(c.validate().is_ok());
  EcnMarker m(c, RandomStream(9));
  m.add_port(BitRate::gbps(100));  // port 0
  m.add_port(BitRate::gbps(400));  // port 1
  m.add_port(BitRate::gbps(200));  // port 2: no rule
  EXPECT_EQ(m.thresholds(0, 3).k_min, 400'000);
  EXPECT_EQ(m.thresholds(0, 5).k_min, 400'000);
  EXPECT_EQ(m.thresholds(1, 3).k_max, 6'400'000);
  EXPECT_EQ(m.thresholds(1, 5).k_min, 50'000);
  EXPECT_EQ(m.thresholds(2, 3).k_min, 100'000);
  // Marking follows: at 1 MB a 100G port marks with probability
  // 0.2 x (1e6 - 4e5) / (1.6e6 - 4e5) = 0.1, a 400G port (priority 3) never, the
  // 200G port always (above its 400 KB k_max).
  PortCounters pc;
  int ce0 = 0, ce1 = 0, ce2 = 0;
  for (int i = 0; i < 10000; ++i) {
    Packet p0, p1, p2;
    p0.ecn_capable = p1.ecn_capable = p2.ecn_capable = true;
    p0.priority = p1.priority = p2.priority = 3;
    m.on_dequeue(&p0, 0, 1'000'000, pc);
    m.on_dequeue(&p1, 1, 1'000'000, pc);
    m.on_dequeue(&p2, 2, 1'000'000, pc);
    ce0 += p0.ecn_ce ? 1 : 0;
    ce1 += p1.ecn_ce ? 1 : 0;
    ce2 += p2.ecn_ce ? 1 : 0;
  }
  // Binomial(10000, 0.1): sd 30; 5 sd.
  EXPECT_NEAR(ce0, 1000, 150);
  EXPECT_EQ(ce1, 0);
  EXPECT_EQ(ce2, 10000);
  // Two rules for the same rate and priority are refused.
  c.by_rate.push_back(r100);
  EXPECT_FALSE(c.validate().is_ok());
}

}  // namespace
}  // namespace aifabric
