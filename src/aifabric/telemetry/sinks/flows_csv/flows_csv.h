// flows.csv: one row per flow (hosts, ports, size, times, FCT, ideal FCT, slowdown,
// the transport's counters, status); every column names its unit.
#pragma once

#include <ostream>

#include "aifabric/telemetry/run_record.h"

namespace aifabric {

void write_flows_csv(std::ostream& out, const RunReport& r, const TopologyGraph& g);

}  // namespace aifabric
