#include "aifabric/topo/routing.h"

#include <cstdint>
#include <limits>
#include <memory>

namespace aifabric {

std::vector<ForwardingTable> compute_shortest_paths(const TopologyGraph& g) {
  const size_t n = g.nodes().size();
  const size_t hosts = g.hosts().size();
  // Every host hangs off one node (validated graphs: one link per host); the switches
  // hosts hang off are the attachments, numbered in node order.
  std::vector<uint32_t> attachment_of_node(n, ForwardingTable::kNone);
  std::vector<uint32_t> attachment_node;
  auto attachment = std::make_shared<std::vector<uint32_t>>(hosts, ForwardingTable::kNone);
  for (size_t h = 0; h < hosts; ++h) {
    const auto& adj = g.adjacent(g.hosts()[h]);
    if (adj.empty()) continue;
    const uint32_t sw = adj[0].peer;
    if (g.nodes()[sw].kind != NodeKind::kSwitch) continue;  // two hosts cabled directly
    if (attachment_of_node[sw] == ForwardingTable::kNone) {
      attachment_of_node[sw] = static_cast<uint32_t>(attachment_node.size());
      attachment_node.push_back(sw);
    }
  }
  // Attachment indices follow node order, so that tables do not depend on host order.
  for (uint32_t u = 0, k = 0; u < n; ++u) {
    if (attachment_of_node[u] != ForwardingTable::kNone) {
      attachment_of_node[u] = k;
      attachment_node[k++] = u;
    }
  }
  for (size_t h = 0; h < hosts; ++h) {
    const auto& adj = g.adjacent(g.hosts()[h]);
    if (!adj.empty()) (*attachment)[h] = attachment_of_node[adj[0].peer];
  }
  const auto attachments = static_cast<uint32_t>(attachment_node.size());
  std::vector<ForwardingTable> tables(n);
  for (size_t u = 0; u < n; ++u) {
    if (g.nodes()[u].kind == NodeKind::kSwitch) {
      tables[u].init(attachment, attachments, attachment_of_node[u]);
    }
  }
  // The port of each host at the switch it hangs off (if its link is up).
  for (size_t h = 0; h < hosts; ++h) {
    const uint32_t a = (*attachment)[h];
    if (a == ForwardingTable::kNone) continue;
    const uint32_t sw = attachment_node[a];
    const auto& adj = g.adjacent(sw);
    for (size_t i = 0; i < adj.size(); ++i) {
      if (adj[i].peer == g.hosts()[h] && g.links()[adj[i].link].up) {
        tables[sw].set_local(static_cast<uint32_t>(h), static_cast<uint16_t>(i));
        break;
      }
    }
  }
  // Breadth-first from each attachment over switches (hosts never relay): a switch's
  // ports towards its hosts are those to a neighbour one hop closer. A host's shortest
  // paths all end at its attachment, so these are exactly the ports towards the host.
  constexpr uint32_t kInf = std::numeric_limits<uint32_t>::max();
  std::vector<uint32_t> dist(n);
  std::vector<uint32_t> frontier;
  std::vector<uint32_t> next;
  std::vector<uint16_t> ports;
  const RoutePolicy* policy = g.route_policy();
  std::vector<uint16_t> detours;
  for (uint32_t a = 0; a < attachments; ++a) {
    const uint32_t dst = attachment_node[a];
    std::fill(dist.begin(), dist.end(), kInf);
    dist[dst] = 0;
    frontier.assign(1, dst);
    while (!frontier.empty()) {
      next.clear();
      for (uint32_t u : frontier) {
        for (const auto& adj : g.adjacent(u)) {
          if (!g.links()[adj.link].up || g.nodes()[adj.peer].kind != NodeKind::kSwitch) continue;
          if (dist[adj.peer] == kInf) {
            dist[adj.peer] = dist[u] + 1;
            next.push_back(adj.peer);
          }
        }
      }
      frontier.swap(next);
    }
    for (size_t u = 0; u < n; ++u) {
      if (u == dst || g.nodes()[u].kind != NodeKind::kSwitch || dist[u] == kInf) continue;
      ports.clear();
      const auto& adj = g.adjacent(static_cast<uint32_t>(u));
      for (size_t i = 0; i < adj.size(); ++i) {
        const uint32_t v = adj[i].peer;
        if (!g.links()[adj[i].link].up || g.nodes()[v].kind != NodeKind::kSwitch) continue;
        if (dist[v] == kInf || dist[v] + 1 != dist[u]) continue;
        ports.push_back(static_cast<uint16_t>(i));
      }
      if (policy != nullptr) {
        policy->restrict(g, static_cast<uint32_t>(u), dst, ports);
        detours.clear();
        policy->detours(g, static_cast<uint32_t>(u), dst, ports, detours);
        if (!detours.empty()) tables[u].set_detours(a, detours);
      }
      tables[u].set_attachment(a, ports);
    }
  }
  for (auto& t : tables) {
    if (t.hosts() > 0) t.finish();
  }
  return tables;
}

std::vector<LinkParams> first_shortest_path(const TopologyGraph& g, uint32_t src, uint32_t dst) {
  const uint32_t from = g.hosts()[src];
  const uint32_t to = g.hosts()[dst];
  constexpr uint32_t kInf = std::numeric_limits<uint32_t>::max();
  // Distances to the destination host over switches (hosts never relay).
  std::vector<uint32_t> dist(g.nodes().size(), kInf);
  dist[to] = 0;
  std::vector<uint32_t> frontier{to}, next;
  while (!frontier.empty() && dist[from] == kInf) {
    next.clear();
    for (uint32_t u : frontier) {
      if (u != to && g.nodes()[u].kind == NodeKind::kHost) continue;
      for (const auto& a : g.adjacent(u)) {
        if (g.links()[a.link].up && dist[a.peer] == kInf) {
          dist[a.peer] = dist[u] + 1;
          next.push_back(a.peer);
        }
      }
    }
    frontier.swap(next);
  }
  std::vector<LinkParams> path;
  if (dist[from] == kInf) return path;
  for (uint32_t u = from; u != to;) {
    for (const auto& a : g.adjacent(u)) {
      const bool relay = a.peer == to || g.nodes()[a.peer].kind == NodeKind::kSwitch;
      if (g.links()[a.link].up && relay && dist[a.peer] + 1 == dist[u]) {
        path.push_back(g.links()[a.link].params);
        u = a.peer;
        break;
      }
    }
  }
  return path;
}

}  // namespace aifabric
