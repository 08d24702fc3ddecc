#include "aifabric/topo/routing.h"

#include <cstdint>
#include <limits>

namespace aifabric {

std::vector<ForwardingTable> compute_shortest_paths(const TopologyGraph& g) {
  const size_t n = g.nodes().size();
  const auto hosts = static_cast<uint32_t>(g.hosts().size());
  std::vector<ForwardingTable> tables(n);
  for (size_t u = 0; u < n; ++u) {
    if (g.nodes()[u].kind == NodeKind::kSwitch) tables[u].resize(hosts);
  }
  constexpr uint32_t kInf = std::numeric_limits<uint32_t>::max();
  std::vector<uint32_t> dist(n);
  std::vector<uint32_t> frontier;
  std::vector<uint32_t> next;
  std::vector<uint16_t> ports;
  for (uint32_t h = 0; h < hosts; ++h) {
    const uint32_t dst = g.hosts()[h];
    std::fill(dist.begin(), dist.end(), kInf);
    dist[dst] = 0;
    frontier.assign(1, dst);
    // Breadth-first from the destination; only switches relay.
    while (!frontier.empty()) {
      next.clear();
      for (uint32_t u : frontier) {
        if (u != dst && g.nodes()[u].kind == NodeKind::kHost) continue;
        for (const auto& a : g.adjacent(u)) {
          if (!g.links()[a.link].up) continue;
          if (dist[a.peer] == kInf) {
            dist[a.peer] = dist[u] + 1;
            next.push_back(a.peer);
          }
        }
      }
      frontier.swap(next);
    }
    for (size_t u = 0; u < n; ++u) {
      if (g.nodes()[u].kind != NodeKind::kSwitch || dist[u] == kInf) continue;
      ports.clear();
      const auto& adj = g.adjacent(static_cast<uint32_t>(u));
      for (size_t i = 0; i < adj.size(); ++i) {
        const uint32_t v = adj[i].peer;
        if (!g.links()[adj[i].link].up || dist[v] == kInf || dist[v] + 1 != dist[u]) continue;
        if (g.nodes()[v].kind == NodeKind::kHost && v != dst) continue;
        ports.push_back(static_cast<uint16_t>(i));
      }
      tables[u].set(h, ports);
    }
  }
  return tables;
}

}  // namespace aifabric
