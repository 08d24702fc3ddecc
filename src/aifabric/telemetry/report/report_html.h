// report.html: one self-contained page (inline SVG, no scripts or external assets, so
// it opens offline and prints) built from a run's telemetry.sqlite — the scenario's
// summary, FCT and slowdown CDFs, a link-utilization heatmap per tier, queue depth and
// paused time over time for the busiest ports, and fabric throughput over time.
// SVG is generated rather than a charting library embedded: the plots are simple, the
// page stays small and has nothing to load or execute.
#pragma once

#include <string>

#include "aifabric/core/status.h"

namespace aifabric {

// Reads `dir`/telemetry.sqlite and writes `dir`/report.html.
Status write_report_html(const std::string& dir);

}  // namespace aifabric
