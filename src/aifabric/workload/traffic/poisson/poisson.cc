// Arrival times are drawn in double picoseconds and rounded once per flow: this runs
// while the scenario is prepared, never inside the simulated model.
#include "aifabric/workload/traffic/poisson/poisson.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <string>

#include "aifabric/core/parse.h"

namespace aifabric {
namespace {

std::string number(double v) {
  std::string s = std::to_string(v);
  while (s.size() > 1 && s.back() == '0') s.pop_back();
  if (!s.empty() && s.back() == '.') s.pop_back();
  return s;
}

}  // namespace

Result<FlowSizeCdf> FlowSizeCdf::read(std::istream& in, const std::string& source) {
  LineReader r(in, source, /*skip_comments=*/true, kMaxCdfFileBytes);
  std::vector<Point> points;
  while (r.next()) {
    const size_t n = count_blank_fields(r.line());
    if (n != 2) {
      return r.error("expected '<bytes> <cumulative percent>', found " + std::to_string(n) +
                     " fields");
    }
    const auto f = split_blanks(r.line());
    auto bytes = parse_decimal(f[0], "flow size");
    if (!bytes) return r.error(bytes.status().message());
    auto percent = parse_decimal(f[1], "cumulative percent");
    if (!percent) return r.error(percent.status().message());
    if (*percent > 100) return r.error("cumulative percent " + number(*percent) + " is above 100");
    if (!points.empty()) {
      const Point& prev = points.back();
      if (*bytes < prev.bytes) {
        return r.error("flow size " + number(*bytes) + " is below the previous point's (" +
                       number(prev.bytes) + "): the CDF must be non-decreasing");
      }
      if (*percent < prev.percent) {
        return r.error("cumulative percent " + number(*percent) +
                       " is below the previous point's (" + number(prev.percent) +
                       "): the CDF must be non-decreasing");
      }
    }
    points.push_back({*bytes, *percent});
  }
  if (!r.status()) return r.status();
  if (points.empty()) return r.error("no points; expected '<bytes> <cumulative percent>' lines");
  if (points.back().percent != 100) {
    return r.error("the last point is at " + number(points.back().percent) +
                   " %; a CDF ends at 100");
  }
  auto cdf = from_points(std::move(points));
  if (!cdf) return r.error(cdf.status().message());
  return cdf;
}

Result<FlowSizeCdf> FlowSizeCdf::from_points(std::vector<Point> points) {
  if (points.empty() || points.back().percent != 100) {
    return Status::error("a CDF needs points ending at 100 %");
  }
  FlowSizeCdf c;
  c.points_ = std::move(points);
  const Point& first = c.points_.front();
  c.mean_ = first.percent / 100 * first.bytes;
  c.second_ = first.percent / 100 * first.bytes * first.bytes;
  for (size_t i = 1; i < c.points_.size(); ++i) {
    const Point& a = c.points_[i - 1];
    const Point& b = c.points_[i];
    if (b.bytes < a.bytes || b.percent < a.percent) {
      return Status::error("the CDF must be non-decreasing in size and percent");
    }
    // Each segment is a uniform distribution on [a.bytes, b.bytes].
    const double w = (b.percent - a.percent) / 100;
    c.mean_ += w * (a.bytes + b.bytes) / 2;
    c.second_ += w * (a.bytes * a.bytes + a.bytes * b.bytes + b.bytes * b.bytes) / 3;
  }
  if (c.mean_ < 1) {
    return Status::error("the mean flow size is " + number(c.mean_) +
                         " bytes; it must be at least 1");
  }
  return c;
}

int64_t FlowSizeCdf::sample(RandomStream& rng) const {
  const double u = rng.uniform() * 100;
  // The first point above u; the last point is at 100 > u, so there always is one.
  const auto it = std::upper_bound(points_.begin(), points_.end(), u,
                                   [](double x, const Point& p) { return x < p.percent; });
  double bytes = points_.front().bytes;
  if (it != points_.begin()) {
    const Point& a = *(it - 1);
    const Point& b = *it;
    bytes = a.bytes + (u - a.percent) / (b.percent - a.percent) * (b.bytes - a.bytes);
  }
  return std::max<int64_t>(1, std::llround(bytes));
}

Status PoissonTraffic::validate() const {
  if (cdf.empty()) return Status::error("cdf: a flow-size CDF file is required");
  if (load <= 0) return Status::error("load: must be above 0 (at most 1)");
  if (duration <= Time::zero()) return Status::error("duration: must be positive");
  if (start < Time::zero()) return Status::error("start: must not be negative");
  return Status::ok();
}

Result<std::vector<FlowSpec>> poisson_flows(const PoissonTraffic& t, const FlowSizeCdf& cdf,
                                            const std::vector<BitRate>& rates, uint8_t prio,
                                            RandomStream& rng) {
  const auto hosts = static_cast<uint32_t>(rates.size());
  if (hosts < 2) return Status::error("hosts: poisson traffic needs at least 2 hosts");
  // Mean gap between one host's flows, in picoseconds: 8 x mean size / (load x rate).
  std::vector<double> gap_ps(hosts);
  double expected = 0;
  for (uint32_t h = 0; h < hosts; ++h) {
    const double bps = t.load * static_cast<double>(rates[h].bits_per_second());
    if (bps <= 0) return Status::error("host " + std::to_string(h) + " has a link of rate 0");
    gap_ps[h] = 8 * cdf.mean() / bps * 1e12;
    expected += static_cast<double>(t.duration.ps()) / gap_ps[h];
  }
  if (expected > static_cast<double>(kMaxPoissonFlows)) {
    return Status::error("duration: " + std::to_string(hosts) + " hosts at load " + number(t.load) +
                         " would start about " + std::to_string(std::llround(expected)) +
                         " flows, more than the " + std::to_string(kMaxPoissonFlows) +
                         " a poisson entry may make; shorten duration or use fewer hosts");
  }
  const double begin = static_cast<double>(t.start.ps());
  const double end = begin + static_cast<double>(t.duration.ps());
  const uint8_t priority = t.priority >= 0 ? static_cast<uint8_t>(t.priority) : prio;
  std::vector<FlowSpec> out;
  out.reserve(static_cast<size_t>(expected * 1.05) + 16);
  for (uint32_t h = 0; h < hosts; ++h) {
    double at = begin;
    for (;;) {
      // 1 - uniform() is in (0, 1]: its logarithm is finite.
      at += -std::log(1 - rng.uniform()) * gap_ps[h];
      if (at >= end) break;
      if (out.size() >= 2 * kMaxPoissonFlows) {
        return Status::error("poisson: more than " + std::to_string(2 * kMaxPoissonFlows) +
                             " flows drawn; shorten duration");
      }
      FlowSpec f;
      f.src = h;
      f.dst = static_cast<uint32_t>(rng.below(hosts - 1));
      if (f.dst >= h) ++f.dst;  // uniform over the other hosts
      f.size = cdf.sample(rng);
      f.start = Time::ps(std::min(std::llround(at), static_cast<long long>(end) - 1));
      f.priority = priority;
      out.push_back(f);
    }
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const FlowSpec& a, const FlowSpec& b) { return a.start < b.start; });
  return out;
}

