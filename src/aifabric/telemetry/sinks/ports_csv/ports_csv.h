// ports.csv: one row per transmitting port (bytes, utilization, deepest queue, ECN,
// pauses, drops); every column names its unit.
#pragma once

#include <ostream>

#include "aifabric/telemetry/run_record.h"

namespace aifabric {

void write_ports_csv(std::ostream& out, const RunReport& r, const TopologyGraph& g);

}  // namespace aifabric
