// In-band network telemetry (INT) as HPCC uses it: every switch egress a data packet
// leaves appends one hop record (when, the port's cumulative tx bytes, its egress queue
// length, its link rate). The records live out of line, in an IntTable beside the packet
// pool, so a Packet carries only a slot number (0 = no INT) and runs without INT pay
// nothing for it. Slots are owned by one packet at a time and freed with it.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <vector>

#include "aifabric/core/units.h"

namespace aifabric {

struct IntHop {
  Time ts;               // when the packet left the egress queue
  int64_t tx_bytes = 0;  // the port's cumulative wire bytes, this packet included
  int64_t qlen = 0;      // bytes left in the port's egress queues (all priorities)
  int64_t rate_bps = 0;  // the port's link rate
};

// An explicit window request and grant, as the zero-queue scheme carries it (XCP's
// congestion header: Katabi, Handley and Rohrs, SIGCOMM 2002). The sender writes its
// window, its RTT estimate and the window increase it would like (per packet); every
// switch egress on the path lowers `feedback` to what its idle bandwidth allows; the
// ACK brings the grant back. Bytes are wire bytes; cwnd = 0 means "no request".
struct WindowGrant {
  int64_t cwnd = 0;
  Time rtt;
  double feedback = 0;  // window change granted for this packet, bytes (may be < 0)
};

// The stack a packet collects, first hop first. HPCC's ns-3 model keeps 5 hops; 8 covers
// a 3-tier fat-tree (5 switch hops) with room for more tiers.
inline constexpr int kMaxIntHops = 8;
struct IntStack {
  std::array<IntHop, kMaxIntHops> hop{};
  uint8_t hops = 0;
  bool overflow = false;  // more switches than kMaxIntHops: the feedback is unusable
  WindowGrant grant;      // zero-queue request/grant (unused by HPCC)
  // Copies only the hops in use (the stack is copied once per ACK).
  void copy_from(const IntStack& o) {
    std::copy_n(o.hop.begin(), o.hops, hop.begin());
    hops = o.hops;
    overflow = o.overflow;
    grant = o.grant;
  }
  void push(const IntHop& h) {
    if (hops == kMaxIntHops) {
      overflow = true;
      return;
    }
    hop[hops++] = h;
  }
};

// Slot 0 is "none". Storage grows in blocks (references stay valid) and slots are
// recycled, so the steady state allocates nothing.
class IntTable {
 public:
  IntTable() = default;
  IntTable(const IntTable&) = delete;
  IntTable& operator=(const IntTable&) = delete;

  uint32_t acquire() {
    if (free_.empty()) grow();
    if (free_.empty()) {
      // 2^24 stacks (4 GiB) in flight at once: beyond the slot field, a model bug.
      std::fprintf(stderr, "aifabric: internal error: more than 2^24 INT stacks in flight\n");
      std::abort();
    }
    const uint32_t s = free_.back();
    free_.pop_back();
    IntStack& st = at(s);
    st.hops = 0;  // hops beyond `hops` are never read
    st.overflow = false;
    st.grant = WindowGrant{};
    ++live_;
    return s;
  }
  void release(uint32_t slot) {
    free_.push_back(slot);
    --live_;
  }
  IntStack& at(uint32_t slot) { return blocks_[slot >> kShift][slot & kMask]; }
  const IntStack& at(uint32_t slot) const { return blocks_[slot >> kShift][slot & kMask]; }
  size_t live() const { return live_; }

  // Slots fit the packet's 24-bit field.
  static constexpr uint32_t kMaxSlots = 1U << 24;

 private:
  static constexpr uint32_t kShift = 10;
  static constexpr uint32_t kMask = (1U << kShift) - 1;
  void grow() {
    const auto first = static_cast<uint32_t>(blocks_.size()) << kShift;
    blocks_.push_back(std::make_unique<IntStack[]>(size_t{1} << kShift));
    free_.reserve(free_.size() + (size_t{1} << kShift));
    for (uint32_t i = kMask + 1; i-- > 0;) {
      if (first + i != 0 && first + i < kMaxSlots) free_.push_back(first + i);
    }
  }
  std::vector<std::unique_ptr<IntStack[]>> blocks_;
  std::vector<uint32_t> free_;
  size_t live_ = 0;
};

}  // namespace aifabric
