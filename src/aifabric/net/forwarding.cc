#include "aifabric/net/forwarding.h"

#include <algorithm>
#include <unordered_map>

namespace aifabric {

void ForwardingTable::init(std::shared_ptr<const std::vector<uint32_t>> attachment,
                           uint32_t attachments, uint32_t own) {
  attachment_ = std::move(attachment);
  own_ = own;
  dense_ = true;
  entry_.assign(attachments, kNone);
}

uint32_t ForwardingTable::intern(const std::vector<uint16_t>& ports) {
  // Reuse an identical set; recent sets are the likely match.
  for (size_t i = sets_.size(); i-- > 0;) {
    const Set& s = sets_[i];
    if (s.count == ports.size() &&
        std::equal(ports.begin(), ports.end(), ports_.begin() + s.offset)) {
      return static_cast<uint32_t>(i);
    }
    if (sets_.size() - i > 64) break;
  }
  sets_.push_back(Set{static_cast<uint32_t>(ports_.size()), static_cast<uint32_t>(ports.size())});
  ports_.insert(ports_.end(), ports.begin(), ports.end());
  return static_cast<uint32_t>(sets_.size() - 1);
}

void ForwardingTable::set_attachment(uint32_t a, const std::vector<uint16_t>& ports) {
  entry_[a] = ports.empty() ? kNone : intern(ports);
}

void ForwardingTable::set_local(uint32_t host, uint16_t port) {
  local_.emplace_back(host, port);
}

void ForwardingTable::finish() {
  std::sort(local_.begin(), local_.end());
  // The most common set; the rest are exceptions. Sparse when they are few (lookups then
  // search a short list), dense otherwise.
  std::unordered_map<uint32_t, uint32_t> uses;
  uint32_t best = kNone, best_uses = 0;
  for (uint32_t s : entry_) {
    const uint32_t n = ++uses[s];
    if (n > best_uses) {
      best_uses = n;
      best = s;
    }
  }
  const size_t rest = entry_.size() - best_uses;
  if (rest * 16 >= entry_.size() && rest > 8) return;  // stays dense
  dense_ = false;
  default_ = best;
  exceptions_.clear();
  for (uint32_t a = 0; a < entry_.size(); ++a) {
    if (entry_[a] != best) exceptions_.emplace_back(a, entry_[a]);
  }
  entry_.clear();
  entry_.shrink_to_fit();
}

uint32_t ForwardingTable::sparse(uint32_t a) const {
  const auto it = std::lower_bound(exceptions_.begin(), exceptions_.end(), std::make_pair(a, 0U));
  return it != exceptions_.end() && it->first == a ? it->second : default_;
}

std::span<const uint16_t> ForwardingTable::local(uint32_t host) const {
  const auto it = std::lower_bound(local_.begin(), local_.end(), std::make_pair(host, uint16_t{0}));
  if (it == local_.end() || it->first != host) return {};
  return {&it->second, 1};
}

size_t ForwardingTable::memory() const {
  return entry_.capacity() * sizeof(uint32_t) + exceptions_.capacity() * sizeof(exceptions_[0]) +
         local_.capacity() * sizeof(local_[0]) + sets_.capacity() * sizeof(Set) +
         ports_.capacity() * sizeof(uint16_t);
}

}  // namespace aifabric
