// Planned paths. A demand's candidates are the forwarding tables' equal-cost paths that
// some source port in the range makes the switches' hash take (found by walking ports
// through the hash, in port order, until every path has one); loads are bytes per
// directed link, and only switch-to-switch links count towards the maximum, since a host
// link carries its host's demands whatever the plan. Planners: a bipartite edge
// colouring, stage by stage, when paths go up and down through interchangeable lanes
// (optimal for 2-tier with equal sizes); greedy LPT; rip-up-and-reroute local search
// with iterated kicks; the lower bound decides which plan is kept and what is claimed.
#include "aifabric/control/planner/planner.h"

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

#include "aifabric/core/random.h"
#include "aifabric/net/packet.h"

namespace aifabric {

uint64_t planned_entropy(uint32_t src, uint32_t dst, uint16_t sport) {
  return flow_entropy(src, dst, sport, kRoceUdpPort);
}

namespace {

// Path counts saturate here; no port range realizes anywhere near this many paths.
constexpr uint64_t kManyPaths = uint64_t{1} << 62;
constexpr uint64_t kUnset = std::numeric_limits<uint64_t>::max();

DirectedLink directed(const TopologyGraph& g, uint32_t link, uint32_t from) {
  return 2 * link + (g.links()[link].a == from ? 0U : 1U);
}
uint32_t tail(const TopologyGraph& g, DirectedLink d) {
  const TopoLink& l = g.links()[d / 2];
  return d % 2 == 0 ? l.a : l.b;
}
uint32_t head(const TopologyGraph& g, DirectedLink d) {
  const TopoLink& l = g.links()[d / 2];
  return d % 2 == 0 ? l.b : l.a;
}

// The candidate paths of one (src, dst) pair in depth-first order of the forwarding
// tables (a switch's candidate ports in table order), each with the first source port
// of the range that takes it.
struct PairPaths {
  uint64_t dag_paths = 0;           // paths in the tables, realizable or not
  std::vector<uint64_t> index;      // depth-first index of each candidate
  std::vector<uint16_t> sport;      // per candidate
  std::vector<uint32_t> offset{0};  // candidate c is links[offset[c], offset[c + 1])
  std::vector<DirectedLink> links;
  size_t size() const { return sport.size(); }
  std::span<const DirectedLink> path(size_t c) const {
    return {links.data() + offset[c], offset[c + 1] - offset[c]};
  }
};

// Walks source ports through the hash. Path counts from a node to the destination are
// memoized per destination (they do not depend on the source), which makes a walk's
// depth-first index a sum over the branches it skips: no path has to be enumerated.
// Assumes loop-free tables (shortest-path routing); a loop only makes walks fail.
class PathFinder {
 public:
  PathFinder(const TopologyGraph& g, const std::vector<ForwardingTable>& tables,
             const EcmpHash& hash, const PlanOptions& options)
      : g_(g),
        tables_(tables),
        hash_(hash),
        options_(options),
        memo_(g.nodes().size(), kUnset),
        skip_start_(g.nodes().size(), 0) {}

  // Errors are phrased without the demand; the caller names it.
  Result<PairPaths> find(uint32_t src, uint32_t dst);
  // The hash answered a port outside the candidates it was given.
  bool hash_failed() const { return !hash_error_.is_ok(); }

 private:
  std::span<const uint16_t> next_hops(uint32_t node) const {
    if (g_.nodes()[node].kind != NodeKind::kSwitch || tables_[node].hosts() <= dst_) return {};
    return tables_[node].next_hops(dst_);
  }
  uint64_t branch(uint32_t node, uint16_t port);
  uint64_t count(uint32_t node);
  bool walk(uint16_t sport, std::vector<DirectedLink>& path, uint64_t& index);

