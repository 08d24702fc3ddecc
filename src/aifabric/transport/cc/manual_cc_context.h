// For the algorithms' unit tests: a CcContext whose clock the test moves by hand and
// which records the timers asked for (not fired: the test fires them).
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

#include "aifabric/transport/cc/congestion_control.h"

namespace aifabric {

struct ManualCcContext final : CcContext {
  Time t;
  std::vector<std::pair<Time, uint32_t>> timers;
  Bytes frame_payload = Bytes(4096);
  Time now() const override { return t; }
  void set_timer(Time at, uint32_t tag) override { timers.emplace_back(at, tag); }
  Bytes mtu() const override { return frame_payload; }
};

}  // namespace aifabric
