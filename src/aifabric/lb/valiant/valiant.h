// Non-minimal routing for dragonfly-like fabrics, per packet (Valiant, "A scheme for fast
// parallel communication", 1982; UGAL: Singh, PhD thesis 2005; on dragonflies: Kim et
// al., ISCA 2008). The decision is taken where the switch offers non-minimal ports
// (EgressView::detours, from the topology's routing: dragonfly+ leaves' other uplinks,
// spines' other global links) and the packet is still in its source group: forwarded by
// at most one switch before (`Packet::hops` <= 1: the source leaf and the first spine).
//   valiant: a uniformly random port of the non-minimal set (a leaf's uplinks, a
//     spine's global links), so the packet leaves on a random global link of its group
//     to a random intermediate group, from where every switch routes it minimally (it
//     has hops >= 2).
//   ugal: the least-loaded minimal port unless a random non-minimal port's queueing delay
//     times nonminimal_hops is smaller than the minimal one's times minimal_hops.
// Elsewhere (and with no detours) a random least-loaded minimal port. The flow-level
// engine does not model detours (it splits evenly over the minimal ports).
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

#include "aifabric/core/random.h"
#include "aifabric/lb/load_balancer.h"

namespace aifabric {

struct ValiantParams final : ParamsOf<ValiantParams> {
  static constexpr std::array<std::string_view, 2> kModes{"valiant", "ugal"};
  int mode = 0;
  double minimal_hops = 1;
  double nonminimal_hops = 2;
  void visit(ParamVisitor& v) override {
    v.choice("mode", mode, kModes,
             "valiant: a random minimal or non-minimal port in the source group (random "
             "intermediate group); ugal: non-minimal only when its queue x hops is smaller");
    v.param("minimal_hops", minimal_hops,
            "ugal: the weight of a minimal port's queueing delay (global hops of the minimal "
            "route)",
            Range{0.001, 1000});
    v.param("nonminimal_hops", nonminimal_hops,
            "ugal: the weight of a non-minimal port's queueing delay (global hops of the "
            "non-minimal route)",
            Range{0.001, 1000});
  }
  Status validate() const override {
    if (nonminimal_hops < minimal_hops) {
      return Status::error(
          "nonminimal_hops: a non-minimal route is not shorter than the minimal "
          "one (nonminimal_hops < minimal_hops)");
    }
    return Status::ok();
  }
};

class Valiant final : public LoadBalancer {
 public:
  Valiant(const ValiantParams& params, uint64_t seed)
      : ugal_(params.mode == 1),
        min_hops_(params.minimal_hops),
        nonmin_hops_(params.nonminimal_hops),
        rng_(seed) {}
  uint16_t choose(const Packet& p, std::span<const uint16_t> candidates, const EgressView& view,
                  Time now) override;

 private:
  uint16_t least_loaded(std::span<const uint16_t> ports, const EgressView& view);
  bool ugal_;
  double min_hops_;
  double nonmin_hops_;
  RandomStream rng_;
};

}  // namespace aifabric
