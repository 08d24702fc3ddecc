// ECN marking at dequeue, RED-style on the egress queue's depth: none below k_min,
// every packet above k_max, probability p_max x (depth - k_min) / (k_max - k_min) in
// between, from the switch's own random stream.
#pragma once

#include <algorithm>
#include <cstdint>

#include "aifabric/core/random.h"
#include "aifabric/fabric/switch/switch_config.h"
#include "aifabric/net/packet.h"
#include "aifabric/net/port.h"

namespace aifabric {

class EcnMarker {
 public:
  EcnMarker(const EcnConfig& cfg, RandomStream rng)
      : enabled_(cfg.enabled),
        k_min_(cfg.k_min.count()),
        k_max_(cfg.k_max.count()),
        p_max_(cfg.p_max),
        rng_(rng) {}
  // `p` leaves a queue that held `depth` bytes (itself included); marks it CE (and
  // counts the mark on `counters`) if it is ECN-capable and the queue says so.
  void on_dequeue(Packet* p, int64_t depth, PortCounters& counters) {
    if (!enabled_ || !p->ecn_capable || depth <= k_min_) return;
    bool mark = depth > k_max_;
    if (!mark) {
      const double prob = p_max_ * static_cast<double>(depth - k_min_) /
                          static_cast<double>(std::max<int64_t>(k_max_ - k_min_, 1));
      mark = rng_.bernoulli(prob);
    }
    if (mark && !p->ecn_ce) {
      p->ecn_ce = true;
      ++counters.ecn_marked;
    }
  }

 private:
  bool enabled_;
  int64_t k_min_, k_max_;
  double p_max_;
  RandomStream rng_;
};

}  // namespace aifabric
