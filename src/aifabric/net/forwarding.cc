#include "aifabric/net/forwarding.h"

#include <algorithm>
#include <unordered_map>

namespace aifabric {

void ForwardingTable::init(std::shared_ptr<const std::vector<uint32_t>> attachment,
                           uint32_t attachments, uint32_t own) {
  attachment_ = std::move(attachment);
  own_ = own;
  attachments_ = attachments;
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

void ForwardingTable::set_detours(uint32_t a, const std::vector<uint16_t>& ports) {
  if (detour_of_.empty()) detour_of_.assign(attachments_, Set{0, 0});
  detour_of_[a] =
      Set{static_cast<uint32_t>(detour_ports_.size()), static_cast<uint32_t>(ports.size())};
  detour_ports_.insert(detour_ports_.end(), ports.begin(), ports.end());
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

void ForwardingTable::densify() {
  if (dense_) return;
  entry_.assign(attachments_, default_);
  for (const auto& [a, s] : exceptions_) entry_[a] = s;
  exceptions_.clear();
  dense_ = true;
}

std::vector<uint32_t> ForwardingTable::remove_port(uint16_t port) {
  // Every set loses `port` where another port remains; sets are shared by the
  // attachments that use them, so this is one pass over the sets.
  std::vector<uint16_t> rebuilt;
  std::vector<bool> only(sets_.size(), false);
  rebuilt.reserve(ports_.size());
  for (size_t i = 0; i < sets_.size(); ++i) {
    Set& s = sets_[i];
    const auto first = ports_.begin() + s.offset;
    const auto last = first + s.count;
    const bool has = std::find(first, last, port) != last;
    const auto offset = static_cast<uint32_t>(rebuilt.size());
    if (has && s.count == 1) {
      only[i] = true;
      rebuilt.push_back(port);
    } else {
      for (auto it = first; it != last; ++it) {
        if (*it != port) rebuilt.push_back(*it);
      }
    }
    s.count = static_cast<uint32_t>(rebuilt.size()) - offset;
    s.offset = offset;
  }
  ports_ = std::move(rebuilt);
  std::vector<uint32_t> alone;
  for (uint32_t a = 0; a < attachments_; ++a) {
    if (a == own_) continue;
    const uint32_t s = set_of(a);
    if (s != kNone && only[s]) alone.push_back(a);
  }
  return alone;
}

std::vector<uint32_t> ForwardingTable::remove_port_for(uint16_t port,
                                                       std::span<const uint32_t> attachments) {
  densify();
  std::vector<uint32_t> alone;
  std::vector<uint16_t> rest;
  for (uint32_t a : attachments) {
    if (a >= attachments_ || a == own_ || entry_[a] == kNone) continue;
    const Set s = sets_[entry_[a]];
    const auto first = ports_.begin() + s.offset;
    const auto last = first + s.count;
    if (std::find(first, last, port) == last) continue;  // not routed through `port`
    if (s.count == 1) {
      alone.push_back(a);
      continue;
    }
    rest.clear();
    for (auto it = first; it != last; ++it) {
      if (*it != port) rest.push_back(*it);
    }
    entry_[a] = intern(rest);
  }
  return alone;
}

size_t ForwardingTable::memory() const {
  return entry_.capacity() * sizeof(uint32_t) + exceptions_.capacity() * sizeof(exceptions_[0]) +
         local_.capacity() * sizeof(local_[0]) + sets_.capacity() * sizeof(Set) +
         ports_.capacity() * sizeof(uint16_t) + detour_of_.capacity() * sizeof(Set) +
         detour_ports_.capacity() * sizeof(uint16_t);
}

}  // namespace aifabric
