#include "aifabric/workload/traffic/common.h"

namespace aifabric {

void TrafficCommon::visit(ParamVisitor& v, bool with_size) {
  if (with_size) v.param("size", size, "bytes per flow");
  v.param("start", start, "start time of the flows");
  v.param("start_jitter", start_jitter, "each flow starts at start + uniform[0, jitter)");
  v.param("priority", priority, "802.1p priority; -1 = transport.data_priority", Range{-1, 7});
}

FlowSpec make_flow(const TrafficCommon& c, uint32_t src, uint32_t dst, uint8_t prio,
                   RandomStream& rng) {
  FlowSpec f;
  f.src = src;
  f.dst = dst;
  f.size = c.size.count();
  f.start = c.start;
  if (c.start_jitter > Time::zero()) {
    f.start +=
        Time::ps(static_cast<int64_t>(rng.below(static_cast<uint64_t>(c.start_jitter.ps()))));
  }
  f.priority = c.priority >= 0 ? static_cast<uint8_t>(c.priority) : prio;
  return f;
}

Status check_size(const TrafficCommon& c) {
  if (c.size.count() <= 0) return Status::error("size must be positive");
  return Status::ok();
}

}  // namespace aifabric
