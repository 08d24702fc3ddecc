// A switch's forwarding table: for each destination host, the set of egress ports on a
// shortest path. Compact where the structure is regular: every host hangs off one
// switch (its attachment), and a switch reaches all the hosts of another attachment
// through the same ports, so rows are kept per attachment, not per host (hosts/leaf
// times fewer), and a row that is mostly one set (a leaf's uplinks) is stored as that
// default plus its exceptions. Hosts attached to this switch have a port each. Identical
// port sets are stored once. Exact for any graph: only the storage depends on it.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <utility>
#include <vector>

namespace aifabric {

class ForwardingTable {
 public:
  static constexpr uint32_t kNone = 0xffffffffU;
  // `attachment[host]`: the index of the switch the host hangs off (kNone when it hangs
  // off no switch), shared by every table of a fabric; `attachments` counts them;
  // `own`: this switch's own index (kNone if no host hangs off it).
  void init(std::shared_ptr<const std::vector<uint32_t>> attachment, uint32_t attachments,
            uint32_t own);
  // The ports towards every host that hangs off attachment `a` (a != own).
  void set_attachment(uint32_t a, const std::vector<uint16_t>& ports);
  // The port to `host`, which hangs off this switch.
  void set_local(uint32_t host, uint16_t port);
  // The ports of a non-minimal route towards the hosts of attachment `a` (they may
  // include shortest-path ports), kept apart from the shortest
  // paths: only a non-minimal balancer (lb/valiant/) reads them, through the switch's
  // EgressView. Set by a topology's routing policy (dragonfly+); none by default. Fault
  // repair (remove_port) does not prune them.
  void set_detours(uint32_t a, const std::vector<uint16_t>& ports);
  bool has_detours() const { return !detour_of_.empty(); }
  std::span<const uint16_t> detours(uint32_t dst) const {
    if (detour_of_.empty()) return {};
    const uint32_t a = (*attachment_)[dst];
    if (a == kNone || detour_of_[a].count == 0) return {};
    return {detour_ports_.data() + detour_of_[a].offset, detour_of_[a].count};
  }
  // Chooses the storage once every row is set.
  void finish();

  std::span<const uint16_t> next_hops(uint32_t dst) const {
    const uint32_t a = (*attachment_)[dst];
    if (a == own_) return local(dst);
    const uint32_t s = dense_ ? entry_[a] : sparse(a);
    if (s == kNone) return {};
    return {ports_.data() + sets_[s].offset, sets_[s].count};
  }
  uint32_t hosts() const { return attachment_ ? static_cast<uint32_t>(attachment_->size()) : 0; }
  uint32_t attachments() const { return attachments_; }
  // The attachment `host` hangs off (kNone: none).
  uint32_t attachment_of(uint32_t host) const { return (*attachment_)[host]; }
  // The ports towards the hosts of attachment `a` (empty for this switch's own).
  std::span<const uint16_t> ports_to(uint32_t a) const {
    const uint32_t s = a == own_ ? kNone : set_of(a);
    if (s == kNone) return {};
    return {ports_.data() + sets_[s].offset, sets_[s].count};
  }

  // Fast repair (fault/). Local: `port` leaves every set that has another port (every
  // ECMP group it is in, as a switch prunes a dead member); returns the attachments
  // whose only port it is, which local repair cannot help. Remote: the same for the
  // listed attachments only; returns those among them that `port` alone reaches.
  std::vector<uint32_t> remove_port(uint16_t port);
  std::vector<uint32_t> remove_port_for(uint16_t port, std::span<const uint32_t> attachments);
  // Bytes held by this table (not counting the shared attachment array).
  size_t memory() const;

 private:
  struct Set {
    uint32_t offset;
    uint32_t count;
  };
  uint32_t intern(const std::vector<uint16_t>& ports);
  uint32_t sparse(uint32_t a) const;
  uint32_t set_of(uint32_t a) const { return dense_ ? entry_[a] : sparse(a); }
  void densify();
  std::span<const uint16_t> local(uint32_t host) const;

  std::shared_ptr<const std::vector<uint32_t>> attachment_;
  uint32_t own_ = kNone;
  uint32_t attachments_ = 0;
  bool dense_ = true;
  std::vector<uint32_t> entry_;  // dense: set per attachment (while building, always)
  uint32_t default_ = kNone;     // sparse: the set of every attachment not listed
  std::vector<std::pair<uint32_t, uint32_t>> exceptions_;  // sparse: (attachment, set)
  std::vector<std::pair<uint32_t, uint16_t>> local_;       // (host, port), by host
  std::vector<Set> sets_;
  std::vector<uint16_t> ports_;
  std::vector<Set> detour_of_;  // per attachment when any is set, else empty
  std::vector<uint16_t> detour_ports_;
};

}  // namespace aifabric
