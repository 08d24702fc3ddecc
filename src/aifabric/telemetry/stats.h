// Summary statistics of a sample: nearest-rank percentiles and tail shares.
#pragma once

#include <cstddef>
#include <span>
#include <vector>

namespace aifabric {

struct Percentiles {
  double mean = 0, p50 = 0, p95 = 0, p99 = 0, max = 0;
  size_t count = 0;
};
// Nearest-rank percentiles of `v` (sorted in place).
Percentiles percentiles(std::vector<double>& v);
// The fraction of `v` at or above `x` (0 when empty).
double share_at_least(std::span<const double> v, double x);

}  // namespace aifabric
