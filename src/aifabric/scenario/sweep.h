// `aifabric sweep`: one scenario run once per value of one key; the values parsed from
// --vary and the comparison table (one row per value, columns by what the scenario
// runs: a training iteration, a collective, or a traffic list).
#pragma once

#include <string>
#include <vector>

#include "aifabric/core/status.h"
#include "aifabric/scenario/scenario.h"
#include "aifabric/telemetry/run_record.h"

namespace aifabric {

struct Vary {
  std::string key;
  std::vector<std::string> values;
};
// "KEY=V1,V2,..."; errors quote the option.
Result<Vary> parse_vary(const std::string& text);

// The header for runs like `first` (a training iteration, a collective, or flows).
std::string sweep_header(const std::string& key, const RunReport& first);
std::string sweep_row(const std::string& value, const RunReport& r);

}  // namespace aifabric
