// Telemetry settings of a run: sampling interval, alarms and extra outputs. Plain
// configuration: the probes that use it live in telemetry/probes/.
#pragma once

#include "aifabric/core/params.h"

namespace aifabric {

struct TelemetryConfig final : ParamsOf<TelemetryConfig> {
  bool enabled = true;
  // Alarms (0 = off): an egress queue deeper than alarm_queue at a sample, and a pause
  // episode longer than pause_storm (a transmitter stuck paused: the PFC storm that
  // operators watch for).
  Bytes alarm_queue = Bytes(0);
  Time pause_storm = Time::ms(1);
  bool openmetrics = false;  // also write metrics.prom (OpenMetrics text)
  // 100 us keeps a k=8 fat-tree run's samples near 1e5 rows while resolving the
  // millisecond dynamics of incasts and DCQCN.
  Time interval = Time::us(100);
  void visit(ParamVisitor& v) override {
    v.param("enabled", enabled, "sample port and queue-pair telemetry into telemetry.sqlite");
    v.param("interval", interval, "sampling interval");
    v.param("alarm_queue", alarm_queue,
            "raise an alarm when an egress queue exceeds this; 0 = off");
    v.param("openmetrics", openmetrics,
            "also write metrics.prom: the final port counters in OpenMetrics text format");
    v.param("pause_storm", pause_storm,
            "report a pause storm when one pause episode lasts longer than this; 0 = off");
  }
  Status validate() const override {
    if (interval <= Time::zero()) return Status::error("interval must be positive");
    return Status::ok();
  }
};

}  // namespace aifabric
