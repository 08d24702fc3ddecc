// Open-loop Poisson traffic as in the HPCC paper's evaluation: every host starts flows
// as a Poisson process of rate load x host link rate / (8 x mean flow size), each to a
// uniformly random other host, sizes drawn from an empirical flow-size CDF by linear
// interpolation between its points. Sizes are whole bytes, at least 1; times are
// integer picoseconds. Deterministic for a given random stream.
#pragma once

#include <cstddef>
#include <cstdint>
#include <istream>
#include <string>
#include <vector>

#include "aifabric/core/line_reader.h"
#include "aifabric/core/params.h"
#include "aifabric/core/random.h"
#include "aifabric/core/status.h"
#include "aifabric/transport/flow_spec.h"
#include "aifabric/workload/traffic/generator.h"

namespace aifabric {

// A CDF file is a few dozen lines; anything near this size is the wrong file.
inline constexpr size_t kMaxCdfFileBytes = kMiB;
// The most flows one poisson entry may make (the run's own flow budget, 2^21): the
// expected count, hosts x rate x duration, is checked against it before any is made.
inline constexpr uint64_t kMaxPoissonFlows = uint64_t{1} << 21;

// A piecewise-linear flow-size distribution: points (bytes, cumulative percent), both
// non-decreasing, the last at 100 %. Below the first point's percent the size is the
// first point's (a point mass); between points it is interpolated linearly.
class FlowSizeCdf {
 public:
  struct Point {
    double bytes;
    double percent;
  };
  // Reads `<bytes> <cumulative percent>` lines ('#' comments and blank lines skipped).
  // Errors read "source:line: why".
  static Result<FlowSizeCdf> read(std::istream& in, const std::string& source);
  static Result<FlowSizeCdf> from_points(std::vector<Point> points);

  // A size drawn by inverting the CDF at a uniform percent (rounded, at least 1 byte).
  int64_t sample(RandomStream& rng) const;
  // Mean and second moment of the piecewise-linear distribution, in bytes and bytes^2.
  double mean() const { return mean_; }
  double second_moment() const { return second_; }
  const std::vector<Point>& points() const { return points_; }

 private:
  std::vector<Point> points_;
  double mean_ = 0;
  double second_ = 0;
};

// `traffic: [{type: poisson, cdf: websearch.txt, load: 0.3, duration: 10ms}]`.
struct PoissonTraffic final : ParamsOf<PoissonTraffic> {
  std::string cdf;
  double load = 0.3;
  Time duration = Time::ms(1);
  Time start = Time::zero();
  int64_t priority = -1;
  int64_t hosts = 0;
  void visit(ParamVisitor& v) override {
    v.path("cdf", cdf,
           "flow-size CDF file, one '<bytes> <cumulative percent>' point a line, relative to "
           "the scenario");
    v.param("load", load, "fraction of each host's link rate offered, in (0, 1]", Range{0, 1});
    v.param("duration", duration, "flows start in [start, start + duration)");
    v.param("start", start, "when the arrivals begin");
    v.param("priority", priority, "802.1p priority; -1 = transport.data_priority", Range{-1, 7});
    v.param("hosts", hosts, "the first N hosts send and receive; 0 = all", Range{0, 1e9});
  }
  Status validate() const override;
};

// Flows from hosts 0..rates.size()-1 (host h's link rate is rates[h]), ordered by start
// time (ties by source host); refuses a configuration whose expected flow count exceeds
// kMaxPoissonFlows.
Result<std::vector<FlowSpec>> poisson_flows(const PoissonTraffic& t, const FlowSizeCdf& cdf,
                                            const std::vector<BitRate>& rates,
                                            uint8_t default_priority, RandomStream& rng);
Result<std::vector<FlowSpec>> generate_poisson(const PoissonTraffic& t, TrafficContext& ctx);

}  // namespace aifabric
