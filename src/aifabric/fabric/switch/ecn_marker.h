// ECN marking at dequeue, RED-style on the egress queue's depth: none below k_min,
// every packet above k_max, probability p_max x (depth - k_min) / (k_max - k_min) in
// between, from the switch's own random stream. Thresholds per egress port and
// priority, from the port's link rate (switch.ecn.by_rate) or the switch-wide values.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <utility>
#include <vector>

#include "aifabric/core/random.h"
#include "aifabric/fabric/switch/switch_config.h"
#include "aifabric/net/packet.h"
#include "aifabric/net/port.h"

namespace aifabric {

class EcnMarker {
 public:
  struct Thresholds {
    int64_t k_min, k_max;
    double p_max;
  };

  EcnMarker(const EcnConfig& cfg, RandomStream rng)
      : enabled_(cfg.enabled),
        tuned_(cfg.tuning.selected().make != nullptr),
        default_{cfg.k_min.count(), cfg.k_max.count(), cfg.p_max},
        rng_(rng) {
    for (const EcnRule& r : cfg.by_rate) {
      rules_.push_back({r.rate, r.priority, {r.k_min.count(), r.k_max.count(), r.p_max}});
    }
  }

  // Called once per egress port, in port order, with its link rate.
  void add_port(BitRate rate) {
    if (rules_.empty() && !tuned_) return;  // one setting for every port: no table
    std::array<Thresholds, 8> t;
    t.fill(default_);
    // Rules for every priority first, then those naming one, which win.
    for (int pass = 0; pass < 2; ++pass) {
      for (const Rule& r : rules_) {
        if (r.rate != rate || (r.priority >= 0) != (pass == 1)) continue;
        if (r.priority < 0) {
          t.fill(r.t);
        } else {
          t[static_cast<size_t>(r.priority)] = r.t;
        }
      }
    }
    per_port_.push_back(t);
    if (tuned_) {
      base_.push_back(t);
      max_depth_.push_back(0);
    }
  }

  // Tuning: port `port`'s thresholds become its configured ones scaled by `scale`.
  void retune(uint16_t port, double scale) {
    for (size_t i = 0; i < 8; ++i) {
      const Thresholds& b = base_[port][i];
      per_port_[port][i] = {static_cast<int64_t>(static_cast<double>(b.k_min) * scale),
                            static_cast<int64_t>(static_cast<double>(b.k_max) * scale), b.p_max};
    }
  }
  // Tuning: the deepest queue `port` showed at a dequeue since the last call.
  int64_t take_max_depth(uint16_t port) { return std::exchange(max_depth_[port], 0); }

  // The thresholds `port` applies to `priority`.
  const Thresholds& thresholds(uint16_t port, uint8_t priority) const {
    return per_port_.empty() ? default_ : per_port_[port][priority & 7];
  }

  // `p` leaves egress `port`'s queue, which held `depth` bytes (itself included); marks
  // it CE (and counts the mark on `counters`) if it is ECN-capable and the queue says so.
  void on_dequeue(Packet* p, uint16_t port, int64_t depth, PortCounters& counters) {
    if (tuned_) max_depth_[port] = std::max(max_depth_[port], depth);
    if (!enabled_ || !p->ecn_capable) return;
    const Thresholds& t = thresholds(port, p->priority);
    if (depth <= t.k_min) return;
    bool mark = depth > t.k_max;
    if (!mark) {
      const double prob = t.p_max * static_cast<double>(depth - t.k_min) /
                          static_cast<double>(std::max<int64_t>(t.k_max - t.k_min, 1));
      mark = rng_.bernoulli(prob);
    }
    if (mark && !p->ecn_ce) {
      p->ecn_ce = true;
      ++counters.ecn_marked;
    }
  }

 private:
  struct Rule {
    BitRate rate;
    int64_t priority;
    Thresholds t;
  };
  bool enabled_;
  bool tuned_;  // a tuning policy moves the thresholds: per-port tables and depths
  Thresholds default_;
  std::vector<Rule> rules_;
  std::vector<std::array<Thresholds, 8>> per_port_;  // empty: default_ everywhere
  std::vector<std::array<Thresholds, 8>> base_;      // tuning: the configured values
  std::vector<int64_t> max_depth_;                   // tuning: per port, this period
  RandomStream rng_;
};

}  // namespace aifabric
