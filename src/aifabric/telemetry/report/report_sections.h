// The sections of report.html, each read from the results store and summary.json: flows,
// links, queues and pauses, throughput (report_fabric.cc), the training job or collective
// (report_job.cc), and the run's details.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "aifabric/telemetry/report/report_db.h"
#include "aifabric/telemetry/report/report_headline.h"

namespace aifabric::report {

std::string flows_section(const ReportDb& db);
std::string links_section(const ReportDb& db);
std::string queues_section(const ReportDb& db);
std::string throughput_section(const ReportDb& db);
// Analytic runs: what stands where the fabric sections would.
std::string not_modelled_section();
// The job's collectives and the per-GPU timeline of one data-parallel replica; empty
// when the run has no tasks.
std::string job_section(const ReportDb& db, const RunInfo& run);
std::string details_section(const ReportDb& db, const RunInfo& run);

// An empirical CDF as a line series {"name", "x", "y"}: at most ~400 points.
nlohmann::json cdf_series(const std::string& name, std::vector<double> values);

}  // namespace aifabric::report
