// Test-only measures of a built topology, shared by the builders' tests: hop diameter
// between hosts, bisection bandwidth as a max-flow min-cut, and a walk of the forwarding
// tables that every host pair is reached on every branch. Independent of any builder's
// own formulas, so the tests compare the formulas against the graph.
#pragma once

#include <algorithm>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "aifabric/topo/graph.h"
#include "aifabric/topo/routing.h"

namespace aifabric::topo_testing {

// Links on a shortest host-to-host path (hosts never relay), the largest over all pairs.
inline uint32_t host_diameter(const TopologyGraph& g) {
  constexpr uint32_t kInf = std::numeric_limits<uint32_t>::max();
  uint32_t worst = 0;
  std::vector<uint32_t> dist(g.nodes().size());
  for (uint32_t src : g.hosts()) {
    std::fill(dist.begin(), dist.end(), kInf);
    dist[src] = 0;
    std::vector<uint32_t> frontier{src}, next;
    while (!frontier.empty()) {
      next.clear();
      for (uint32_t u : frontier) {
        if (u != src && g.nodes()[u].kind == NodeKind::kHost) continue;
        for (const Adjacent& a : g.adjacent(u)) {
          if (g.links()[a.link].up && dist[a.peer] == kInf) {
            dist[a.peer] = dist[u] + 1;
            next.push_back(a.peer);
          }
        }
      }
      frontier.swap(next);
    }
    for (uint32_t h : g.hosts()) worst = std::max(worst, dist[h]);
  }
  return worst;
}

// Max flow (bit/s, one direction) from the hosts with `in_a[host index]` to the others,
// every link a pair of arcs of its rate: the min cut between the two sets (Dinic).
inline double max_flow_bps(const TopologyGraph& g, const std::vector<bool>& in_a) {
  const auto n = static_cast<uint32_t>(g.nodes().size());
  const uint32_t s = n;
  const uint32_t t = n + 1;
  struct Arc {
    uint32_t to;
    double cap;
  };
  std::vector<Arc> arcs;
  std::vector<std::vector<uint32_t>> out(n + 2);
  const auto arc = [&](uint32_t a, uint32_t b, double c) {
    out[a].push_back(static_cast<uint32_t>(arcs.size()));
    arcs.push_back({b, c});
    out[b].push_back(static_cast<uint32_t>(arcs.size()));
    arcs.push_back({a, 0});
  };
  for (const TopoLink& l : g.links()) {
    if (!l.up) continue;
    const auto c = static_cast<double>(l.params.rate.bits_per_second());
    arc(l.a, l.b, c);
    arc(l.b, l.a, c);
  }
  constexpr double kBig = 1e30;
  for (size_t h = 0; h < g.hosts().size(); ++h) {
    if (in_a[h]) {
      arc(s, g.hosts()[h], kBig);
    } else {
      arc(g.hosts()[h], t, kBig);
    }
  }
  double total = 0;
  std::vector<int> level(n + 2);
  std::vector<size_t> it(n + 2);
  for (;;) {
    std::fill(level.begin(), level.end(), -1);
    level[s] = 0;
    std::vector<uint32_t> q{s};
    for (size_t i = 0; i < q.size(); ++i) {
      for (uint32_t e : out[q[i]]) {
        if (arcs[e].cap > 1e-6 && level[arcs[e].to] < 0) {
          level[arcs[e].to] = level[q[i]] + 1;
          q.push_back(arcs[e].to);
        }
      }
    }
    if (level[t] < 0) break;
    std::fill(it.begin(), it.end(), 0);
    const auto push = [&](auto& self, uint32_t u, double f) -> double {
      if (u == t) return f;
      for (; it[u] < out[u].size(); ++it[u]) {
        const uint32_t e = out[u][it[u]];
        Arc& a = arcs[e];
        if (a.cap <= 1e-6 || level[a.to] != level[u] + 1) continue;
        const double got = self(self, a.to, std::min(f, a.cap));
        if (got > 0) {
          a.cap -= got;
          arcs[e ^ 1U].cap += got;
          return got;
        }
      }
      return 0;
    };
    while (const double f = push(push, s, kBig)) total += f;
  }
  return total;
}

// The bisection: the first half of the hosts (by index) against the second half.
inline double bisection_bps(const TopologyGraph& g) {
  std::vector<bool> in_a(g.hosts().size());
  for (size_t h = 0; h < in_a.size(); ++h) in_a[h] = h < in_a.size() / 2;
  return max_flow_bps(g, in_a);
}

// Walks the tables from every host to every other. Every next hop must lead one link
// nearer the destination (no loop, no dead end); returns "" or what failed, and the
// fewest/most distinct table paths over the pairs.
struct RouteCheck {
  std::string error;
  uint64_t min_paths = std::numeric_limits<uint64_t>::max();
  uint64_t max_paths = 0;
  uint32_t max_switches = 0;  // switches on the longest table path
};

inline RouteCheck check_routes(const TopologyGraph& g, const std::vector<ForwardingTable>& t) {
  RouteCheck r;
  const auto n = g.nodes().size();
  constexpr uint64_t kUnset = std::numeric_limits<uint64_t>::max();
  std::vector<uint64_t> paths(n);
  std::vector<uint32_t> depth(n);
  std::vector<char> active(n);
  for (uint32_t dst = 0; dst < g.hosts().size(); ++dst) {
    std::fill(paths.begin(), paths.end(), kUnset);
    std::fill(active.begin(), active.end(), 0);
    const uint32_t target = g.hosts()[dst];
    paths[target] = 1;
    depth[target] = 0;
    const auto walk = [&](auto& self, uint32_t u) -> uint64_t {
      if (paths[u] != kUnset) return paths[u];
      if (g.nodes()[u].kind == NodeKind::kHost) return paths[u] = 0;
      if (active[u]) {
        r.error = "loop through " + g.nodes()[u].name + " towards host " + std::to_string(dst);
        return 0;
      }
      active[u] = 1;
      uint64_t sum = 0;
      uint32_t deepest = 0;
      const auto hops = t[u].next_hops(dst);
      if (hops.empty() && r.error.empty()) {
        r.error = g.nodes()[u].name + " has no route to host " + std::to_string(dst);
      }
      for (uint16_t port : hops) {
        const uint32_t v = g.adjacent(u)[port].peer;
        const uint64_t p = self(self, v);
        if (p == 0 && r.error.empty()) {
          r.error = g.nodes()[u].name + " port " + std::to_string(port) + " dead-ends for host " +
                    std::to_string(dst);
        }
        sum += p;
        deepest = std::max(deepest, depth[v]);
      }
      active[u] = 0;
      depth[u] = deepest + 1;
      return paths[u] = sum;
    };
    for (uint32_t src = 0; src < g.hosts().size(); ++src) {
      if (src == dst) continue;
      const uint32_t first = g.adjacent(g.hosts()[src])[0].peer;
      const uint64_t p = walk(walk, first);
      r.min_paths = std::min(r.min_paths, p);
      r.max_paths = std::max(r.max_paths, p);
      r.max_switches = std::max(r.max_switches, depth[first]);
      if (!r.error.empty()) return r;
    }
  }
  return r;
}

}  // namespace aifabric::topo_testing
