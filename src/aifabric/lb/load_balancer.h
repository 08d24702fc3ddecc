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
#include "aifabric/transport/path_selection.h"

namespace aifabric {

// What a balancer may observe of its switch (adaptive schemes use queue depths).
class EgressView {
 public:
  virtual int64_t queue_bytes(uint16_t port) const = 0;
  virtual BitRate port_rate(uint16_t port) const = 0;

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
  // Sender-side part, if any: how the NICs choose each packet's source port (packet
  // spraying). Null = one fixed port per queue pair.
  void (*sender)(const Params& params, PathSelection& out) = nullptr;
  // A controller plans every flow's path before the run and sets its source port so
  // that the switches' ECMP hash takes that path (the switches run plain ECMP).
  bool planned = false;
  // Packets of one flow may take different paths and arrive out of order (receivers
  // then need transport.recovery: selective).
  bool reorders = false;
};

std::span<const LbAlgorithm> lb_algorithms();
const LbAlgorithm* find_lb_algorithm(std::string_view name);

}  // namespace aifabric