Result<std::vector<FlowSpec>> generate_poisson(const PoissonTraffic& t, TrafficContext& ctx) {
  const uint32_t all = ctx.hosts();
  if (t.hosts > static_cast<int64_t>(all)) {
    return Status::error("hosts: " + std::to_string(t.hosts) + " but the topology has " +
                         std::to_string(all) + " hosts");
  }
  const uint32_t n = t.hosts == 0 ? all : static_cast<uint32_t>(t.hosts);
  std::vector<BitRate> rates(n);
  for (uint32_t h = 0; h < n; ++h) {
    const auto& adj = ctx.graph.adjacent(ctx.graph.hosts()[h]);
    if (adj.empty()) return Status::error("host " + std::to_string(h) + " has no link");
    rates[h] = ctx.graph.links()[adj.front().link].params.rate;
  }
  const std::string path = ctx.resolve(t.cdf);
  if (Status s = check_input_file(path, kMaxCdfFileBytes); !s) {
    return Status::error("cdf: " + quote_input(path, 4096) + ": " + s.message());
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::error("cdf: cannot read " + quote_input(path, 4096));
  auto cdf = FlowSizeCdf::read(in, path);
  if (!cdf) return cdf.status();
  return poisson_flows(t, *cdf, rates, ctx.default_priority, ctx.rng);
}

}  // namespace aifabric
