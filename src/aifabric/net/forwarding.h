// A switch's forwarding table: for each destination host, the set of egress ports on
// a shortest path. Identical sets are stored once (a leaf reaches every remote host
// through the same uplinks), so large fabrics stay compact.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace aifabric {

class ForwardingTable {
 public:
  void resize(uint32_t hosts) { entry_.assign(hosts, kNone); }
  void set(uint32_t dst, const std::vector<uint16_t>& ports);
  std::span<const uint16_t> next_hops(uint32_t dst) const {
    const uint32_t e = entry_[dst];
    if (e == kNone) return {};
    return {ports_.data() + sets_[e].offset, sets_[e].count};
  }
  uint32_t hosts() const { return static_cast<uint32_t>(entry_.size()); }

 private:
  static constexpr uint32_t kNone = 0xffffffffU;
  struct Set {
    uint32_t offset;
    uint32_t count;
  };
  std::vector<uint32_t> entry_;
  std::vector<Set> sets_;
  std::vector<uint16_t> ports_;
};

}  // namespace aifabric
