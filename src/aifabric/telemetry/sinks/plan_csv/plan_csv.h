// plan.csv: the planned-path assignment, per demand its hosts, class, bytes, the
// source port that realizes its path, and the path itself (what an operator would
// deploy).
#pragma once

#include <ostream>

#include "aifabric/telemetry/run_record.h"

namespace aifabric {

void write_plan_csv(std::ostream& out, const PlanReport& p, const TopologyGraph& g);

}  // namespace aifabric
