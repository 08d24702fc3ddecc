// summary.json: the run's headline numbers (makespan, FCT and slowdown percentiles,
// drops by cause, pauses, link imbalance, the job's figures, payload conservation,
// engine speed), every key naming its unit; and the same as a few terminal lines.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "aifabric/telemetry/run_record.h"

namespace aifabric {

nlohmann::ordered_json summary_json(const RunReport& r);

// A few lines for the terminal.
std::string summary_text(const RunReport& r);

}  // namespace aifabric
