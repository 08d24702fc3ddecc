// ECN tuning, a switch-side plug-in family: a policy that retunes each egress port's
// marking thresholds from what the port saw over the last period (its deepest queue,
// the bytes it sent, the pause frames its switch sent). `static` keeps the configured
// thresholds; each other policy is one folder under fabric/switch/ecn/ plus one line
// in fabric/switch/ecn/registry.cc. The marker stays RED on the hot path; a tuner
// runs once per period per switch.
#pragma once

#include <cstdint>
#include <memory>

#include "aifabric/core/params.h"
#include "aifabric/core/registry.h"
#include "aifabric/core/units.h"

namespace aifabric {

// One egress port over the last period.
struct EcnPortPeriod {
  BitRate rate;
  Time period;
  int64_t max_depth = 0;     // deepest queue seen at a dequeue, bytes
  int64_t tx_bytes = 0;      // wire bytes sent in the period
  int64_t marked = 0;        // packets the port marked in the period
  int64_t pause_frames = 0;  // PFC frames this switch sent in the period (any port)
};

class EcnTuner {
 public:
  virtual ~EcnTuner() = default;
  virtual Time period() const = 0;
  // The factor the port's configured thresholds (k_min, k_max) are scaled by next,
  // given the factor in use and what the period showed.
  virtual double scale(const EcnPortPeriod& seen, double current) const = 0;
};

struct EcnTuning : Member {
  // nullptr: thresholds stay as configured.
  std::unique_ptr<EcnTuner> (*make)(const Params& params) = nullptr;
};

const Registry<EcnTuning>& ecn_tunings();

}  // namespace aifabric
