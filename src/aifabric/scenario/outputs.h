// Writing a results folder: every output file that applies (telemetry/sinks/output.h),
// from the run's record.
#pragma once

#include <string>

#include "aifabric/core/status.h"
#include "aifabric/scenario/simulate.h"

namespace aifabric {

// Creates `dir` and writes the run's files into it. Errors read "--out DIR: why".
Status write_results(const std::string& dir, const Simulation& sim, const PreparedRun& run);

}  // namespace aifabric
