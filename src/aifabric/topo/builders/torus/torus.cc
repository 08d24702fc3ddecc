#include "aifabric/topo/builders/torus/torus.h"

#include <algorithm>
#include <array>
#include <memory>
#include <string>

namespace aifabric {
namespace {

// Dimension-order routing over the builder's numbering (torus.h).
class DimensionOrder final : public RoutePolicy {
 public:
  DimensionOrder(std::vector<int64_t> dims, uint32_t first_switch, bool split_ties)
      : dims_(std::move(dims)), first_(first_switch), split_(split_ties) {}

  void restrict(const TopologyGraph& g, uint32_t node, uint32_t dst,
                std::vector<uint16_t>& ports) const override {
    if (node < first_ || dst < first_) return;
    const auto at = coords(node - first_);
    const auto to = coords(dst - first_);
    size_t d = 0;
    while (d < dims_.size() && at[d] == to[d]) ++d;
    if (d == dims_.size()) return;
    const int64_t n = dims_[d];
    const int64_t fwd = ((to[d] - at[d]) % n + n) % n;
    const bool plus = fwd <= n - fwd;
    const bool minus = fwd > n - fwd || (fwd == n - fwd && split_);
    const uint32_t up = neighbour(node - first_, d, +1) + first_;
    const uint32_t down = neighbour(node - first_, d, -1) + first_;
    std::vector<uint16_t> kept;
    for (uint16_t p : ports) {
      const uint32_t peer = g.adjacent(node)[p].peer;
      if ((plus && peer == up) || (minus && peer == down)) kept.push_back(p);
    }
    // A failed ring link leaves no DOR port: keep every minimum-hop port rather than
    // blackhole (recovery routes around the failure).
    if (!kept.empty()) ports.swap(kept);
  }

 private:
  std::array<int64_t, 3> coords(int64_t s) const {
    std::array<int64_t, 3> c{0, 0, 0};
    for (size_t d = 0; d < dims_.size(); ++d) {
      c[d] = s % dims_[d];
      s /= dims_[d];
    }
    return c;
  }
  uint32_t neighbour(int64_t s, size_t d, int64_t step) const {
    int64_t stride = 1;
    for (size_t i = 0; i < d; ++i) stride *= dims_[i];
    const int64_t n = dims_[d];
    const int64_t x = (s / stride) % n;
    return static_cast<uint32_t>(s + (((x + step) % n + n) % n - x) * stride);
  }

  std::vector<int64_t> dims_;
  uint32_t first_;
  bool split_;
};

}  // namespace

int64_t TorusConfig::switches() const {
  int64_t s = 1;
  for (int64_t n : dims) s *= n;
  return s;
}

Status TorusConfig::validate() const {
  if (dims.size() != 2 && dims.size() != 3) {
    return Status::error("dims: a torus needs 2 or 3 dimensions, got " +
                         std::to_string(dims.size()));
  }
  for (int64_t n : dims) {
    if (n < 2) return Status::error("dims: every dimension needs at least 2 switches");
  }
  if (switches() > 1'000'000) return Status::error("dims: more than 1,000,000 switches");
  if (switches() * hosts_per_switch > 10'000'000) {
    return Status::error("hosts_per_switch: more than 10,000,000 hosts");
  }
  if (hosts_per_switch + 2 * static_cast<int64_t>(dims.size()) > 65535) {
    return Status::error("hosts_per_switch: a switch would need more than 65535 ports");
  }
  return Status::ok();
}

TopologySize torus_size(const TorusConfig& c) {
  const auto s = static_cast<uint64_t>(c.switches());
  const auto hosts = s * static_cast<uint64_t>(c.hosts_per_switch);
  uint64_t links = hosts;
  for (int64_t n : c.dims) links += n > 2 ? s : s / 2;
  return {hosts, s, links, s};
}

TopologyGraph build_torus(const TorusConfig& c) {
  TopologyGraph g;
  const int64_t sw = c.switches();
  const int64_t hosts = sw * c.hosts_per_switch;
  for (int64_t h = 0; h < hosts; ++h) g.add_node(NodeKind::kHost, "host" + std::to_string(h), 0);
  const auto first = static_cast<uint32_t>(hosts);
  for (int64_t s = 0; s < sw; ++s) {
    std::string name = "sw";
    int64_t rest = s;
    for (int64_t n : c.dims) {
      name += "_" + std::to_string(rest % n);
      rest /= n;
    }
    g.add_node(NodeKind::kSwitch, name, 1);
  }
  for (int64_t h = 0; h < hosts; ++h) {
    g.add_link(static_cast<uint32_t>(h), first + static_cast<uint32_t>(h / c.hosts_per_switch),
               c.host_link.link());
  }
  int64_t stride = 1;
  for (int64_t n : c.dims) {
    for (int64_t s = 0; s < sw; ++s) {
      const int64_t x = (s / stride) % n;
      if (n == 2 && x == 1) continue;  // a ring of two: one link
      const int64_t peer = s + ((x + 1) % n - x) * stride;
      g.add_link(first + static_cast<uint32_t>(s), first + static_cast<uint32_t>(peer),
                 c.fabric_link.link());
    }
    stride *= n;
  }
  g.set_route_policy(std::make_shared<DimensionOrder>(c.dims, first, c.split_ties));
  return g;
}

}  // namespace aifabric
