// report.html: one self-contained page for people about one run, built from its results
// folder: the run's name and overrides, its verdict and headline numbers first (by kind:
// flows, training job, collective), then the flows, links, queues, throughput and job
// timeline. Interactive charts (Chart.js, inlined at build time): it opens offline.
#pragma once

#include <string>

#include "aifabric/core/status.h"

namespace aifabric {

// Reads `dir`/telemetry.sqlite and summary.json and writes `dir`/report.html.
Status write_report_html(const std::string& dir);

}  // namespace aifabric
