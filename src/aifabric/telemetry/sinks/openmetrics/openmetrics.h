// OpenMetrics (Prometheus) text exposition of a run's final port counters, so that the
// twin's numbers can be loaded by the same tooling as a real fabric's exporters.
#pragma once

#include <ostream>

#include "aifabric/telemetry/telemetry_record.h"
#include "aifabric/topo/graph.h"

namespace aifabric {

// One metric family per counter, one sample per transmitting port (labels node, port,
// peer), the values of the last sample; ends with "# EOF" as the format requires.
void write_openmetrics(std::ostream& out, const TelemetryRecord& rec, const TopologyGraph& g);

}  // namespace aifabric
