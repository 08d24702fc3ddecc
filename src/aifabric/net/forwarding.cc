#include "aifabric/net/forwarding.h"

#include <algorithm>

namespace aifabric {

void ForwardingTable::set(uint32_t dst, const std::vector<uint16_t>& ports) {
  if (ports.empty()) {
    entry_[dst] = kNone;
    return;
  }
  // Reuse an identical set; recent sets are the likely match.
  for (size_t i = sets_.size(); i-- > 0;) {
    const Set& s = sets_[i];
    if (s.count == ports.size() &&
        std::equal(ports.begin(), ports.end(), ports_.begin() + s.offset)) {
      entry_[dst] = static_cast<uint32_t>(i);
      return;
    }
    if (sets_.size() - i > 64) break;
  }
  sets_.push_back(Set{static_cast<uint32_t>(ports_.size()), static_cast<uint32_t>(ports.size())});
  ports_.insert(ports_.end(), ports.begin(), ports.end());
  entry_[dst] = static_cast<uint32_t>(sets_.size() - 1);
}

}  // namespace aifabric
