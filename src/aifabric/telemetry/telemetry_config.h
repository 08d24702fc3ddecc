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
  // 0 = auto: about 1/100 of the run's expected length (scenario/simulate.h), then halved
  // in rate whenever sampling would cost more than a few percent of the simulation.
  Time interval = Time::zero();
  void visit(ParamVisitor& v) override {
    v.param("enabled", enabled, "sample port and queue-pair telemetry into telemetry.sqlite");
    v.param("interval", interval,
            "sampling interval; 0 = auto: about 1/100 of the run's expected length, sampled "
            "less often if telemetry would cost more than a few percent of the run");
    v.param("alarm_queue", alarm_queue,
            "raise an alarm when an egress queue exceeds this; 0 = off");
    v.param("openmetrics", openmetrics,
            "also write metrics.prom: the final port counters in OpenMetrics text format");
    v.param("pause_storm", pause_storm,
            "report a pause storm when one pause episode lasts longer than this; 0 = off");
  }
  Status validate() const override {
    if (interval < Time::zero() || (interval > Time::zero() && interval < Time::ns(10))) {
      return Status::error("interval must be 0 (auto) or at least 10ns");
    }
    return Status::ok();
  }
};

}  // namespace aifabric
