#include "aifabric/lb/wcmp/wcmp.h"

#include <array>

#include "aifabric/lb/ecmp/ecmp.h"

namespace aifabric {

void WcmpParams::visit(ParamVisitor& v) {
  v.param("weights", weights,
          "explicit weight per switch port number (first value = port 0), the same list at "
          "every switch; ports past the end weigh 0; empty = each port's link rate (bit/s)",
          Range{0, 1e12});
}

Status WcmpParams::validate() const {
  bool any = weights.empty();
  for (int64_t w : weights) {
    if (w < 0) return Status::error("weights must not be negative");
    any = any || w > 0;
  }
  if (!any) return Status::error("weights: at least one must be positive");
  return Status::ok();
}

Wcmp::Wcmp(const WcmpParams& params, uint64_t seed) : weights_(params.weights), seed_(seed) {}

uint64_t Wcmp::weight(uint32_t dst, uint16_t port, const EgressView& view) const {
  if (weights_.empty()) {
    // A controller's path weights (after a fault changed a rate), else the port's rate.
    if (const uint64_t w = view.path_weight(dst, port); w > 0) return w;
    const int64_t bps = view.port_rate(port).bits_per_second();
    return bps > 0 ? static_cast<uint64_t>(bps) : 0;
  }
  return port < weights_.size() ? static_cast<uint64_t>(weights_[port]) : 0;
}

uint16_t Wcmp::choose(const Packet& p, std::span<const uint16_t> candidates, const EgressView& view,
                      Time /*now*/) {
  // The weights of the first kCached candidates stay on the stack, so the view is read
  // once per candidate. Totals stay far below 2^64: hundreds of ports x 1e12.
  constexpr size_t kCached = 256;
  std::array<uint64_t, kCached> cached;
  const size_t n = candidates.size();
  const uint64_t first = weight(p.dst, candidates[0], view);
  uint64_t total = 0;
  bool equal = true;
  for (size_t i = 0; i < n; ++i) {
    const uint64_t w = i == 0 ? first : weight(p.dst, candidates[i], view);
    if (i < kCached) cached[i] = w;
    equal = equal && w == first;
    total += w;
  }
  // Equal weights: the slice below would be floor(h * n * w / 2^64) / w =
  // floor(h * n / 2^64), exactly ECMP's pick. No weight at all: share equally rather
  // than black-hole the traffic.
  if (equal || total == 0) return Ecmp::pick(p.entropy, seed_, candidates);
  // The hash scaled to [0, total) lands in one port's slice of the cumulative weights.
  const uint64_t h = mix64(p.entropy ^ seed_);
  uint64_t target = static_cast<uint64_t>((static_cast<uint128>(h) * total) >> 64);
  for (size_t i = 0; i < n; ++i) {
    const uint64_t w = i < kCached ? cached[i] : weight(p.dst, candidates[i], view);
    if (target < w) return candidates[i];
    target -= w;
  }
  return candidates.back();  // not reached: target < total
}

}  // namespace aifabric
