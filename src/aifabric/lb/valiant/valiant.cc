#include "aifabric/lb/valiant/valiant.h"

namespace aifabric {
namespace {

// Queueing delay of a port in seconds (a port that cannot send: infinite).
double delay(uint16_t port, const EgressView& view) {
  const int64_t bps = view.port_rate(port).bits_per_second();
  if (bps <= 0) return 1e300;
  return static_cast<double>(view.queue_bytes(port)) * 8.0 / static_cast<double>(bps);
}

}  // namespace

uint16_t Valiant::least_loaded(std::span<const uint16_t> ports, const EgressView& view) {
  double best = 0;
  uint64_t ties = 0;
  uint16_t pick = ports[0];
  for (uint16_t port : ports) {
    const double d = delay(port, view);
    if (ties == 0 || d < best) {
      best = d;
      ties = 1;
      pick = port;
    } else if (d == best && rng_.below(++ties) == 0) {
      pick = port;  // reservoir: a uniform choice among the tied
    }
  }
  return pick;
}

uint16_t Valiant::choose(const Packet& p, std::span<const uint16_t> candidates,
                         const EgressView& view, Time /*now*/) {
  const std::span<const uint16_t> detours =
      p.hops <= 1 ? view.detours(p.dst) : std::span<const uint16_t>{};
  if (detours.empty()) return least_loaded(candidates, view);
  if (!ugal_) return detours[rng_.below(detours.size())];
  const uint16_t minimal = least_loaded(candidates, view);
  const uint16_t other = detours[rng_.below(detours.size())];
  return delay(minimal, view) * min_hops_ <= delay(other, view) * nonmin_hops_ ? minimal : other;
}

}  // namespace aifabric
