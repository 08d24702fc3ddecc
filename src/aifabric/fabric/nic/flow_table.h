// A small open-addressing map from flow id to a queue pair's slot, for the NIC's
// per-packet lookup of the receiving queue pair (receivers are made on a flow's first
// packet, so they cannot be numbered ahead). Linear probing over a power-of-two array,
// grown at half load; no deletion (a NIC keeps its queue pairs for the run).
#pragma once

#include <cstdint>
#include <vector>

#include "aifabric/core/random.h"

namespace aifabric {

class FlowTable {
 public:
  static constexpr uint32_t kAbsent = 0xffffffffU;
  uint32_t find(uint32_t flow) const {
    if (slots_.empty()) return kAbsent;
    for (size_t i = hash(flow) & mask_;; i = (i + 1) & mask_) {
      const Slot& s = slots_[i];
      if (s.value == kAbsent || s.key == flow) return s.value;
    }
  }
  // `flow` must not be present.
  void insert(uint32_t flow, uint32_t value) {
    if (2 * (size_ + 1) > slots_.size()) grow();
    place(flow, value);
    ++size_;
  }
  size_t size() const { return size_; }

 private:
  struct Slot {
    uint32_t key = 0;
    uint32_t value = kAbsent;
  };
  static size_t hash(uint32_t flow) { return static_cast<size_t>(mix64(flow)); }
  void place(uint32_t flow, uint32_t value) {
    size_t i = hash(flow) & mask_;
    while (slots_[i].value != kAbsent) i = (i + 1) & mask_;
    slots_[i] = Slot{flow, value};
  }
  void grow() {
    std::vector<Slot> old = std::move(slots_);
    slots_.assign(old.empty() ? 8 : old.size() * 2, Slot{});
    mask_ = slots_.size() - 1;
    for (const Slot& s : old) {
      if (s.value != kAbsent) place(s.key, s.value);
    }
  }
  std::vector<Slot> slots_;
  size_t mask_ = 0;
  size_t size_ = 0;
};

}  // namespace aifabric
