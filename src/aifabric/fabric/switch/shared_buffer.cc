#include "aifabric/fabric/switch/shared_buffer.h"

#include <algorithm>

namespace aifabric {

SharedBuffer::SharedBuffer(const SwitchConfig& cfg, int64_t max_frame)
    : cfg_(cfg), max_frame_(max_frame) {
  if (cfg_.pfc.enabled) {
    for (int64_t p : cfg_.pfc.priorities) lossless_[static_cast<size_t>(p)] = true;
  }
  if (cfg_.cbfc.enabled) {
    for (int64_t p : cfg_.cbfc.priorities) credit_[static_cast<size_t>(p)] = true;
  }
}

int SharedBuffer::credit_lanes(const SwitchConfig& cfg) {
  if (!cfg.cbfc.enabled) return 0;
  std::array<bool, kNumPriorities> on{};
  for (int64_t p : cfg.cbfc.priorities) on[static_cast<size_t>(p)] = true;
  int n = 0;
  for (bool b : on) n += b ? 1 : 0;
  return n;
}

int64_t SharedBuffer::credit_update_bytes(const SwitchConfig& cfg, int64_t max_frame) {
  return cfg.cbfc.update.count() != 0 ? cfg.cbfc.update.count() : max_frame;
}

int64_t SharedBuffer::credits_for(const SwitchConfig& cfg, const LinkParams& l, int64_t max_frame) {
  const int64_t block = cfg.cbfc.block.count();
  int64_t bytes = cfg.cbfc.credits.count();
  if (bytes == 0) {
    // The credit loop: a frame out and its credit back across the cable, the frame in
    // serialization, the frame the return direction is busy with when the credit is
    // due, a frame of slack, the batch of freed bytes an update waits for, and the
    // credit frame itself. Less than this leaves the link idle part of each loop.
    bytes = 2 * l.rate.bytes_in(l.delay) + 3 * max_frame + credit_update_bytes(cfg, max_frame) +
            kCreditWireBytes;
  }
  return (bytes + block - 1) / block * block;
}

int64_t SharedBuffer::headroom_for(const SwitchConfig& cfg, const LinkParams& l,
                                   int64_t max_frame) {
  if (cfg.pfc.headroom.count() != 0) return cfg.pfc.headroom.count();
  // What can still arrive after XOFF leaves: the round trip of the cable at line rate,
  // a frame the upstream has started, a frame ahead of our pause frame, and a frame of
  // slack; plus the pause frames themselves.
  return 2 * l.rate.bytes_in(l.delay) + 3 * max_frame + int64_t{2} * kPauseWireBytes;
}

int SharedBuffer::lossless_priorities(const SwitchConfig& cfg) {
  if (!cfg.pfc.enabled) return 0;
  std::array<bool, kNumPriorities> on{};
  for (int64_t p : cfg.pfc.priorities) on[static_cast<size_t>(p)] = true;
  int n = 0;
  for (bool b : on) n += b ? 1 : 0;
  return n;
}

void SharedBuffer::add_port(const LinkParams& l, Time pause_time) {
  IngressState& ing = ingress_.emplace_back();
  ing.headroom_size = headroom_for(cfg_, l, max_frame_);
  if (cfg_.cbfc.enabled) ing.credit_size = credits_for(cfg_, l, max_frame_);
  // Pause quanta are 512 bit times of this link, so the same XOFF lasts 16x less on a
  // 6.4 Tbps link than on a 400 Gbps one: the refresh must follow each port's own pause
  // time, or a fast link's XOFF lapses before it is renewed.
  ing.refresh = cfg_.pfc.refresh > Time::zero() ? cfg_.pfc.refresh : pause_time / 2;
}

void SharedBuffer::finalize() {
  int64_t reserved = 0;
  for (const IngressState& ing : ingress_) {
    for (int p = 0; p < kNumPriorities; ++p) {
      if (lossless_[p]) reserved += ing.headroom_size;
      if (credit_[p]) reserved += ing.credit_size;
    }
  }
  shared_size_ = cfg_.buffer.count() - reserved;
}

int64_t SharedBuffer::xoff_threshold() const {
  if (cfg_.pfc.xoff_alpha > 0) {
    return static_cast<int64_t>(cfg_.pfc.xoff_alpha * static_cast<double>(std::max<int64_t>(
                                                          shared_size_ - shared_used_, 0)));
  }
  return cfg_.pfc.xoff.count();
}

SharedBuffer::Verdict SharedBuffer::admit(const Packet& p, uint16_t in, int64_t egress_queue) {
  const int64_t size = p.wire;
  const uint8_t prio = p.priority;
  Verdict v = Verdict::kAdmitted;
  if (lossless_[prio]) {
    IngressState& ing = ingress_[in];
    IngressClass& c = ing.cls[prio];
    const int64_t threshold = xoff_threshold();
    bool to_headroom = false;
    if (!c.xoff && c.shared + size <= threshold && shared_used_ + size <= shared_size_) {
      c.shared += size;
      shared_used_ += size;
    } else if (c.headroom + size <= ing.headroom_size) {
      c.headroom += size;
      to_headroom = true;
    } else {
      return Verdict::kDropHeadroom;
    }
    if (!c.xoff && to_headroom) {  // crossed the XOFF threshold
      c.xoff = true;
      v = Verdict::kAdmittedXoff;
    }
    max_ingress_bytes_ = std::max(max_ingress_bytes_, c.shared + c.headroom);
  } else if (credit_[prio]) {
    // The transmitter spent credits on this frame, so it fits unless the model is wrong.
    IngressState& ing = ingress_[in];
    IngressClass& c = ing.cls[prio];
    if (c.shared + size > ing.credit_size) return Verdict::kDropCredit;
    c.shared += size;
    max_ingress_bytes_ = std::max(max_ingress_bytes_, c.shared);
  } else {
    const int64_t free = shared_size_ - shared_used_;
    const double limit = cfg_.egress_alpha * static_cast<double>(free);
    if (size > free || static_cast<double>(egress_queue + size) > limit) {
      return Verdict::kDropBuffer;
    }
    shared_used_ += size;
  }
  buffered_ += size;
  max_buffer_used_ = std::max(max_buffer_used_, buffered_);
  return v;
}

bool SharedBuffer::release(const Packet& p) {
  const int64_t size = p.wire;
  buffered_ -= size;
  const uint8_t prio = p.priority;
  if (!lossless_[prio]) {
    if (credit_[prio]) {
      ingress_[p.in_port].cls[prio].shared -= size;
      return true;  // its credits go back upstream
    }
    shared_used_ -= size;
    return false;
  }
  // Departing bytes leave the ingress's headroom pool first, as a Broadcom-style MMU
  // counts its PG headroom (so does the HPCC ns-3 switch-mmu.cc). Charging the packet's
  // own pool instead would free the headroom only when the frames that arrived after
  // XOFF leave, i.e. with the egress queue nearly empty: XON would go out too late and
  // the port would idle for the pause round trip.
  IngressClass& c = ingress_[p.in_port].cls[prio];
  const int64_t from_headroom = std::min(c.headroom, size);
  c.headroom -= from_headroom;
  c.shared -= size - from_headroom;
  shared_used_ -= size - from_headroom;
  if (c.xoff && c.headroom == 0 &&
      c.shared <= std::max<int64_t>(xoff_threshold() - cfg_.pfc.xon_offset.count(), 0)) {
    c.xoff = false;
    return true;
  }
  return false;
}

}  // namespace aifabric
