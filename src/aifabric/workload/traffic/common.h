// What the synthetic generators share: a message size, a start time with optional
// jitter, and a priority; one flow per (source, destination) they choose.
#pragma once

#include <cstdint>

#include "aifabric/core/params.h"
#include "aifabric/core/random.h"
#include "aifabric/transport/flow_spec.h"

namespace aifabric {

struct TrafficCommon {
  Bytes size = Bytes::mib(16);
  Time start = Time::zero();
  Time start_jitter = Time::zero();  // each flow starts at start + U[0, jitter)
  int64_t priority = -1;             // -1 = transport.data_priority
  void visit(ParamVisitor& v, bool with_size = true);
};

// A flow of `c`'s size from `src` to `dst`, starting at c.start (+ jitter from `rng`),
// with c.priority or else `default_priority`.
FlowSpec make_flow(const TrafficCommon& c, uint32_t src, uint32_t dst, uint8_t default_priority,
                   RandomStream& rng);
Status check_size(const TrafficCommon& c);

}  // namespace aifabric
