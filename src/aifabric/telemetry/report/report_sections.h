// The sections of report.html, each read from the results store and summary.json: flows,
// links, queues and pauses, throughput (report_fabric.cc), the training job or collective
// (report_job.cc), the faults (report_faults.cc), and the run's details.
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
// Runs with a `faults:` schedule: the fabric's throughput with the link events marked, and
// the table of faults; empty when the store has no faults table.
std::string faults_section(const ReportDb& db);
// The faults in one line for the headline: "1 fault (remote): 117 packets blackholed,
// 1 flow affected; detection 5.00 µs, local repair 5.00 µs, notices done 7.00 µs,
// control plane 98.0 ms after the fault" (the slowest of each step when there are
// several); empty when the run had no faults.
std::string faults_headline(const ReportDb& db);
// Analytic runs: what stands where the fabric sections would.
std::string not_modelled_section();
// The job's collectives and the per-GPU timeline of one data-parallel replica; empty
// when the run has no tasks.
std::string job_section(const ReportDb& db, const RunInfo& run);
std::string details_section(const ReportDb& db, const RunInfo& run);

// An empirical CDF as a line series {"name", "x", "y"}: at most ~400 points.
nlohmann::json cdf_series(const std::string& name, std::vector<double> values);

}  // namespace aifabric::report
