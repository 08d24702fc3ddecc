// A flow: one message of `size` bytes from one host to another over its own reliable
// connection (queue pair), starting at `start`.
#pragma once

#include <cstdint>

#include "aifabric/core/units.h"

namespace aifabric {

struct FlowSpec {
  uint32_t id = 0;
  uint32_t src = 0;  // host index
  uint32_t dst = 0;  // host index
  int64_t size = 0;  // bytes of payload
  Time start;
  uint8_t priority = 3;
  uint16_t sport = 0;  // UDP source port (ECMP entropy); 0 = chosen by the run's seed
  uint16_t dport = 4791;
};

// Packets a message of `size` bytes takes at `mtu` payload bytes each (at least one).
inline uint64_t packet_count(int64_t size, uint64_t mtu) {
  return size <= 0 ? 1 : (static_cast<uint64_t>(size) + mtu - 1) / mtu;
}

}  // namespace aifabric