  const TopologyGraph& g_;
  const std::vector<ForwardingTable>& tables_;
  const EcmpHash& hash_;
  const PlanOptions& options_;
  std::vector<uint64_t> memo_;  // paths from a node to dst_
  // Per node, where its entries start in skipped_: for its k-th candidate port, the paths
  // through the candidates before it (what a walk taking port k skips in depth-first
  // order).
  std::vector<uint32_t> skip_start_;
  std::vector<uint64_t> skipped_;
  std::vector<uint32_t> touched_;
  uint32_t memo_dst_ = std::numeric_limits<uint32_t>::max();
  uint32_t src_ = 0;
  uint32_t dst_ = 0;
  uint32_t src_node_ = 0;
  uint32_t dst_node_ = 0;
  Status hash_error_;
  static constexpr uint64_t kFlagLimit = uint64_t{1} << 20;
  std::vector<char> seen_flag_;
  std::vector<DirectedLink> path_;
  uint64_t index_ = 0;
};

uint64_t PathFinder::branch(uint32_t node, uint16_t port) {
  const auto& adj = g_.adjacent(node);
  if (port >= adj.size() || !g_.links()[adj[port].link].up) return 0;
  return count(adj[port].peer);
}

uint64_t PathFinder::count(uint32_t node) {
  if (node == dst_node_) return 1;
  if (g_.nodes()[node].kind == NodeKind::kHost) return 0;
  if (memo_[node] != kUnset) return memo_[node];
  memo_[node] = 0;  // a (malformed) loop back here counts nothing
  touched_.push_back(node);
  const auto cand = next_hops(node);
  const size_t start = skipped_.size();
  skip_start_[node] = static_cast<uint32_t>(start);
  skipped_.resize(start + cand.size());
  uint64_t sum = 0;
  for (size_t k = 0; k < cand.size(); ++k) {
    skipped_[start + k] = sum;
    sum = std::min(kManyPaths, sum + branch(node, cand[k]));
  }
  memo_[node] = sum;
  return sum;
}

bool PathFinder::walk(uint16_t sport, std::vector<DirectedLink>& path, uint64_t& index) {
  const uint64_t entropy = planned_entropy(src_, dst_, sport);
  path.clear();
  index = 0;
  const Adjacent& first = g_.adjacent(src_node_)[0];
  path.push_back(directed(g_, first.link, src_node_));
  uint32_t u = first.peer;
  while (u != dst_node_) {
    if (g_.nodes()[u].kind == NodeKind::kHost || path.size() > g_.nodes().size()) return false;
    const auto cand = next_hops(u);
    if (cand.empty()) return false;
    const uint16_t port = cand.size() == 1 ? cand[0] : hash_(u, entropy, cand);
    const auto it = std::find(cand.begin(), cand.end(), port);
    if (it == cand.end()) {
      hash_error_ = Status::error(fmt::format(
          "the ECMP hash returned port {} at node {} ({}), which is not one of its {} candidates",
          port, u, g_.nodes()[u].name, cand.size()));
      return false;
    }
    index += skipped_[skip_start_[u] + static_cast<size_t>(it - cand.begin())];
    const Adjacent& a = g_.adjacent(u)[port];
    if (!g_.links()[a.link].up) return false;
    path.push_back(directed(g_, a.link, u));
    u = a.peer;
  }
  return true;
}

Result<PairPaths> PathFinder::find(uint32_t src, uint32_t dst) {
  src_ = src;
  dst_ = dst;
  src_node_ = g_.hosts()[src];
  dst_node_ = g_.hosts()[dst];
  if (dst != memo_dst_) {
    for (uint32_t n : touched_) memo_[n] = kUnset;
    touched_.clear();
    skipped_.clear();
    memo_dst_ = dst;
  }
  const auto& host_adj = g_.adjacent(src_node_);
  if (host_adj.empty()) return Status::error("the source host has no link");
  if (!g_.links()[host_adj[0].link].up) return Status::error("the source host's link is down");
  PairPaths pp;
  pp.dag_paths = count(host_adj[0].peer);
  if (pp.dag_paths == 0) {
    return Status::error(
        "no path in the forwarding tables (hosts disconnected, or tables not recomputed "
        "after a link failure)");
  }
  // Ports are tried in order until every path in the tables has one (about P ln P tries
  // for P equally likely paths) or the range is exhausted.
  // Paths seen so far: a flag per depth-first index when there are few paths (the usual
  // case: a walk then costs no hashing of the index), else a hash set.
  const bool few = pp.dag_paths <= kFlagLimit;
  if (few && seen_flag_.size() < pp.dag_paths) seen_flag_.resize(pp.dag_paths, 0);
  std::unordered_set<uint64_t> seen;
  PairPaths found;
  for (uint32_t sp = options_.sport_min; sp <= options_.sport_max && found.size() < pp.dag_paths;
       ++sp) {
    if (!walk(static_cast<uint16_t>(sp), path_, index_)) {
      if (hash_error_.is_ok()) continue;
      break;
    }
    if (few ? std::exchange(seen_flag_[index_], 1) != 0 : !seen.insert(index_).second) continue;
    const std::vector<DirectedLink>& path = path_;
    const uint64_t index = index_;
    found.index.push_back(index);
    found.sport.push_back(static_cast<uint16_t>(sp));
    found.links.insert(found.links.end(), path.begin(), path.end());
    found.offset.push_back(static_cast<uint32_t>(found.links.size()));
  }
  if (few) {
    for (uint64_t i : found.index) seen_flag_[i] = 0;
  }
  if (!hash_error_.is_ok()) return hash_error_;
  if (found.size() == 0) {
    return Status::error(fmt::format("no source port in [{}, {}] takes a path of the tables",
                                     options_.sport_min, options_.sport_max));
  }
  std::vector<uint32_t> order(found.size());
  std::iota(order.begin(), order.end(), 0U);
  std::sort(order.begin(), order.end(),
            [&](uint32_t x, uint32_t y) { return found.index[x] < found.index[y]; });
  for (uint32_t c : order) {
    pp.index.push_back(found.index[c]);
    pp.sport.push_back(found.sport[c]);
    const auto p = found.path(c);
    pp.links.insert(pp.links.end(), p.begin(), p.end());
    pp.offset.push_back(static_cast<uint32_t>(pp.links.size()));
  }
  return pp;
}

// The assignment under construction: per demand its pair and chosen candidate, and the
// resulting bytes per directed link.
struct State {
  const TopologyGraph& g;
  const std::vector<PairPaths>& pairs;
  std::vector<uint32_t> pair_of;
  std::vector<int64_t> bytes;
  std::vector<uint32_t> choice;
  std::vector<int64_t> load;
  std::vector<char> fabric;      // per directed link: both ends are switches
  int64_t evaluations = 0;       // candidate paths the local search has weighed
  int64_t evaluation_limit = 0;  // where it stops (bounds planning time)
  std::vector<uint32_t> mark_a;  // per directed link, scratch stamps for the search
  std::vector<uint32_t> mark_b;
  uint32_t stamp = 0;

