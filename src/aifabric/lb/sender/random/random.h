// Random spraying: a fresh source port per packet, uniform over [sport_min, sport_max],
// from the queue pair's own stream (the run seed mixed with the flow id, so flows handed
// the same seed still spray apart). Also the fallback of the other modes.
#pragma once

#include <utility>

#include "aifabric/core/random.h"
#include "aifabric/lb/sender/path_selection.h"

namespace aifabric {

class RandomPorts {
 public:
  RandomPorts(const PathSelection& ps, const FlowSpec& flow)
      : rng_(ps.seed ^ mix64(flow.id + 1)), min_(ps.sport_min), max_(ps.sport_max) {
    if (max_ < min_) std::swap(min_, max_);
  }
  uint16_t draw() {
    const uint64_t span = static_cast<uint64_t>(max_ - min_) + 1;
    return static_cast<uint16_t>(min_ + rng_.below(span));
  }

 private:
  RandomStream rng_;
  uint16_t min_, max_;
};

class RandomChooser final : public PathChooser {
 public:
  RandomChooser(const PathSelection& ps, const FlowSpec& flow) : ports_(ps, flow) {}
  uint16_t next_sport() override { return ports_.draw(); }

 private:
  RandomPorts ports_;
};

}  // namespace aifabric
