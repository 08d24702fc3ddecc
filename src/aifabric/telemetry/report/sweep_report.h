// sweep.csv and sweep.html: the points of a sweep side by side, one row per point (its
// key=value, headline time, FCT and slowdown percentiles, busbw, link imbalance, drops,
// pauses), with the slowdown CDFs of flow runs overlaid and the iteration or collective
// times of jobs as bars. Each point's own report.html is linked from its row.
#pragma once

#include <string>
#include <vector>

#include "aifabric/core/status.h"

namespace aifabric {

struct SweepPoint {
  std::string label;  // "lb.algorithm=ecmp"
  std::string dir;    // that point's results folder
};

// Writes `sweep_dir`/sweep.csv and `sweep_dir`/sweep.html (creating `sweep_dir`); the
// error names the point whose results cannot be read.
Status write_sweep_report(const std::string& sweep_dir, const std::vector<SweepPoint>& points);

}  // namespace aifabric
