// A message's completion time alone on an idle path: the store-and-forward pipeline of
// its MTU-sized packets over the path's links (each packet serialized hop by hop at
// each link's rate, plus the propagation delays), plus the return of the last ACK.
#pragma once

#include <cstdint>
#include <span>

#include "aifabric/core/units.h"
#include "aifabric/net/link.h"

namespace aifabric {

Time ideal_fct(std::span<const LinkParams> path, int64_t size, int64_t mtu);

// What a message's time on the path is beyond draining its bytes at the bottleneck:
// the first packet's (min(size, mtu) bytes) store-and-forward pipeline and the ACK's
// return, less that packet's serialization at the slowest hop. The flow level adds it
// to every flow; >= 0.
Time path_latency(std::span<const LinkParams> path, int64_t size, int64_t mtu);

}  // namespace aifabric
