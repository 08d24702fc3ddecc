// The load-balancing interface: a switch asks its balancer which of the equal-cost
// egress ports a packet takes. One implementation per folder under lb/, registered in
// lb/registry.cc. Called once per packet per switch with more than one candidate.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "aifabric/core/params.h"
#include "aifabric/core/units.h"
#include "aifabric/net/packet.h"

namespace aifabric {

// What a balancer may observe of its switch (adaptive schemes use queue depths).
class EgressView {
 public:
  virtual int64_t queue_bytes(uint16_t port) const = 0;

 protected:
  ~EgressView() = default;
};

class LoadBalancer {
 public:
  virtual ~LoadBalancer() = default;
  virtual uint16_t choose(const Packet& p, std::span<const uint16_t> candidates,
                          const EgressView& view, Time now) = 0;
};

struct LbAlgorithm {
  std::string_view name;
  std::string_view doc;
  std::unique_ptr<Params> (*make_params)();
  // `seed` is the switch's own seed, so that switches hash differently.
  std::unique_ptr<LoadBalancer> (*make)(const Params& params, uint64_t seed);
};

std::span<const LbAlgorithm> lb_algorithms();
const LbAlgorithm* find_lb_algorithm(std::string_view name);

}  // namespace aifabric
