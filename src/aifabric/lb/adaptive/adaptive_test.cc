// Switch adaptive routing: the least queueing delay wins, links of unequal rate compare
// by delay, ties spread evenly, and a threshold keeps packets on their ECMP port while
// the imbalance is small.
#include "aifabric/lb/adaptive/adaptive.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <map>
#include <string>
#include <vector>

#include "aifabric/core/random.h"
#include "aifabric/lb/ecmp/ecmp.h"
#include "aifabric/scenario/scenario.h"
#include "tests/fake_egress_view.h"

namespace aifabric {
namespace {

using testing::FakeView;

constexpr std::array<uint16_t, 8> kPorts{0, 1, 2, 3, 4, 5, 6, 7};

Adaptive make(int64_t threshold, uint64_t seed) {
  AdaptiveParams params;
  params.threshold = Bytes(threshold);
  return Adaptive(params, seed);
}

Packet packet_of(uint64_t entropy) {
  Packet p;
  p.entropy = entropy;
  return p;
}

TEST(Adaptive, PicksTheShortestQueue) {
  Adaptive lb = make(0, 1);
  FakeView view(8);
  RandomStream rng(2);
  for (int trial = 0; trial < 2000; ++trial) {
    for (auto& q : view.queue) q = static_cast<int64_t>(rng.below(1'000'000));
    const auto shortest = std::min_element(view.queue.begin(), view.queue.end());
    if (std::count(view.queue.begin(), view.queue.end(), *shortest) > 1) continue;
    const auto expected = static_cast<uint16_t>(shortest - view.queue.begin());
    ASSERT_EQ(lb.choose(packet_of(rng.next_u64()), kPorts, view, Time::zero()), expected)
        << "trial " << trial;
  }
}

TEST(Adaptive, ComparesUnequalLinksByQueueingDelay) {
  Adaptive lb = make(0, 3);
  FakeView view(2);
  const std::array<uint16_t, 2> ports{0, 1};
  view.rate = {BitRate::gbps(100), BitRate::gbps(400)};
  view.queue = {100'000, 200'000};  // 8 us at 100G against 4 us at 400G
  EXPECT_EQ(lb.choose(packet_of(1), ports, view, Time::zero()), 1);
  view.queue = {100'000, 500'000};  // 8 us against 10 us
  EXPECT_EQ(lb.choose(packet_of(1), ports, view, Time::zero()), 0);
  // A link without rate (cannot send) loses even with an empty queue.
  view.rate[1] = BitRate::bps(0);
  view.queue = {100'000, 0};
  EXPECT_EQ(lb.choose(packet_of(1), ports, view, Time::zero()), 0);
}

TEST(Adaptive, TiesSpreadOverEveryTiedPort) {
  // Ports 1, 3, 6 hold 10 KB at 400G (0.2 us); port 4 holds 2.5 KB at 100G (0.2 us),
  // also tied; the rest are deeper. One flow's 40k packets: each tied port ~1/4
  // (binomial sd 0.0022, tolerance 0.015), none elsewhere.
  Adaptive lb = make(0, 4);
  FakeView view(8);
  view.queue = {50'000, 10'000, 50'000, 10'000, 2'500, 50'000, 10'000, 50'000};
  view.rate[4] = BitRate::gbps(100);
  std::map<uint16_t, int> count;
  constexpr int kN = 40'000;
  for (int i = 0; i < kN; ++i) ++count[lb.choose(packet_of(42), kPorts, view, Time::ns(i))];
  for (uint16_t port : {1, 3, 4, 6}) EXPECT_NEAR(count[port] / double{kN}, 0.25, 0.015) << port;
  EXPECT_EQ(count[0] + count[2] + count[5] + count[7], 0);
}

TEST(Adaptive, ThresholdKeepsTheHashedPortWhileTheImbalanceIsSmall) {
  constexpr uint64_t kSeed = 5;
  constexpr int64_t kThreshold = 10'000;
  Adaptive lb = make(kThreshold, kSeed);
  FakeView view(8);
  RandomStream rng(6);
  for (int flow = 0; flow < 500; ++flow) {
    const Packet p = packet_of(rng.next_u64());
    const uint16_t hashed = Ecmp::pick(p.entropy, kSeed, kPorts);
    view.queue.assign(8, 20'000);
    // Idle or balanced fabric: exactly ECMP.
    ASSERT_EQ(lb.choose(p, kPorts, view, Time::zero()), hashed);
    view.queue[hashed] = 20'000 + kThreshold;  // worse, but not by more than the threshold
    ASSERT_EQ(lb.choose(p, kPorts, view, Time::zero()), hashed);
    view.queue[hashed] = 20'000 + kThreshold + 1;  // now it is: a least-loaded port
    ASSERT_NE(lb.choose(p, kPorts, view, Time::zero()), hashed);
    const auto other = static_cast<uint16_t>((hashed + 3) % 8);
    view.queue[other] = 0;
    ASSERT_EQ(lb.choose(p, kPorts, view, Time::zero()), other);
  }
}

TEST(Adaptive, ThresholdScalesToTheHashedPortsRate) {
  // Hashed port at 100G, the other at 400G with 40 KB (0.8 us). At that delay the hashed
  // port would hold 10 KB, so it leaves only above 10 KB + threshold.
  constexpr uint64_t kSeed = 8;
  const std::array<uint16_t, 2> ports{0, 1};
  uint64_t entropy = 0;
  while (Ecmp::pick(entropy, kSeed, ports) != 0) ++entropy;
  Adaptive lb = make(5'000, kSeed);
  FakeView view(2);
  view.rate = {BitRate::gbps(100), BitRate::gbps(400)};
  view.queue = {15'000, 40'000};
  EXPECT_EQ(lb.choose(packet_of(entropy), ports, view, Time::zero()), 0);
  view.queue = {15'001, 40'000};
  EXPECT_EQ(lb.choose(packet_of(entropy), ports, view, Time::zero()), 1);
}

TEST(Adaptive, ZeroThresholdIsPurePerPacket) {
  // All queues equal: every port is a least-loaded one, so even one flow sprays.
  Adaptive lb = make(0, 9);
  FakeView view(8);
  std::map<uint16_t, int> count;
  for (int i = 0; i < 8000; ++i) ++count[lb.choose(packet_of(7), kPorts, view, Time::ns(i))];
  EXPECT_EQ(count.size(), 8u);
  for (uint16_t port : kPorts) EXPECT_NEAR(count[port] / 8000.0, 0.125, 0.02) << port;
}

TEST(Adaptive, SameSeedSameChoices) {
  Adaptive a = make(0, 10);
  Adaptive b = make(0, 10);
  Adaptive c = make(0, 11);
  FakeView view(8);
  int differ = 0;
  for (int i = 0; i < 1000; ++i) {
    const Packet p = packet_of(static_cast<uint64_t>(i));
    const uint16_t x = a.choose(p, kPorts, view, Time::zero());
    ASSERT_EQ(x, b.choose(p, kPorts, view, Time::zero()));
    differ += x != c.choose(p, kPorts, view, Time::zero());
  }
  EXPECT_GT(differ, 700);  // independent streams agree 1 time in 8
}

std::string error_of(const std::string& lb) {
  auto s = load_scenario_text(lb + "\ntraffic: [{type: permutation}]", "t.yaml", {});
  return s.is_ok() ? "" : s.status().message();
}

TEST(Adaptive, BadParamsAreRefused) {
  EXPECT_EQ(error_of("lb: {algorithm: adaptive, threshold: 16KB}"), "");
  EXPECT_NE(error_of("lb: {algorithm: adaptive, threshold: -1KB}").find("threshold"),
            std::string::npos);
}

}  // namespace
}  // namespace aifabric
