// Planning by bipartite edge colouring, one stage of lanes at a time.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <numeric>
#include <string>
#include <tuple>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "aifabric/control/planner/planner_internal.h"
#include "aifabric/core/random.h"
#include "aifabric/net/packet.h"

namespace aifabric::planner_detail {

// A proper edge colouring with `colours` colours of a bipartite multigraph whose every
// vertex has at most `colours` edges (König's theorem says one exists). Edges go from
// eu[e] to ev[e]; vertex ids of the two sides are disjoint. Alternating-path method: for
// edge (u, v) take a colour a free at u and b free at v; if a is taken at v, swap a and b
// along the a/b path from v, which cannot end at u (a is free there, and in a bipartite
// graph the path would have to enter u by an a-edge); then colour the edge a.
std::vector<uint32_t> edge_colouring(const std::vector<uint32_t>& eu,
                                     const std::vector<uint32_t>& ev, uint32_t vertices,
                                     size_t colours) {
  const size_t edges = eu.size();
  std::vector<int64_t> at(static_cast<size_t>(vertices) * colours, -1);  // v * S + c -> edge
  std::vector<uint32_t> colour(edges, 0);
  std::vector<uint32_t> chain;
  auto free_at = [&](uint32_t v) {
    size_t c = 0;
    while (at[v * colours + c] >= 0) ++c;  // degree <= S, so one is free
    return static_cast<uint32_t>(c);
  };
  for (size_t e = 0; e < edges; ++e) {
    const uint32_t u = eu[e];
    const uint32_t v = ev[e];
    const uint32_t a = free_at(u);
    const uint32_t b = free_at(v);
    if (at[v * colours + a] >= 0) {
      chain.clear();
      uint32_t x = v;
      uint32_t c = a;
      while (at[x * colours + c] >= 0) {
        const auto f = static_cast<uint32_t>(at[x * colours + c]);
        chain.push_back(f);
        x = eu[f] == x ? ev[f] : eu[f];
        c = c == a ? b : a;
      }
      for (uint32_t f : chain) {
        at[eu[f] * colours + colour[f]] = -1;
        at[ev[f] * colours + colour[f]] = -1;
      }
      for (uint32_t f : chain) {
        colour[f] = colour[f] == a ? b : a;
        at[eu[f] * colours + colour[f]] = f;
        at[ev[f] * colours + colour[f]] = f;
      }
    }
    colour[e] = a;
    at[u * colours + a] = static_cast<int64_t>(e);
    at[v * colours + a] = static_cast<int64_t>(e);
  }
  return colour;
}

// Plan by edge colouring, stage by stage from the outside in, when paths go up and come
// down symmetrically (it balances demand counts, so it is exact for equal sizes only).
// Stage i pairs hop i (up, leaving switch u) with the mirror hop (down, entering switch
// v); a lane is a switch-facing port rank used both at u and at v (builders order every
// leaf's spine ports alike, every edge switch's aggregation ports alike, ...). Each
// demand of the stage is an edge u -> v of a bipartite multigraph; a vertex of degree D
// is split into ceil(D / S) vertices of at most S edges and the graph is properly
// S-edge-coloured, a colour being a lane. Each up link of u and down link into v then
// carries at most ceil(D / S) demands of the stage, which for a 2-tier fabric (one
// stage: a leaf's uplinks and downlinks) is the lower bound, so the plan is optimal; for
// more stages each stage is balanced given the earlier ones, and the lower bound
// decides. Applies when at every stage every demand can use the same lane set and every
// switch link plays one role (stage, up or down); switches that order their switch
// ports differently make it fall back to the heuristics. Returns "" when it planned
// (s.choice set), else why it cannot apply.
std::string colour_lanes(State& s, std::vector<size_t>& lanes_per_stage) {
  const TopologyGraph& g = s.g;
  // A link's rank among the switch-facing ports at each end (its port number less the
  // host ports before it, so leaves with different host counts still line up).
  std::vector<uint16_t> port_at_a(g.links().size(), 0);
  std::vector<uint16_t> port_at_b(g.links().size(), 0);
  for (uint32_t n = 0; n < g.nodes().size(); ++n) {
    uint16_t rank = 0;
    for (const Adjacent& a : g.adjacent(n)) {
      if (g.nodes()[a.peer].kind != NodeKind::kSwitch) continue;
      (g.links()[a.link].a == n ? port_at_a : port_at_b)[a.link] = rank++;
    }
  }
  auto port_at_tail = [&](DirectedLink d) { return (d % 2 == 0 ? port_at_a : port_at_b)[d / 2]; };
  auto port_at_head = [&](DirectedLink d) { return (d % 2 == 0 ? port_at_b : port_at_a)[d / 2]; };

  std::vector<uint32_t> demands;
  for (size_t d = 0; d < s.bytes.size(); ++d) {
    if (s.bytes[d] > 0 && s.uses_fabric(d)) demands.push_back(static_cast<uint32_t>(d));
  }
  if (demands.empty()) return "no demand crosses a switch link";
  // Candidates still open per listed demand, narrowed stage by stage.
  std::vector<std::vector<uint32_t>> live(demands.size());
  for (size_t k = 0; k < demands.size(); ++k) {
    const uint32_t d = demands[k];
    const size_t hops = s.path(d, 0).size();
    for (uint32_t c = 0; c < s.candidates(d); ++c) {
      const auto p = s.path(d, c);
      if (p.size() != hops) return "paths of unequal length";
      for (size_t i = 1; i + 1 < hops; ++i) {
        if (!s.fabric[p[i]]) return "paths that are not host-switches-host";
      }
      live[k].push_back(c);
    }
  }
  std::vector<int32_t> role(s.load.size(), 0);  // 2 * stage + (0 up, 1 down) + 1
  std::vector<uint32_t> stage_demands;
  std::vector<uint16_t> up;
  std::vector<uint16_t> down;
  std::vector<uint16_t> diag;
  std::vector<uint16_t> lanes;
  for (size_t i = 1;; ++i) {
    stage_demands.clear();
    for (size_t k = 0; k < demands.size(); ++k) {
      if (2 * i + 1 < s.path(demands[k], 0).size()) {
        stage_demands.push_back(static_cast<uint32_t>(k));
      }
    }
    if (stage_demands.empty()) break;
    lanes.clear();
    std::vector<uint32_t> eu;
    std::vector<uint32_t> ev;
    for (uint32_t k : stage_demands) {
      const uint32_t d = demands[k];
      const size_t mirror = s.path(d, 0).size() - 1 - i;
      const uint32_t u = tail(g, s.path(d, live[k][0])[i]);
      const uint32_t v = head(g, s.path(d, live[k][0])[mirror]);
      up.clear();
      down.clear();
      diag.clear();
      for (uint32_t c : live[k]) {
        const auto p = s.path(d, c);
        if (tail(g, p[i]) != u || head(g, p[mirror]) != v) {
          return "a demand's paths fork away from the up-down lanes";
        }
        for (int side = 0; side < 2; ++side) {
          const DirectedLink l = side == 0 ? p[i] : p[mirror];
          const auto r = static_cast<int32_t>(2 * i + side + 1);
          if (role[l] != 0 && role[l] != r) {
            return "a switch link is an uplink for some demands and a downlink for others";
          }
          role[l] = r;
        }
        up.push_back(port_at_tail(p[i]));
        down.push_back(port_at_head(p[mirror]));
        if (up.back() == down.back()) diag.push_back(up.back());
      }
      for (auto* list : {&up, &down, &diag}) {
        std::sort(list->begin(), list->end());
        list->erase(std::unique(list->begin(), list->end()), list->end());
      }
      if (up.size() != diag.size() || down.size() != diag.size()) {
        return "a demand cannot use every lane of its switches (narrow source-port range, or "
               "switch ports ordered differently)";
      }
      if (lanes.empty()) {
        lanes = diag;
      } else if (lanes != diag) {
        return "demands reach their destinations through different spine sets (failed links, "
               "a narrow source-port range or an irregular fabric)";
      }
      eu.push_back(u);
      ev.push_back(v);
    }
    // Split every switch, as a sender and as a receiver, into vertices of <= S edges.
    const size_t colours = lanes.size();
    const size_t n = g.nodes().size();
    std::vector<uint32_t> out_deg(n, 0);
    std::vector<uint32_t> in_deg(n, 0);
    for (size_t e = 0; e < eu.size(); ++e) {
      ++out_deg[eu[e]];
      ++in_deg[ev[e]];
    }
    std::vector<uint32_t> out_base(n, 0);
    std::vector<uint32_t> in_base(n, 0);
    uint32_t vertices = 0;
    for (size_t v = 0; v < n; ++v) {
      out_base[v] = vertices;
      vertices += static_cast<uint32_t>((out_deg[v] + colours - 1) / colours);
    }
    for (size_t v = 0; v < n; ++v) {
      in_base[v] = vertices;
      vertices += static_cast<uint32_t>((in_deg[v] + colours - 1) / colours);
    }
    std::fill(out_deg.begin(), out_deg.end(), 0);
    std::fill(in_deg.begin(), in_deg.end(), 0);
    for (size_t e = 0; e < eu.size(); ++e) {
      const uint32_t a = eu[e];
      const uint32_t b = ev[e];
      eu[e] = out_base[a] + static_cast<uint32_t>(out_deg[a]++ / colours);
      ev[e] = in_base[b] + static_cast<uint32_t>(in_deg[b]++ / colours);
    }
    const std::vector<uint32_t> colour = edge_colouring(eu, ev, vertices, colours);
    for (size_t e = 0; e < stage_demands.size(); ++e) {
      const uint32_t k = stage_demands[e];
      const uint32_t d = demands[k];
      const size_t mirror = s.path(d, 0).size() - 1 - i;
      const uint16_t lane = lanes[colour[e]];
      std::erase_if(live[k], [&](uint32_t c) {
        const auto p = s.path(d, c);
        return port_at_tail(p[i]) != lane || port_at_head(p[mirror]) != lane;
      });
    }
    lanes_per_stage.push_back(colours);
  }
  for (size_t k = 0; k < demands.size(); ++k) s.choice[demands[k]] = live[k][0];
  return "";
}

}  // namespace aifabric::planner_detail
