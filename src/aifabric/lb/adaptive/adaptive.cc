#include "aifabric/lb/adaptive/adaptive.h"

#include <array>

#include "aifabric/lb/ecmp/ecmp.h"

namespace aifabric {
namespace {

struct Load {
  int64_t bytes;
  int64_t bps;  // <= 0: the port cannot send, its load is infinite
};

Load load_of(uint16_t port, const EgressView& view) {
  return {view.queue_bytes(port), view.port_rate(port).bits_per_second()};
}

// Orders loads by queueing delay bytes / rate, exactly: cross-multiplied in 128 bits,
// where products of two int64 cannot overflow. Negative: a is less loaded.
int compare(Load a, Load b) {
  if (a.bps == b.bps && a.bps > 0) return (a.bytes > b.bytes) - (a.bytes < b.bytes);
  if (a.bps <= 0 || b.bps <= 0) {
    if (a.bps <= 0 && b.bps <= 0) return (a.bytes > b.bytes) - (a.bytes < b.bytes);
    return a.bps <= 0 ? 1 : -1;
  }
  const int128 l = static_cast<int128>(a.bytes) * b.bps;
  const int128 r = static_cast<int128>(b.bytes) * a.bps;
  return (l > r) - (l < r);
}

// Whether `hashed` holds more than `threshold` bytes beyond what it would hold at the
// least-loaded port's delay: bytes_h - bytes_m * bps_h / bps_m > threshold.
bool exceeds(Load hashed, Load least, int64_t threshold) {
  if (hashed.bps <= 0) return least.bps > 0 || hashed.bytes - least.bytes > threshold;
  if (least.bps <= 0) return hashed.bytes - least.bytes > threshold;  // not reached
  const int128 excess =
      static_cast<int128>(hashed.bytes) * least.bps - static_cast<int128>(least.bytes) * hashed.bps;
  return excess > static_cast<int128>(threshold) * least.bps;
}

}  // namespace

void AdaptiveParams::visit(ParamVisitor& v) {
  v.param("threshold", threshold,
          "0 = every packet takes the egress with the least queueing delay (queued bytes / "
          "link rate), ties random; above 0 a packet stays on its ECMP-hashed port unless "
          "that port's queue exceeds the least-loaded one's (scaled to equal delay) by more "
          "than this many bytes");
}

Status AdaptiveParams::validate() const {
  if (threshold < Bytes(0)) return Status::error("threshold must not be negative");
  return Status::ok();
}

Adaptive::Adaptive(const AdaptiveParams& params, uint64_t seed)
    : threshold_(params.threshold.count()), seed_(seed), rng_(seed ^ hash_name("adaptive")) {}

uint16_t Adaptive::choose(const Packet& p, std::span<const uint16_t> candidates,
                          const EgressView& view, Time /*now*/) {
  // The loads of the first kCached candidates stay on the stack for the second pass.
  constexpr size_t kCached = 256;
  std::array<Load, kCached> cached;
  const size_t n = candidates.size();
  Load best{};
  size_t best_index = 0;
  uint64_t ties = 0;
  for (size_t i = 0; i < n; ++i) {
    const Load l = load_of(candidates[i], view);
    if (i < kCached) cached[i] = l;
    const int c = i == 0 ? -1 : compare(l, best);
    if (c < 0) {
      best = l;
      best_index = i;
      ties = 1;
    } else if (c == 0) {
      ++ties;
    }
  }
  if (threshold_ > 0) {
    const uint16_t hashed = Ecmp::pick(p.entropy, seed_, candidates);
    if (!exceeds(load_of(hashed, view), best, threshold_)) return hashed;
  }
  if (ties == 1) return candidates[best_index];
  // A uniformly random one of the tied least-loaded ports.
  uint64_t k = rng_.below(ties);
  for (size_t i = 0; i < n; ++i) {
    const Load l = i < kCached ? cached[i] : load_of(candidates[i], view);
    if (compare(l, best) == 0 && k-- == 0) return candidates[i];
  }
  return candidates[0];  // not reached
}

}  // namespace aifabric
