// The switch part that trims (trimming_config.h): given a data packet bound for an egress
// port, it passes it, cuts it to its header (payload 0, `trimmed` set, moved to the header
// priority), or drops it when even the header queue is full. Which queue is compared:
// the arriving packet's own priority's, in packets, so the data queue of a trimmed
// priority never holds more than data_queue_packets. NDP trims the arriving packet or
// the queue's tail with equal odds to break phase effects; this trims the arriving one.
#pragma once

#include <array>
#include <cstdint>

#include "aifabric/fabric/switch/egress_scheduler.h"
#include "aifabric/fabric/switch/trim/trimming_config.h"
#include "aifabric/net/packet.h"

namespace aifabric {

class Trimmer {
 public:
  enum class Verdict : uint8_t { kPass, kTrimmed, kDrop };

  explicit Trimmer(const TrimmingConfig& cfg)
      : data_queue_(static_cast<uint32_t>(cfg.data_queue_packets)),
        header_queue_(static_cast<uint32_t>(cfg.header_queue_packets)),
        header_priority_(static_cast<uint8_t>(cfg.header_priority)) {
    for (const int64_t p : cfg.priorities) trims_[static_cast<size_t>(p)] = true;
  }

  // `p` arrived for egress `e`. kTrimmed: `p` is now its header; the caller counts the
  // payload it lost (`cut` bytes) as dropped. kDrop: the caller drops `p`.
  Verdict on_arrival(Packet& p, const EgressQueues& e, uint32_t& cut) const {
    if (p.type != PacketType::kData || !trims_[p.priority] || p.trimmed) return Verdict::kPass;
    if (e.q[p.priority].packets() < data_queue_) return Verdict::kPass;
    if (header_queue_ > 0 && e.q[header_priority_].packets() >= header_queue_) {
      return Verdict::kDrop;
    }
    cut = p.payload;
    p.payload = 0;
    p.wire = kTrimmedWireBytes;
    p.trimmed = true;
    p.priority = header_priority_;
    return Verdict::kTrimmed;
  }

 private:
  uint32_t data_queue_;
  uint32_t header_queue_;
  uint8_t header_priority_;
  std::array<bool, kNumPriorities> trims_{};
};

}  // namespace aifabric
