// Poisson traffic: offered load and mean size against the CDF within stated
// statistical tolerances, no self-flows, determinism per seed, CDF files refused with
// file:line, the flow cap, and the scenario path (hosts, cdf resolved, link rates).
#include "aifabric/workload/traffic/poisson/poisson.h"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <sstream>
#include <string>

#include "aifabric/topo/builders/leaf_spine/leaf_spine.h"

namespace aifabric {
namespace {

const std::string kCdfDir = std::string(AIFABRIC_SOURCE_DIR) + "/examples/cdf/";

FlowSizeCdf load_cdf(const std::string& name) {
  std::ifstream in(kCdfDir + name);
  auto cdf = FlowSizeCdf::read(in, name);
  EXPECT_TRUE(cdf.is_ok()) << cdf.status().message();
  return *cdf;
}

Status read_error(const std::string& text) {
  std::istringstream in(text);
  auto cdf = FlowSizeCdf::read(in, "bad.txt");
  return cdf.is_ok() ? Status::ok() : cdf.status();
}

TEST(PoissonCdf, MomentsOfAHandComputedCdf) {
  std::istringstream in("# a comment\n0 0\n100 50\n\n300 100\n");
  auto cdf = FlowSizeCdf::read(in, "hand.txt");
  ASSERT_TRUE(cdf.is_ok()) << cdf.status().message();
  // Half uniform on [0, 100], half uniform on [100, 300].
  EXPECT_DOUBLE_EQ(cdf->mean(), 0.5 * 50 + 0.5 * 200);
  EXPECT_NEAR(cdf->second_moment(), 0.5 * 10000.0 / 3 + 0.5 * 130000.0 / 3, 1e-6);
  RandomStream rng(1);
  int below_100 = 0;
  constexpr int kDraws = 100000;
  for (int i = 0; i < kDraws; ++i) {
    const int64_t s = cdf->sample(rng);
    ASSERT_GE(s, 1);
    ASSERT_LE(s, 300);
    below_100 += s <= 100 ? 1 : 0;
  }
  // Binomial(100000, 0.5): sd 158; 5 sd.
  EXPECT_NEAR(below_100, kDraws / 2.0, 800);
}

TEST(PoissonCdf, PublicCdfMeans) {
  // The piecewise-linear means of the HPCC paper's distributions, summed by hand over
  // their segments (weight x midpoint).
  EXPECT_NEAR(load_cdf("websearch.txt").mean(), 1711250.0, 1e-6);
  EXPECT_NEAR(load_cdf("fb-hadoop.txt").mean(), 120420.75, 1e-6);
}

TEST(PoissonCdf, BadFilesRefusedWithFileAndLine) {
  struct Case {
    const char* text;
    const char* where;
    const char* why;
  };
  const Case cases[] = {
      {"0 0\n200 50\n100 100\n", "bad.txt:3:", "non-decreasing"},
      {"0 0\n200 60\n300 50\n400 100\n", "bad.txt:3:", "non-decreasing"},
      {"0 0\n100 50\n200 90\n", "bad.txt:3:", "ends at 100"},
      {"0 0\n100 120\n", "bad.txt:2:", "above 100"},
      {"0 0\n100 50 7\n200 100\n", "bad.txt:2:", "3 fields"},
      {"0 0\n1e3x 50\n200 100\n", "bad.txt:2:", "flow size"},
      {"0 0\n100 -5\n", "bad.txt:2:", "percent"},
      {"", "bad.txt:1:", "no points"},
      {"0 0\n0.4 100\n", "bad.txt:2:", "mean flow size"},
  };
  for (const Case& c : cases) {
    const Status s = read_error(c.text);
    ASSERT_FALSE(s.is_ok()) << c.text;
    EXPECT_EQ(s.message().rfind(c.where, 0), 0u) << s.message();
    EXPECT_NE(s.message().find(c.why), std::string::npos) << s.message();
  }
}

TEST(Poisson, OfferedLoadAndMeanSizeMatchTheTarget) {
  const FlowSizeCdf cdf = load_cdf("websearch.txt");
  PoissonTraffic t;
  t.load = 0.3;
  t.duration = Time::ms(100);  // ~70,000 flows: 4 sd of the offered load is 3.8 % of it
  t.start = Time::us(5);
  const std::vector<BitRate> rates(320, BitRate::gbps(100));
  RandomStream rng(42);
  auto flows = poisson_flows(t, cdf, rates, 3, rng);
  ASSERT_TRUE(flows.is_ok()) << flows.status().message();

  double bytes = 0;
  for (const FlowSpec& f : *flows) bytes += static_cast<double>(f.size);
  const double seconds = t.duration.to_seconds();
  const double target = 320 * 100e9 * t.load * seconds / 8;
  // A compound Poisson sum: variance = arrivals rate x duration x E[S^2].
  const double n_expected = target / cdf.mean();
  const double sd_bytes = std::sqrt(n_expected * cdf.second_moment());
  const double offered = bytes / (320 * 100e9 * seconds / 8);
  RecordProperty("offered_load", std::to_string(offered));
  std::cout << "offered load " << offered << " (target 0.3, 4 sd = " << 4 * sd_bytes / target * 0.3
            << "), " << flows->size() << " flows (expected " << n_expected << ")\n";
  EXPECT_NEAR(bytes, target, 4 * sd_bytes);
  EXPECT_NEAR(static_cast<double>(flows->size()), n_expected, 4 * std::sqrt(n_expected));
  const double mean = bytes / static_cast<double>(flows->size());
  const double sd_mean = std::sqrt((cdf.second_moment() - cdf.mean() * cdf.mean()) / n_expected);
  EXPECT_NEAR(mean, cdf.mean(), 4 * sd_mean);

  Time prev = Time::zero();
  for (const FlowSpec& f : *flows) {
    EXPECT_NE(f.src, f.dst);
    EXPECT_LT(f.src, 320u);
    EXPECT_LT(f.dst, 320u);
    EXPECT_GE(f.size, 1);
    EXPECT_GE(f.start, t.start);
    EXPECT_LT(f.start, t.start + t.duration);
    EXPECT_GE(f.start, prev);  // ordered by start time
    EXPECT_EQ(f.priority, 3);
    prev = f.start;
  }
}

TEST(Poisson, DestinationsUniformOverOtherHostsAndSizesAtLeastOneByte) {
  std::istringstream in("0 0\n2 100\n");  // mean 1 byte; rounding gives 0s, clamped to 1
  auto cdf = FlowSizeCdf::read(in, "tiny.txt");
  ASSERT_TRUE(cdf.is_ok()) << cdf.status().message();
  PoissonTraffic t;
  t.load = 1;
  t.duration = Time::us(100);
  t.priority = 5;
  const std::vector<BitRate> rates(4, BitRate::gbps(1));  // 1 flow per 8 ns per host
  RandomStream rng(3);
  auto flows = poisson_flows(t, *cdf, rates, 3, rng);
  ASSERT_TRUE(flows.is_ok()) << flows.status().message();
  std::vector<int> to(4, 0);
  for (const FlowSpec& f : *flows) {
    ASSERT_NE(f.src, f.dst);
    ASSERT_GE(f.size, 1);
    EXPECT_EQ(f.priority, 5);
    if (f.src == 0) ++to[f.dst];
  }
  // Host 0: about 12,500 flows, a third to each other host (binomial sd ~53).
  const int from0 = to[1] + to[2] + to[3];
  EXPECT_NEAR(from0, 12500, 4 * 112);
  for (int d = 1; d < 4; ++d) EXPECT_NEAR(to[d], from0 / 3.0, 300) << d;
}

TEST(Poisson, DeterministicPerSeed) {
  const FlowSizeCdf cdf = load_cdf("fb-hadoop.txt");
  PoissonTraffic t;
  t.duration = Time::ms(1);
  const std::vector<BitRate> rates(16, BitRate::gbps(100));
  auto run = [&](uint64_t seed) {
    RandomStream rng(seed);
    return *poisson_flows(t, cdf, rates, 3, rng);
  };
  const auto a = run(7);
  const auto b = run(7);
  const auto c = run(8);
  ASSERT_EQ(a.size(), b.size());
  ASSERT_GT(a.size(), 100u);
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].src, b[i].src);
    EXPECT_EQ(a[i].dst, b[i].dst);
    EXPECT_EQ(a[i].size, b[i].size);
    EXPECT_EQ(a[i].start, b[i].start);
  }
  bool differs = a.size() != c.size();
  for (size_t i = 0; !differs && i < a.size(); ++i) differs = a[i].start != c[i].start;
  EXPECT_TRUE(differs);
}

