// Round-robin spraying: cycle through one source port per distinct path between the
// flow's hosts (PathSelection::sports, found by walking the switches' own hash), so
// consecutive packets take every path in turn; random ports if none were given.
#pragma once

#include <vector>

#include "aifabric/lb/sender/random/random.h"

namespace aifabric {

class RoundRobinChooser final : public PathChooser {
 public:
  RoundRobinChooser(const PathSelection& ps, const FlowSpec& flow)
      : sports_(ps.sports), random_(ps, flow) {}
  uint16_t next_sport() override {
    if (sports_.empty()) return random_.draw();
    const uint16_t port = sports_[next_];
    if (++next_ == sports_.size()) next_ = 0;
    return port;
  }

 private:
  std::vector<uint16_t> sports_;
  size_t next_ = 0;
  RandomPorts random_;
};

}  // namespace aifabric
