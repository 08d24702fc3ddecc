// What one executed collective comes to: its time and bandwidths in nccl-tests' terms.
#pragma once

#include <cstdint>
#include <string>

#include "aifabric/core/units.h"

namespace aifabric {

struct CollectiveReport {
  std::string op, algorithm;
  uint32_t ranks = 0;
  int64_t bytes = 0;  // per-rank buffer
  Time time;          // first transfer start to last transfer finish; max() = unfinished
  bool finished() const { return time != Time::max(); }
  double algbw_gbs = 0, busbw_gbs = 0;
  double line_rate_gbs = 0;  // the ranks' NIC rate in the same unit (1e9 bytes/s)
};

}  // namespace aifabric
