#include "aifabric/transport/cc/eqds/eqds.h"

#include <algorithm>

namespace aifabric {

namespace {

// The packets of an initial window of `bytes` payload (rounded up: a partial BDP still
// needs its packet).
int64_t packets_of(int64_t bytes, int64_t mtu) {
  return std::max<int64_t>(1, (bytes + mtu - 1) / mtu);
}

}  // namespace

Eqds::Eqds(const EqdsParams& p, BitRate line, CcContext& ctx) : line_(line) {
  int64_t iw = p.initial_window.count();
  if (iw == 0) {
    // bytes = bit/s x ps / (8 x 1e12), in 128 bits: 400 Gb/s x 12.5 us is 5e18 bit ps.
    iw = static_cast<int64_t>(static_cast<int128>(line.bits_per_second()) * p.base_rtt.ps() /
                              (int128{8} * 1'000'000'000'000));
  }
  initial_credits_ = packets_of(iw, ctx.mtu().count());
}

}  // namespace aifabric