  std::span<const DirectedLink> path(size_t d, size_t c) const { return pairs[pair_of[d]].path(c); }
  size_t candidates(size_t d) const { return pairs[pair_of[d]].size(); }
  bool uses_fabric(size_t d) const {
    for (DirectedLink l : path(d, 0)) {
      if (fabric[l]) return true;
    }
    return false;
  }
  void add(size_t d, int64_t sign) {
    for (DirectedLink l : path(d, choice[d])) load[l] += sign * bytes[d];
  }
  int64_t max_fabric() const {
    int64_t m = 0;
    for (size_t l = 0; l < load.size(); ++l) {
      if (fabric[l]) m = std::max(m, load[l]);
    }
    return m;
  }
};

bool contains(std::span<const DirectedLink> p, DirectedLink l) {
  return std::find(p.begin(), p.end(), l) != p.end();
}

// Lower bound on the maximum switch-link load. For each pair and hop position i, the set
// F of fabric links its candidates use at hop i must carry the demand's bytes on one of
// them (shortest paths of one pair all have the same length). Any set E of m links then
// receives every (demand, position) whose F lies inside E, which is scheduling those
// demands on m machines, so the fullest link of E carries at least
//   - their total / m, rounded up (a leaf's uplinks, the downlinks into a leaf, a pod's
//     links to the core, ...), and
//   - for every j >= 1 with n >= j m + 1 demands: some link gets j + 1 of the j m + 1
//     largest, so at least the sum of the j + 1 smallest of those (with equal sizes b
//     this is the rounded count bound ceil(n / m) * b).
// The sets E tried are every distinct F. The largest single demand on a switch link is
// a bound too. Pairs whose paths differ in length contribute only the fabric links
// common to all of their candidates.
int64_t lower_bound(const State& s) {
  std::vector<std::vector<int64_t>> pair_sizes(s.pairs.size());
  int64_t bound = 0;
  for (size_t d = 0; d < s.bytes.size(); ++d) {
    if (s.bytes[d] == 0 || !s.uses_fabric(d)) continue;
    pair_sizes[s.pair_of[d]].push_back(s.bytes[d]);
    bound = std::max(bound, s.bytes[d]);
  }
  // Set F -> the pairs (with repeats for several positions) whose demands it must carry.
  std::map<std::vector<DirectedLink>, std::vector<uint32_t>> groups;
  std::vector<DirectedLink> set;
  for (size_t p = 0; p < s.pairs.size(); ++p) {
    if (pair_sizes[p].empty()) continue;
    const PairPaths& pp = s.pairs[p];
    const size_t hops = pp.path(0).size();
    bool layered = true;
    for (size_t c = 1; c < pp.size(); ++c) layered = layered && pp.path(c).size() == hops;
    for (size_t i = 0; i < hops; ++i) {
      set.clear();
      if (layered) {
        for (size_t c = 0; c < pp.size(); ++c) set.push_back(pp.path(c)[i]);
      } else {
        const DirectedLink l = pp.path(0)[i];
        bool common = true;
        for (size_t c = 1; c < pp.size(); ++c) common = common && contains(pp.path(c), l);
        if (common) set.push_back(l);
      }
      std::sort(set.begin(), set.end());
      set.erase(std::unique(set.begin(), set.end()), set.end());
      if (set.empty() || !s.fabric[set[0]]) continue;  // host links are on every path
      groups[set].push_back(static_cast<uint32_t>(p));
    }
  }
  // F ⊆ E needs min(F) ∈ E: bucket the sets by their smallest link.
  const std::vector<std::pair<std::vector<DirectedLink>, std::vector<uint32_t>>> list(
      groups.begin(), groups.end());
  std::unordered_map<DirectedLink, std::vector<uint32_t>> by_min;
  for (size_t i = 0; i < list.size(); ++i) {
    by_min[list[i].first[0]].push_back(static_cast<uint32_t>(i));
  }
  std::vector<int64_t> sizes;
  for (const auto& grp : list) {
    const std::vector<DirectedLink>& e = grp.first;
    sizes.clear();
    for (DirectedLink l : e) {
      const auto it = by_min.find(l);
      if (it == by_min.end()) continue;
      for (uint32_t i : it->second) {
        const std::vector<DirectedLink>& f = list[i].first;
        if (f.size() > e.size() || !std::includes(e.begin(), e.end(), f.begin(), f.end())) {
          continue;
        }
        for (uint32_t p : list[i].second) {
          sizes.insert(sizes.end(), pair_sizes[p].begin(), pair_sizes[p].end());
        }
      }
    }
    const size_t m = e.size();
    const size_t n = sizes.size();
    const int64_t total = std::accumulate(sizes.begin(), sizes.end(), int64_t{0});
    bound = std::max(bound, (total + static_cast<int64_t>(m) - 1) / static_cast<int64_t>(m));
    if (n <= m) continue;
    std::sort(sizes.begin(), sizes.end(), std::greater<>());
    // prefix[k] = sum of the k largest; the j + 1 smallest of the j m + 1 largest are
    // sizes[j m - j .. j m] (0-based).
    std::vector<int64_t> prefix(n + 1, 0);
    for (size_t k = 0; k < n; ++k) prefix[k + 1] = prefix[k] + sizes[k];
    for (size_t j = 1; j * m + 1 <= n; ++j) {
      bound = std::max(bound, prefix[j * m + 1] - prefix[j * m - j]);
    }
  }
  return bound;
}

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

// Greedy in decreasing size (longest processing time first): each demand takes the
// candidate whose most loaded switch link, after adding it, is lowest, then the one
// with the least total load.
void greedy_lpt(State& s, const std::vector<uint32_t>& order) {
  for (uint32_t d : order) {
    const int64_t b = s.bytes[d];
    uint32_t best = 0;
    int64_t best_max = std::numeric_limits<int64_t>::max();
    int64_t best_sum = std::numeric_limits<int64_t>::max();
    for (size_t c = 0; c < s.candidates(d); ++c) {
      int64_t m = 0;
      int64_t sum = 0;
      for (DirectedLink l : s.path(d, c)) {
        if (!s.fabric[l]) continue;
        m = std::max(m, s.load[l] + b);
        sum += s.load[l] + b;
      }
      if (m < best_max || (m == best_max && sum < best_sum)) {
        best = static_cast<uint32_t>(c);
        best_max = m;
        best_sum = sum;
      }
    }
    s.choice[d] = best;
    s.add(d, +1);
  }
}

// Rip-up and reroute: each demand in turn leaves its path for the candidate whose most
// loaded newly used switch link, with the demand added, is lowest, if that is below the
// most loaded switch link it leaves. Every move makes the sorted vector of link loads
// lexicographically smaller (fewer links at the highest changed level), so the maximum
// never rises, demands on the most loaded links move whenever they can, and the search
// ends. Returns the number of moves.
int64_t rip_up_and_reroute(State& s, const std::vector<uint32_t>& order) {
  constexpr int kMaxPasses = 200;
  int64_t moves = 0;
  // Stamps mark the links of the current path and of the candidate being weighed, so a
  // candidate costs a few passes over its links rather than a pairwise comparison.
  std::vector<uint32_t>& in_cur = s.mark_a;
  std::vector<uint32_t>& in_q = s.mark_b;
  for (int pass = 0; pass < kMaxPasses && s.evaluations < s.evaluation_limit; ++pass) {
    bool moved = false;
    for (uint32_t d : order) {
      const int64_t b = s.bytes[d];
      if (b == 0 || s.candidates(d) < 2) continue;
      const auto cur = s.path(d, s.choice[d]);
      // A move adds at least b to some link, so a path no fuller than b cannot improve.
      int64_t cur_max = 0;
      for (DirectedLink l : cur) cur_max = std::max(cur_max, s.fabric[l] ? s.load[l] : 0);
      if (cur_max <= b) continue;
      if (s.evaluations >= s.evaluation_limit) break;
      s.evaluations += static_cast<int64_t>(s.candidates(d));
      const uint32_t cur_stamp = ++s.stamp;
      for (DirectedLink l : cur) in_cur[l] = cur_stamp;
      int64_t best_added = std::numeric_limits<int64_t>::max();
      int64_t best_sum = 0;
      int64_t best = -1;
      for (size_t c = 0; c < s.candidates(d); ++c) {
        if (c == s.choice[d]) continue;
        const auto q = s.path(d, c);
        const uint32_t q_stamp = ++s.stamp;
        int64_t added = -1;
        int64_t sum = 0;
        for (DirectedLink l : q) {
          in_q[l] = q_stamp;
          if (!s.fabric[l] || in_cur[l] == cur_stamp) continue;
          added = std::max(added, s.load[l] + b);
          sum += s.load[l] + b;
        }
        if (added >= cur_max || added > best_added) continue;  // cannot beat what it leaves
        int64_t left = -1;
        for (DirectedLink l : cur) {
          if (s.fabric[l] && in_q[l] != q_stamp) left = std::max(left, s.load[l]);
        }
        if (added >= left) continue;
        if (added < best_added || sum < best_sum) {
          best_added = added;
          best_sum = sum;
          best = static_cast<int64_t>(c);
        }
      }
      if (best < 0) continue;
      s.add(d, -1);
      s.choice[d] = static_cast<uint32_t>(best);
      s.add(d, +1);
      moved = true;
      ++moves;
    }
    if (!moved) break;
  }
  return moves;
}

// The fabric maximum and how many switch links reach it: the search's score.
std::pair<int64_t, int64_t> score(const State& s) {
  std::pair<int64_t, int64_t> r{0, 0};
  for (size_t l = 0; l < s.load.size(); ++l) {
    if (!s.fabric[l] || s.load[l] < r.first) continue;
    r = s.load[l] > r.first ? std::pair<int64_t, int64_t>{s.load[l], 1}
                            : std::pair<int64_t, int64_t>{r.first, r.second + 1};
  }
  return r;
}

// Iterated local search: while above the lower bound and within the evaluation limit, kick every
// demand on a most loaded link onto another candidate at random (a fixed-seed stream, so plans are
// reproducible), search again, and keep the result when its score (maximum, then links at it) is no
// worse, so plateaus are crossed; else return to the best plan. Returns the number of kicks.
int64_t iterated_search(State& s, const std::vector<uint32_t>& order, int64_t bound) {
  constexpr int64_t kMaxKicks = 1000;
  std::vector<uint32_t> best = s.choice;
  auto best_score = score(s);
  uint64_t rng = 0x5EED5EEDULL;
  int64_t kicks = 0;
  std::vector<uint32_t> victims;
  while (best_score.first > bound && kicks < kMaxKicks && s.evaluations < s.evaluation_limit) {
    ++kicks;
    victims.clear();
    for (uint32_t d : order) {
      if (s.bytes[d] == 0 || s.candidates(d) < 2) continue;
      for (DirectedLink l : s.path(d, s.choice[d])) {
        if (s.fabric[l] && s.load[l] == best_score.first) {
          victims.push_back(d);
          break;
        }
      }
    }
    for (uint32_t d : victims) {
      s.add(d, -1);
      const auto shift = 1 + splitmix64(rng) % (s.candidates(d) - 1);
      s.choice[d] = static_cast<uint32_t>((s.choice[d] + shift) % s.candidates(d));
      s.add(d, +1);
    }
    rip_up_and_reroute(s, order);
    const auto now = score(s);
    if (now <= best_score) {
      best_score = now;
      best = s.choice;
    } else {
      std::fill(s.load.begin(), s.load.end(), 0);
      s.choice = best;
      for (size_t d = 0; d < s.choice.size(); ++d) s.add(d, +1);
    }
  }
  return kicks;
}

std::string pair_name(size_t i, const PathDemand& d) {
  return fmt::format("demand {} (host {} -> host {})", i, d.src, d.dst);
}

}  // namespace

Result<PathPlan> plan_paths(const TopologyGraph& g, const std::vector<ForwardingTable>& tables,
                            const EcmpHash& hash, std::span<const PathDemand> demands,
                            const PlanOptions& options) {
  if (options.sport_min > options.sport_max) {
    return Status::error(
        fmt::format("source port range [{}, {}] is empty", options.sport_min, options.sport_max));
  }
  if (tables.size() != g.nodes().size()) {
    return Status::error(
        fmt::format("{} forwarding tables for {} nodes", tables.size(), g.nodes().size()));
  }
  if (!hash) return Status::error("no ECMP hash given");
  const auto hosts = static_cast<uint32_t>(g.hosts().size());
  PathFinder finder(g, tables, hash, options);
  std::vector<PairPaths> pairs;
  std::unordered_map<uint64_t, uint32_t> pair_id;
  std::vector<uint32_t> first_demand;  // per pair, its first demand
  State s{g, pairs, {}, {}, {}, {}, {}};
  s.pair_of.resize(demands.size());
  s.bytes.resize(demands.size());
  s.choice.assign(demands.size(), 0);
  s.load.assign(2 * g.links().size(), 0);
  s.fabric.resize(2 * g.links().size());
  s.mark_a.assign(2 * g.links().size(), 0);
  s.mark_b.assign(2 * g.links().size(), 0);
  for (size_t l = 0; l < g.links().size(); ++l) {
    const bool f = g.nodes()[g.links()[l].a].kind == NodeKind::kSwitch &&
                   g.nodes()[g.links()[l].b].kind == NodeKind::kSwitch;
    s.fabric[2 * l] = s.fabric[2 * l + 1] = f ? 1 : 0;
  }
  for (size_t i = 0; i < demands.size(); ++i) {
    const PathDemand& d = demands[i];
    if (d.src >= hosts || d.dst >= hosts) {
      return Status::error(fmt::format("{}: host index out of range (the topology has {} hosts)",
                                       pair_name(i, d), hosts));
    }
    if (d.src == d.dst) {
      return Status::error(pair_name(i, d) + ": source and destination are the same host");
    }
    if (d.bytes < 0) {
      return Status::error(fmt::format("{}: negative size {} bytes", pair_name(i, d), d.bytes));
    }
    const uint64_t key = (static_cast<uint64_t>(d.src) << 32) | d.dst;
    const auto [it, fresh] = pair_id.emplace(key, static_cast<uint32_t>(first_demand.size()));
    if (fresh) first_demand.push_back(static_cast<uint32_t>(i));
    s.pair_of[i] = it->second;
    s.bytes[i] = d.bytes;
  }
  // Pairs are walked grouped by destination (path counts toward it are shared); a failure
  // is reported for the first demand in input order that has one.
  std::vector<uint32_t> walk_order(first_demand.size());
  std::iota(walk_order.begin(), walk_order.end(), 0U);
  std::sort(walk_order.begin(), walk_order.end(), [&](uint32_t a, uint32_t b) {
    const PathDemand& x = demands[first_demand[a]];
    const PathDemand& y = demands[first_demand[b]];
    return std::tie(x.dst, x.src) < std::tie(y.dst, y.src);
  });
  pairs.resize(first_demand.size());
  size_t failed = demands.size();
  Status failure;
  for (uint32_t p : walk_order) {
    const uint32_t i = first_demand[p];
    auto pp = finder.find(demands[i].src, demands[i].dst);
    if (pp) {
      pairs[p] = std::move(pp).value();
    } else if (i < failed) {
      failed = i;
      failure = pp.status().with_context(pair_name(i, demands[i]));
      if (finder.hash_failed()) break;  // the hash itself is wrong: no point going on
    }
  }
  if (!failure.is_ok()) return failure;

  PathPlan plan;
  for (const PairPaths& pp : pairs) {
    plan.unrealizable_paths += static_cast<int64_t>(pp.dag_paths - pp.size());
  }
  std::vector<size_t> lanes;
  const std::string why_not = colour_lanes(s, lanes);
  // Equal sizes among the demands that cross a switch link (for the method string).
  int64_t size = -1;
  bool equal_sizes = true;
  for (size_t d = 0; d < demands.size(); ++d) {
    if (s.bytes[d] == 0 || !s.uses_fabric(d)) continue;
    equal_sizes = equal_sizes && (size < 0 || s.bytes[d] == size);
    size = s.bytes[d];
  }
  plan.lower_bound_bytes = lower_bound(s);
  auto quality = [&](int64_t max) {
    if (max <= plan.lower_bound_bytes) return std::string("reaches the lower bound, so optimal");
    return fmt::format("heuristic, {:.1f}% above the lower bound",
                       100.0 * static_cast<double>(max - plan.lower_bound_bytes) /
                           static_cast<double>(plan.lower_bound_bytes));
  };
  std::vector<uint32_t> order(demands.size());
  std::iota(order.begin(), order.end(), 0U);
  std::stable_sort(order.begin(), order.end(),
                   [&](uint32_t a, uint32_t b) { return s.bytes[a] > s.bytes[b]; });
  // The colouring balances demand counts, which is optimal when it meets the bound; else
  // it is polished by local search, greedy LPT + local search runs too, and the better
  // plan is kept.
  std::string why = why_not;
  // Candidate paths the local searches may weigh in all, which bounds planning time
  // (a few tens of ns each); a search that runs out keeps its best plan so far.
  constexpr int64_t kSearchBudget = 6'000'000;
  std::vector<uint32_t> polished;
  int64_t polished_max = 0;
  int64_t polish_moves = 0;
  int64_t polish_kicks = 0;
  std::string coloured_what;
  if (why_not.empty()) {
    for (size_t d = 0; d < demands.size(); ++d) s.add(d, +1);
    const int64_t coloured = s.max_fabric();
    coloured_what = lanes.size() == 1
                        ? fmt::format("edge colouring (2-tier, {} lanes", lanes[0])
                        : fmt::format("edge colouring per stage ({} stages of {} lanes",
                                      lanes.size(), fmt::join(lanes, "/"));
    coloured_what += equal_sizes ? ", equal sizes)" : ")";
    if (coloured <= plan.lower_bound_bytes) {
      plan.method = coloured_what + ": optimal, no switch link above the lower bound";
      plan.max_link_bytes = coloured;
    } else {
      why = !equal_sizes       ? "unequal sizes"
            : lanes.size() > 1 ? "stages coloured one at a time"
                               : "colouring above the bound";
      s.evaluation_limit = kSearchBudget / 2;
      polish_moves = rip_up_and_reroute(s, order);
      polish_kicks = iterated_search(s, order, plan.lower_bound_bytes);
      polished = s.choice;
      polished_max = s.max_fabric();
      std::fill(s.load.begin(), s.load.end(), 0);
    }
  }
  if (plan.method.empty()) {
    greedy_lpt(s, order);
    const int64_t greedy_max = s.max_fabric();
    s.evaluation_limit = kSearchBudget;
    const int64_t moves = rip_up_and_reroute(s, order);
    const int64_t kicks = iterated_search(s, order, plan.lower_bound_bytes);
    const int64_t searched = s.max_fabric();
    if (!polished.empty() && polished_max <= searched) {
      std::fill(s.load.begin(), s.load.end(), 0);
      s.choice = polished;
      for (size_t d = 0; d < demands.size(); ++d) s.add(d, +1);
      plan.method = fmt::format(
          "{} + rip-up local search ({}; {} moves, {} kicks; greedy LPT + local search gave {} "
          "B): {}",
          coloured_what, why, polish_moves, polish_kicks, searched, quality(polished_max));
    } else {
      plan.method = fmt::format(
          "greedy LPT + rip-up local search ({}; greedy max {} B, {} moves, {} kicks{}): {}", why,
          greedy_max, moves, kicks,
          polished.empty()
              ? std::string()
              : fmt::format("; {} + local search gave {} B", coloured_what, polished_max),
          quality(searched));
    }
  }
  plan.max_link_bytes = s.max_fabric();
  plan.link_bytes = s.load;
  plan.sport.resize(demands.size());
  plan.path.resize(demands.size());
  for (size_t d = 0; d < demands.size(); ++d) {
    const PairPaths& pp = pairs[s.pair_of[d]];
    plan.sport[d] = pp.sport[s.choice[d]];
    const auto p = pp.path(s.choice[d]);
    plan.path[d].assign(p.begin(), p.end());
  }
  return plan;
}

std::vector<uint16_t> path_distinct_sports(const TopologyGraph& g,
                                           const std::vector<ForwardingTable>& tables,
                                           const EcmpHash& hash, uint32_t src, uint32_t dst,
                                           size_t max, const PlanOptions& options) {
  const auto hosts = g.hosts().size();
  if (!hash || src >= hosts || dst >= hosts || src == dst || tables.size() != g.nodes().size() ||
      options.sport_min > options.sport_max) {
    return {};
  }
  PathFinder finder(g, tables, hash, options);
  auto pp = finder.find(src, dst);
  if (!pp) return {};
  std::vector<uint16_t> sports = std::move(pp->sport);
  if (sports.size() > max) sports.resize(max);
  return sports;
}

}  // namespace aifabric
