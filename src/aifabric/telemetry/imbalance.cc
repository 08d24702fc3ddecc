#include "aifabric/telemetry/imbalance.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

namespace aifabric {
namespace {

// A tier's name as its nodes are named ("leaf", "spine", "edge", "agg", "core", "host",
// "gpu"...): the first node of the tier, trailing digits and separators dropped.
std::string tier_name(const TopologyGraph& g, int tier) {
  for (const TopoNode& n : g.nodes()) {
    if (n.tier != tier) continue;
    size_t end = n.name.find_first_of("0123456789_-");
    if (end == 0 || end == std::string::npos) end = n.name.size();
    return n.name.substr(0, end);
  }
  return "tier" + std::to_string(tier);
}

bool link_up(const PortRow& p, const TopologyGraph& g) {
  return g.links()[g.adjacent(p.node)[p.port].link].up;
}

}  // namespace

Imbalance imbalance_of(std::span<const double> values) {
  Imbalance s;
  s.links = values.size();
  if (values.empty()) return s;
  s.min = *std::min_element(values.begin(), values.end());
  s.max = *std::max_element(values.begin(), values.end());
  double sum = 0;
  for (double v : values) sum += v;
  s.mean = sum / static_cast<double>(values.size());
  double var = 0;
  for (double v : values) var += (v - s.mean) * (v - s.mean);
  var /= static_cast<double>(values.size());
  if (s.mean > 0) {
    s.max_over_mean = s.max / s.mean;
    s.spread_over_mean = (s.max - s.min) / s.mean;
    s.cv = std::sqrt(var) / s.mean;
  }
  s.max_over_min = s.min > 0   ? s.max / s.min
                   : s.max > 0 ? std::numeric_limits<double>::infinity()
                               : 0;
  return s;
}

std::vector<TierImbalance> link_imbalance(std::span<const PortRow> ports, const TopologyGraph& g) {
  // Key: (from tier, to tier), ordered so that upward directions come first.
  std::map<std::pair<int, int>, std::vector<double>> groups;
  for (const PortRow& p : ports) {
    if (!link_up(p, g)) continue;
    const int from = g.nodes()[p.node].tier;
    const int to = g.nodes()[p.peer].tier;
    const int order = to > from ? from : 100 - from;  // up by source tier, then down
    groups[{order, to}].push_back(100.0 * p.utilization);
  }
  std::vector<TierImbalance> out;
  for (const auto& [key, values] : groups) {
    const int to = key.second;
    const int from = key.first < 50 ? key.first : 100 - key.first;
    out.push_back(
        TierImbalance{tier_name(g, from) + "->" + tier_name(g, to), imbalance_of(values)});
  }
  return out;
}

Imbalance fabric_imbalance(std::span<const PortRow> ports, const TopologyGraph& g) {
  std::vector<double> values;
  for (const PortRow& p : ports) {
    if (g.nodes()[p.node].kind == NodeKind::kSwitch &&
        g.nodes()[p.peer].kind == NodeKind::kSwitch && link_up(p, g)) {
      values.push_back(100.0 * p.utilization);
    }
  }
  return imbalance_of(values);
}

}  // namespace aifabric
