// Link-load imbalance per tier: how unevenly a load-balancing scheme spread the bytes
// over links that could have shared them. Links are grouped by direction between tiers
// (leaf->spine, spine->leaf, ...); failed links are left out.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "aifabric/fabric/records.h"
#include "aifabric/topo/graph.h"

namespace aifabric {

struct Imbalance {
  size_t links = 0;
  double mean = 0, min = 0, max = 0;  // utilization, percent of line rate
  double max_over_min = 0;            // infinity when the idlest link carried nothing
  double max_over_mean = 0;
  double spread_over_mean = 0;  // (max - min) / mean
  double cv = 0;                // standard deviation / mean
};

Imbalance imbalance_of(std::span<const double> values);

struct TierImbalance {
  std::string tiers;  // e.g. "leaf->spine", "edge->agg": tiers named after their nodes
  Imbalance stats;
};

// One entry per direction between tiers that has at least one working link, in
// upward-then-downward tier order.
std::vector<TierImbalance> link_imbalance(std::span<const PortRow> ports, const TopologyGraph& g);

// The imbalance over every working switch-to-switch link (both directions).
Imbalance fabric_imbalance(std::span<const PortRow> ports, const TopologyGraph& g);

}  // namespace aifabric
