// A switch's egress as a load balancer sees it, set by hand: queue bytes and link rate
// per port (400 Gbps unless changed). For the balancers' unit tests.
#pragma once

#include <cstdint>
#include <vector>

#include "aifabric/lb/load_balancer.h"

namespace aifabric::testing {

class FakeView final : public EgressView {
 public:
  explicit FakeView(size_t ports) : queue(ports, 0), rate(ports, BitRate::gbps(400)) {}
  int64_t queue_bytes(uint16_t port) const override { return queue[port]; }
  BitRate port_rate(uint16_t port) const override { return rate[port]; }
  std::vector<int64_t> queue;
  std::vector<BitRate> rate;
};

}  // namespace aifabric::testing
