// The files of a results folder: summary.json (the run's headline numbers),
// flows.csv (one row per flow) and ports.csv (one row per transmitting port). Every
// column and key names its unit.
#pragma once

#include <nlohmann/json.hpp>
#include <ostream>
#include <span>
#include <string>

#include "aifabric/scenario/run.h"

namespace aifabric {

struct Percentiles {
  double mean = 0, p50 = 0, p95 = 0, p99 = 0, max = 0;
  size_t count = 0;
};
// Nearest-rank percentiles of `v` (sorted in place).
Percentiles percentiles(std::vector<double>& v);
// The fraction of `v` at or above `x` (0 when empty).
double share_at_least(std::span<const double> v, double x);

nlohmann::ordered_json summary_json(const RunReport& r);
void write_flows_csv(std::ostream& out, const RunReport& r, const TopologyGraph& g);
// The planned-path assignment: per demand its hosts, class, bytes, the source port that
// realizes its path, and the path itself (what an operator would deploy).
void write_plan_csv(std::ostream& out, const PlanReport& p, const TopologyGraph& g);
void write_ports_csv(std::ostream& out, const RunReport& r, const TopologyGraph& g);

// Creates `dir` and writes every output file of the run into it (and trace.json, the
// per-GPU timeline, for a training workload).
Status write_results(const std::string& dir, const Simulation& sim, const PreparedRun& run);

// A few lines for the terminal.
std::string summary_text(const RunReport& r);

}  // namespace aifabric
