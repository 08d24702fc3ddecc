// The load-balancing interface: a switch asks its balancer which of the equal-cost
// egress ports a packet takes. One implementation per folder under lb/, registered in
// lb/registry.cc. Called once per packet per switch with more than one candidate.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string_view>
#include <type_traits>
#include <vector>

#include "aifabric/core/params.h"
#include "aifabric/core/registry.h"
#include "aifabric/core/units.h"
#include "aifabric/lb/sender/path_selection.h"
#include "aifabric/net/packet.h"

namespace aifabric {

// What a balancer may observe of its switch (adaptive schemes use queue depths).
class EgressView {
 public:
  virtual int64_t queue_bytes(uint16_t port) const = 0;
  virtual BitRate port_rate(uint16_t port) const = 0;
  // A controller's weight for `port` towards host `dst` (0: none set).
  virtual uint64_t path_weight(uint32_t /*dst*/, uint16_t /*port*/) const { return 0; }
  // The ports a non-minimal route towards host `dst` may take (empty unless the
  // topology's routing offers them: dragonfly+), for non-minimal balancers
  // (lb/valiant/). A switch with any consults its balancer even for a single candidate.
  virtual std::span<const uint16_t> detours(uint32_t /*dst*/) const { return {}; }

 protected:
  ~EgressView() = default;
};

class LoadBalancer {
 public:
  virtual ~LoadBalancer() = default;
  virtual uint16_t choose(const Packet& p, std::span<const uint16_t> candidates,
                          const EgressView& view, Time now) = 0;
};

struct LbAlgorithm : Member {
  // `seed` is the switch's own seed, so that switches hash differently.
  std::unique_ptr<LoadBalancer> (*make)(const Params& params, uint64_t seed) = nullptr;
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

struct LbTraits {
  bool planned = false;
  bool reorders = false;
};

// The registry entry of balancer `Impl`, constructed as Impl(const P&, seed) (or
// Impl(seed) when it takes no parameters). `Sender`, if given, is the sender-side
// part: void(const P&, PathSelection&).
template <class P, class Impl, auto Sender = nullptr>
LbAlgorithm lb_member(std::string_view name, std::string_view doc, LbTraits traits = {}) {
  LbAlgorithm a;
  a.name = name;
  a.doc = doc;
  a.make_params = &make_params_of<P>;
  a.make = [](const Params& p, uint64_t seed) -> std::unique_ptr<LoadBalancer> {
    if constexpr (std::is_constructible_v<Impl, const P&, uint64_t>) {
      return std::make_unique<Impl>(params_as<P>(p), seed);
    } else {
      return std::make_unique<Impl>(seed);
    }
  };
  if constexpr (!std::is_same_v<decltype(Sender), std::nullptr_t>) {
    a.sender = [](const Params& p, PathSelection& out) { Sender(params_as<P>(p), out); };
  }
  a.planned = traits.planned;
  a.reorders = traits.reorders;
  return a;
}

const Registry<LbAlgorithm>& lb_algorithms();
inline const LbAlgorithm* find_lb_algorithm(std::string_view name) {
  return lb_algorithms().find(name);
}

}  // namespace aifabric