TEST(Poisson, RefusesTooManyFlowsBeforeGenerating) {
  const FlowSizeCdf cdf = load_cdf("fb-hadoop.txt");
  PoissonTraffic t;
  t.load = 1;
  t.duration = Time::sec(10);  // ~ 320 x 50,000 flows/s x 10 s = 1.6e8 flows
  const std::vector<BitRate> rates(320, BitRate::gbps(100));
  RandomStream rng(1);
  auto flows = poisson_flows(t, cdf, rates, 3, rng);
  ASSERT_FALSE(flows.is_ok());
  EXPECT_NE(flows.status().message().find("more than the 2097152"), std::string::npos)
      << flows.status().message();
  EXPECT_EQ(flows.status().message().find('\n'), std::string::npos);
}

TEST(Poisson, RefusesBadParameters) {
  PoissonTraffic t;
  EXPECT_FALSE(t.validate().is_ok());  // no cdf
  t.cdf = "x.txt";
  EXPECT_TRUE(t.validate().is_ok());
  t.load = 0;
  EXPECT_FALSE(t.validate().is_ok());
  t.load = 0.5;
  t.duration = Time::zero();
  EXPECT_FALSE(t.validate().is_ok());
}

TEST(Poisson, GeneratesOnATopologyWithTheFirstHosts) {
  LeafSpineConfig c;
  c.leaves = 2;
  c.hosts_per_leaf = 4;
  c.host_link.rate = BitRate::gbps(25);
  const TopologyGraph g = build_leaf_spine(c);
  PoissonTraffic t;
  t.cdf = "fb-hadoop.txt";
  t.hosts = 5;
  t.duration = Time::ms(2);
  RandomStream rng(9);
  TrafficContext ctx{g, 3, rng, [](const std::string& f) { return kCdfDir + f; }};
  auto flows = generate_poisson(t, ctx);
  ASSERT_TRUE(flows.is_ok()) << flows.status().message();
  ASSERT_FALSE(flows->empty());
  double bytes = 0;
  for (const FlowSpec& f : *flows) {
    EXPECT_LT(f.src, 5u);
    EXPECT_LT(f.dst, 5u);
    bytes += static_cast<double>(f.size);
  }
  // 5 hosts x 25 Gb/s x 0.3 x 2 ms = 9.4 MB offered; heavy-tailed sizes, so only a loose
  // check here (the tight one is above).
  EXPECT_GT(bytes, 0.3 * 9.4e6);
  EXPECT_LT(bytes, 3 * 9.4e6);

  t.hosts = 9;
  EXPECT_FALSE(generate_poisson(t, ctx).is_ok());
  t.hosts = 0;
  t.cdf = "missing.txt";
  const auto missing = generate_poisson(t, ctx);
  ASSERT_FALSE(missing.is_ok());
  EXPECT_EQ(missing.status().message().rfind("cdf: ", 0), 0u) << missing.status().message();
}

}  // namespace
}  // namespace aifabric
