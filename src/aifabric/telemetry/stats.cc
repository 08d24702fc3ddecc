#include "aifabric/telemetry/stats.h"

#include <algorithm>
#include <cmath>

namespace aifabric {

Percentiles percentiles(std::vector<double>& v) {
  Percentiles p;
  p.count = v.size();
  if (v.empty()) return p;
  std::sort(v.begin(), v.end());
  auto rank = [&](double q) {
    const auto k = static_cast<size_t>(std::ceil(q * static_cast<double>(v.size())));
    return v[std::clamp<size_t>(k, 1, v.size()) - 1];
  };
  double sum = 0;
  for (double x : v) sum += x;
  p.mean = sum / static_cast<double>(v.size());
  p.p50 = rank(0.50);
  p.p95 = rank(0.95);
  p.p99 = rank(0.99);
  p.max = v.back();
  return p;
}

double share_at_least(std::span<const double> v, double x) {
  if (v.empty()) return 0;
  const auto n = std::count_if(v.begin(), v.end(), [x](double y) { return y >= x; });
  return static_cast<double>(n) / static_cast<double>(v.size());
}

}  // namespace aifabric
