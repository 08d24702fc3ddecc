// Per-packet source-port selection, on a queue pair driven by hand: the flow's own port
// (off), random ports in range, round robin over given ports, and REPS-like reuse of
// ports whose ACKs came back unmarked (and fast enough).
#include <gtest/gtest.h>

#include <set>
#include <vector>

#include "aifabric/lb/sender/path_selection.h"
#include "tests/qp_loop.h"

namespace aifabric {
namespace {

using namespace testing;

PathSelection spray(std::string_view mode) {
  PathSelection ps;
  ps.mode = mode;
  ps.seed = 7;
  return ps;
}

TEST(PathSelection, OffUsesTheFlowPort) {
  Loop l(4);
  for (int i = 0; i < 4; ++i) {
    const Packet* p = l.send();
    EXPECT_EQ(p->sport, 50000);
    EXPECT_EQ(p->entropy, flow_entropy(0, 1, 50000, kRoceUdpPort));
  }
}

TEST(PathSelection, RandomDrawsAFreshPortPerPacketInRange) {
  PathSelection ps = spray("random");
  ps.sport_min = 60000;
  ps.sport_max = 60099;
  Loop l(64, make_path_chooser(ps, flow_of(64)));
  std::set<uint16_t> seen;
  for (int i = 0; i < 64; ++i) {
    const Packet* p = l.send();
    EXPECT_GE(p->sport, 60000);
    EXPECT_LE(p->sport, 60099);
    EXPECT_EQ(p->entropy, flow_entropy(0, 1, p->sport, kRoceUdpPort));
    seen.insert(p->sport);
  }
  // 64 draws from 100 ports: ~47 distinct expected; 30 would be far out in the tail.
  EXPECT_GT(seen.size(), 30u);
}

TEST(PathSelection, RoundRobinCyclesThroughTheGivenPorts) {
  PathSelection ps = spray("round_robin");
  ps.sports = {101, 202, 303};
  Loop l(7, make_path_chooser(ps, flow_of(7)));
  std::vector<uint16_t> got;
  for (int i = 0; i < 7; ++i) got.push_back(l.send()->sport);
  EXPECT_EQ(got, (std::vector<uint16_t>{101, 202, 303, 101, 202, 303, 101}));
}

TEST(PathSelection, AdaptiveReusesOnlyPortsWhoseAcksCameBackUnmarked) {
  PathSelection ps = spray("adaptive");
  ps.recycle = 8;
  Loop l(12, make_path_chooser(ps, flow_of(12)));
  std::vector<Packet*> p = l.send_spaced(4);
  std::set<uint16_t> first;
  for (Packet* q : p) first.insert(q->sport);
  ASSERT_EQ(first.size(), 4u) << "random initial ports (fixed seed) should differ";
  l.at(Time::us(10));
  l.deliver(p[0], true);  // CE: congested path
  l.deliver(p[1], false);
  l.deliver(p[2], true);
  l.deliver(p[3], false);
  const uint16_t bad1 = p[0]->sport, bad2 = p[2]->sport;
  // The good ports come back in the order their ACKs did, then fresh random ones.
  EXPECT_EQ(l.send()->sport, p[1]->sport);
  EXPECT_EQ(l.send()->sport, p[3]->sport);
  for (int i = 0; i < 6; ++i) {
    const Packet* q = l.send();
    EXPECT_NE(q->sport, bad1);
    EXPECT_NE(q->sport, bad2);
    EXPECT_EQ(q->entropy, flow_entropy(0, 1, q->sport, kRoceUdpPort));
  }
}

TEST(PathSelection, AdaptiveTreatsSlowAcksAsCongested) {
  PathSelection ps = spray("adaptive");
  ps.rtt_threshold = Time::us(15);
  Loop l(8, make_path_chooser(ps, flow_of(8)));
  Packet* fast = l.send();
  l.at(Time::ns(100));
  Packet* slow = l.send();
  l.at(Time::us(10));
  l.deliver(fast);  // RTT 10 us: kept
  l.at(Time::us(20));
  l.deliver(slow);  // RTT 19.9 us: not kept
  EXPECT_EQ(l.send()->sport, fast->sport);
  EXPECT_NE(l.send()->sport, slow->sport);
}

}  // namespace
}  // namespace aifabric
