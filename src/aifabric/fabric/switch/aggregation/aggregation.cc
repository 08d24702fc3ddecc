// Putting the aggregation engines on the graph: one endpoint per aggregating switch,
// in a fixed order (leaves by their first host, then the root), so every run of a
// scenario builds the same tree.
#include "aifabric/fabric/switch/aggregation/aggregation.h"

#include <algorithm>
#include <string>

namespace aifabric {

std::vector<uint32_t> AggregationTree::children(uint32_t e) const {
  std::vector<uint32_t> out;
  for (uint32_t c = 0; c < parent.size(); ++c) {
    if (parent[c] == e) out.push_back(c);
  }
  return out;
}

Result<AggregationTree> add_aggregators(TopologyGraph& g, const AggregationConfig& config) {
  if (Status s = config.validate(); !s) return s.with_context("switch.aggregation");
  AggregationTree t;
  t.config = config;
  t.gpu_hosts = static_cast<uint32_t>(g.hosts().size());
  if (g.planes() > 1) {
    return Status::error(
        "switch.aggregation: not on a multi-plane fabric (each plane would need its own tree)");
  }
  if (g.switch_count() == 0) {
    return Status::error("switch.aggregation: the topology has no switches to aggregate in");
  }
  std::vector<uint32_t> engine_of_node(g.nodes().size(), AggregationTree::kNone);
  auto engine_at = [&](uint32_t sw) {
    if (engine_of_node[sw] == AggregationTree::kNone) {
      engine_of_node[sw] = static_cast<uint32_t>(t.switch_node.size());
      t.switch_node.push_back(sw);
    }
    return engine_of_node[sw];
  };
  t.leaf_of_host.resize(t.gpu_hosts);
  for (uint32_t h = 0; h < t.gpu_hosts; ++h) {
    const auto& adj = g.adjacent(g.hosts()[h]);
    if (adj.size() != 1 || g.nodes()[adj[0].peer].kind != NodeKind::kSwitch) {
      return Status::error("switch.aggregation: host " + g.nodes()[g.hosts()[h]].name +
                           " does not hang off exactly one switch");
    }
    t.leaf_of_host[h] = engine_at(adj[0].peer);
  }
  // The root: the first switch of the top tier.
  uint32_t top = AggregationTree::kNone;
  for (uint32_t id = 0; id < g.nodes().size(); ++id) {
    const TopoNode& n = g.nodes()[id];
    if (n.kind != NodeKind::kSwitch) continue;
    if (top == AggregationTree::kNone || n.tier > g.nodes()[top].tier) top = id;
  }
  t.root = engine_at(top);
  t.parent.assign(t.switch_node.size(), t.root);
  t.parent[t.root] = AggregationTree::kNone;
  LinkParams internal;
  internal.rate = config.rate;
  internal.delay = config.latency;
  for (uint32_t sw : t.switch_node) {
    const uint32_t node =
        g.add_node(NodeKind::kHost, g.nodes()[sw].name + std::string(kEngineSuffix), 0);
    g.add_link(node, sw, internal);
    t.host.push_back(static_cast<uint32_t>(g.host_index(node)));
  }
  return t;
}

}  // namespace aifabric
