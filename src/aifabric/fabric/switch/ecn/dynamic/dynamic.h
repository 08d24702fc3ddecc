// Dynamic ECN (the source report's "AI-ECN"; the published anchor is ACC, Yan et al.,
// "ACC: Automatic ECN Tuning for High-Speed Datacenter Networks", SIGCOMM 2021, which
// learns the thresholds with reinforcement learning). aifabric's rule is not ACC's
// learner but the objective it optimises, as a per-port multiplicative controller:
// every period, if the port ran at or above u_target of its rate and its deepest queue
// exceeded target_delay x rate, the thresholds shrink by `step` (mark earlier: delay is
// being bought with no throughput to gain); if it ran below u_target and marked packets,
// they grow by `step` (mark later: throughput is being lost to marks — throughput first,
// as ACC's reward weighs it; a queue that spiked and drained within the period does not
// stop it); a port below u_target that marked nothing keeps them (its senders did not
// want more: raising thresholds there only lets the next burst queue deeper);
// a period in which the switch sent PFC pauses shrinks them too (congestion is spreading).
// The scale stays within [min_scale, max_scale] of the configured thresholds.
#pragma once

#include <algorithm>

#include "aifabric/fabric/switch/ecn/tuner.h"

namespace aifabric {

struct DynamicEcnParams final : ParamsOf<DynamicEcnParams> {
  Time period = Time::us(100);      // a third of DCQCN's 300 us increase stage
  Time target_delay = Time::us(4);  // queueing delay the port aims for
  double u_target = 0.9;            // utilisation the port must keep
  double step = 0.1;                // per period
  double min_scale = 0.01;
  double max_scale = 4;
  void visit(ParamVisitor& v) override {
    v.param("period", period, "how often each port's thresholds are retuned");
    v.param("target_delay", target_delay, "queueing delay (deepest queue / rate) to hold");
    v.param("u_target", u_target, "utilisation a port must keep before thresholds shrink",
            Range{0.01, 1});
    v.param("step", step, "multiplicative change of the thresholds per period", Range{0.001, 0.9});
    v.param("min_scale", min_scale, "smallest factor on the configured thresholds", Range{1e-4, 1});
    v.param("max_scale", max_scale, "largest factor on the configured thresholds", Range{1, 1e4});
  }
  Status validate() const override {
    if (period <= Time::zero()) return Status::error("period must be positive");
    return Status::ok();
  }
};

class DynamicEcn final : public EcnTuner {
 public:
  explicit DynamicEcn(const DynamicEcnParams& p) : p_(p) {}
  Time period() const override { return p_.period; }
  double scale(const EcnPortPeriod& seen, double current) const override {
    const double capacity = static_cast<double>(seen.rate.bits_per_second()) *
                            seen.period.to_seconds() / 8;  // bytes the port could send
    const double util = capacity > 0 ? static_cast<double>(seen.tx_bytes) / capacity : 0;
    const double target =
        static_cast<double>(seen.rate.bits_per_second()) * p_.target_delay.to_seconds() / 8;
    const auto depth = static_cast<double>(seen.max_depth);
    double s = current;
    if (seen.pause_frames > 0 || (util >= p_.u_target && depth > target)) {
      s *= 1 - p_.step;
    } else if (util < p_.u_target && seen.marked > 0) {
      s *= 1 + p_.step;
    }
    return std::clamp(s, p_.min_scale, p_.max_scale);
  }

 private:
  DynamicEcnParams p_;
};

}  // namespace aifabric
