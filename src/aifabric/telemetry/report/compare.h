// `aifabric compare`: several results folders side by side, one column per run, one row
// per headline number of their summary.json files.
#pragma once

#include <string>
#include <vector>

#include "aifabric/core/status.h"

namespace aifabric {

Result<std::string> compare_runs(const std::vector<std::string>& dirs);

}  // namespace aifabric
