// Traffic generators: shapes and determinism.
#include <gtest/gtest.h>

#include <set>

#include "aifabric/workload/traffic/all_to_all/all_to_all.h"
#include "aifabric/workload/traffic/incast/incast.h"
#include "aifabric/workload/traffic/permutation/permutation.h"

namespace aifabric {
namespace {

TEST(Traffic, PermutationIsADerangement) {
  PermutationTraffic t;
  for (uint64_t seed = 1; seed < 50; ++seed) {
    RandomStream rng(seed);
    auto flows = permutation_flows(t, 16, 3, rng);
    ASSERT_TRUE(flows.is_ok());
    std::set<uint32_t> dsts;
    for (const auto& f : *flows) {
      EXPECT_NE(f.src, f.dst);
      dsts.insert(f.dst);
    }
    EXPECT_EQ(dsts.size(), 16u);  // every host receives exactly once
  }
}

TEST(Traffic, IncastPicksDistinctSenders) {
  IncastTraffic t;
  t.receiver = 5;
  t.fan_in = 10;
  RandomStream rng(7);
  auto flows = incast_flows(t, 12, 3, rng);
  ASSERT_TRUE(flows.is_ok());
  std::set<uint32_t> src;
  for (const auto& f : *flows) {
    EXPECT_EQ(f.dst, 5u);
    src.insert(f.src);
  }
  EXPECT_EQ(src.size(), 10u);
  EXPECT_EQ(src.count(5), 0u);
  t.fan_in = 12;
  EXPECT_FALSE(incast_flows(t, 12, 3, rng).is_ok());
}

TEST(Traffic, AllToAllAndJitter) {
  AllToAllTraffic t;
  t.hosts = 4;
  t.common.start = Time::us(10);
  t.common.start_jitter = Time::us(5);
  RandomStream rng(3);
  auto flows = all_to_all_flows(t, 8, 3, rng);
  ASSERT_TRUE(flows.is_ok());
  EXPECT_EQ(flows->size(), 12u);
  for (const auto& f : *flows) {
    EXPECT_GE(f.start, Time::us(10));
    EXPECT_LT(f.start, Time::us(15));
  }
}

}  // namespace
}  // namespace aifabric
