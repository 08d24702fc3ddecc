// The Prometheus text exposition (format 0.0.4; `promtool check metrics` passes it) of
// a run's final port counters, so that the twin's numbers load into the same tooling as
// a real fabric's exporters.
#pragma once

#include <ostream>

#include "aifabric/telemetry/telemetry_record.h"
#include "aifabric/topo/graph.h"

namespace aifabric {

// One metric family per counter (named with _total, as promtool wants) and gauge, one
// sample per transmitting port (labels node, port, peer, escaped), the values of the last
// sample; ends with "# EOF" (a comment to Prometheus, the end marker to OpenMetrics).
void write_openmetrics(std::ostream& out, const TelemetryRecord& rec, const TopologyGraph& g);

}  // namespace aifabric
