// WCMP/UCMP: flow shares follow the weights (explicit or link rates), a flow never
// changes port, equal weights reproduce ECMP exactly, bad weights are refused.
#include "aifabric/lb/wcmp/wcmp.h"

#include <gtest/gtest.h>

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

// Share of `flows` random flows (distinct entropies) that `lb` puts on each port.
std::map<uint16_t, double> flow_shares(LoadBalancer& lb, std::span<const uint16_t> candidates,
                                       const EgressView& view, int flows, uint64_t seed) {
  RandomStream rng(seed);
  std::map<uint16_t, double> share;
  Packet p;
  for (int i = 0; i < flows; ++i) {
    p.entropy = rng.next_u64();
    share[lb.choose(p, candidates, view, Time::zero())] += 1.0 / flows;
  }
  return share;
}

// 100k flows: the binomial standard deviation of a share is <= 0.0016, so a tolerance
// of 0.01 is over 6 sigma, while a wrong weighting misses by far more.
constexpr int kFlows = 100'000;
constexpr double kTolerance = 0.01;

TEST(Wcmp, FlowSharesFollowExplicitWeights) {
  WcmpParams params;
  // Indexed by port number: ports 2, 5, 7, 9 weigh 4:1:1:1; port 12 is past the end.
  params.weights = {0, 0, 4, 0, 0, 1, 0, 1, 0, 1};
  ASSERT_TRUE(params.validate().is_ok());
  FakeView view(16);
  const std::array<uint16_t, 5> candidates{2, 5, 7, 9, 12};
  for (uint64_t seed : {1u, 2u, 3u}) {
    Wcmp lb(params, seed);
    auto share = flow_shares(lb, candidates, view, kFlows, seed + 100);
    EXPECT_NEAR(share[2], 4.0 / 7, kTolerance) << "seed " << seed;
    for (uint16_t port : {5, 7, 9}) EXPECT_NEAR(share[port], 1.0 / 7, kTolerance) << port;
    EXPECT_EQ(share.count(12), 0u) << "a port past the weight list weighs 0";
  }
}

TEST(Wcmp, DegradedLinkGetsProportionallyFewerFlows) {
  WcmpParams params;  // no weights: by link rate
  FakeView view(4);
  const std::array<uint16_t, 4> candidates{0, 1, 2, 3};
  Wcmp lb(params, 7);
  auto healthy = flow_shares(lb, candidates, view, kFlows, 11);
  for (uint16_t port : candidates) EXPECT_NEAR(healthy[port], 0.25, kTolerance) << port;

  view.rate[3] = BitRate::gbps(100);  // 400G renegotiated to 100G: weights 4:4:4:1
  auto degraded = flow_shares(lb, candidates, view, kFlows, 11);
  EXPECT_NEAR(degraded[3], 1.0 / 13, kTolerance);
  for (uint16_t port : {0, 1, 2}) EXPECT_NEAR(degraded[port], 4.0 / 13, kTolerance) << port;
}

TEST(Wcmp, AFlowAlwaysTakesTheSamePort) {
  WcmpParams params;
  FakeView view(8);
  view.rate[1] = BitRate::gbps(100);
  view.rate[6] = BitRate::gbps(200);
  const std::array<uint16_t, 8> candidates{0, 1, 2, 3, 4, 5, 6, 7};
  Wcmp lb(params, 3);
  RandomStream rng(5);
  Packet p;
  for (int flow = 0; flow < 1000; ++flow) {
    p.entropy = rng.next_u64();
    const uint16_t first = lb.choose(p, candidates, view, Time::zero());
    for (int pkt = 1; pkt < 20; ++pkt) {
      // Queues and time change between packets; the choice must not.
      for (auto& q : view.queue) q = static_cast<int64_t>(rng.below(1 << 20));
      p.psn = static_cast<uint64_t>(pkt);
      ASSERT_EQ(lb.choose(p, candidates, view, Time::us(pkt)), first) << "flow " << flow;
    }
  }
}

TEST(Wcmp, EqualWeightsAreExactlyEcmp) {
  FakeView view(8);
  const std::array<uint16_t, 8> candidates{0, 1, 2, 3, 4, 5, 6, 7};
  WcmpParams by_rate;
  WcmpParams by_list;
  by_list.weights = {3, 3, 3, 3, 3, 3, 3, 3};
  Wcmp rate_lb(by_rate, 42);
  Wcmp list_lb(by_list, 42);
  RandomStream rng(9);
  Packet p;
  for (int i = 0; i < 10'000; ++i) {
    p.entropy = rng.next_u64();
    const uint16_t ecmp = Ecmp::pick(p.entropy, 42, candidates);
    ASSERT_EQ(rate_lb.choose(p, candidates, view, Time::zero()), ecmp);
    ASSERT_EQ(list_lb.choose(p, candidates, view, Time::zero()), ecmp);
  }
  auto share = flow_shares(rate_lb, candidates, view, kFlows, 13);
  for (uint16_t port : candidates) EXPECT_NEAR(share[port], 1.0 / 8, kTolerance) << port;

  // The cumulative-weight walk agrees too: a trailing weightless candidate (port 12 is
  // past the list) only sends the walk through unequal weights 3, ..., 3, 0.
  const std::array<uint16_t, 9> with_idle{0, 1, 2, 3, 4, 5, 6, 7, 12};
  for (int i = 0; i < 10'000; ++i) {
    p.entropy = rng.next_u64();
    ASSERT_EQ(list_lb.choose(p, with_idle, view, Time::zero()),
              Ecmp::pick(p.entropy, 42, candidates));
  }
}

TEST(Wcmp, AllWeightlessCandidatesShareEqually) {
  WcmpParams params;
  params.weights = {1};  // every candidate below is past the list: weight 0
  FakeView view(8);
  const std::array<uint16_t, 4> candidates{4, 5, 6, 7};
  Wcmp lb(params, 1);
  auto share = flow_shares(lb, candidates, view, kFlows, 17);
  for (uint16_t port : candidates) EXPECT_NEAR(share[port], 0.25, kTolerance) << port;
}

std::string error_of(const std::string& lb) {
  auto s = load_scenario_text(lb + "\ntraffic: [{type: permutation}]", "t.yaml", {});
  return s.is_ok() ? "" : s.status().message();
}

TEST(Wcmp, BadWeightsAreRefused) {
  EXPECT_EQ(error_of("lb: {algorithm: wcmp, weights: [4, 1, 1]}"), "");
  EXPECT_NE(error_of("lb: {algorithm: wcmp, weights: [0, 0]}").find("at least one"),
            std::string::npos);
  EXPECT_NE(error_of("lb: {algorithm: wcmp, weights: [1, -1]}").find("weights"), std::string::npos);
}

}  // namespace
}  // namespace aifabric
