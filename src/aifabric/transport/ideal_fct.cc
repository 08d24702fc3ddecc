#include "aifabric/transport/ideal_fct.h"

#include <algorithm>

#include "aifabric/net/packet.h"
#include "aifabric/transport/flow_spec.h"

namespace aifabric {

Time ideal_fct(std::span<const LinkParams> path, int64_t size, int64_t mtu) {
  const auto n = static_cast<int64_t>(packet_count(size, static_cast<uint64_t>(mtu)));
  const auto full = static_cast<int64_t>(mtu + kRoceHeaderBytes + kL1OverheadBytes);
  const int64_t last = size - (n - 1) * mtu + kRoceHeaderBytes + kL1OverheadBytes;
  // Uniform packets 1..n-1: the (n-1)-th arrives after hop i at
  //   sum_{m<=i}(T_m + d_m) + (n-2) * max_{m<=i} T_m.
  // The last packet then follows hop by hop behind it.
  Time sum;
  Time slowest;
  Time last_arrival;
  for (const LinkParams& l : path) {
    const Time t_full = l.rate.transmit_time(full);
    sum += t_full + l.delay;
    slowest = std::max(slowest, t_full);
    const Time prev_pkt = n >= 2 ? sum + slowest * (n - 2) : Time::zero();
    // Start of the last packet on this hop: it must have arrived, and the hop must
    // have finished the previous packet (which arrived at prev_pkt after d).
    const Time start = std::max(last_arrival, n >= 2 ? prev_pkt - l.delay : Time::zero());
    last_arrival = start + l.rate.transmit_time(last) + l.delay;
  }
  Time ack_return;
  for (const LinkParams& l : path) ack_return += l.rate.transmit_time(kAckWireBytes) + l.delay;
  return last_arrival + ack_return;
}

Time path_latency(std::span<const LinkParams> path, int64_t size, int64_t mtu) {
  if (path.empty()) return Time::zero();
  const int64_t first = std::min<int64_t>(std::max<int64_t>(size, 1), mtu);
  BitRate slowest = path.front().rate;
  for (const LinkParams& l : path) slowest = std::min(slowest, l.rate);
  const Time t = ideal_fct(path, first, mtu) -
                 slowest.transmit_time(first + kRoceHeaderBytes + kL1OverheadBytes);
  return std::max(t, Time::zero());
}

}  // namespace aifabric
