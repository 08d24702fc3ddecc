// The planner's internals, shared by its parts: a pair's candidate paths and the walk
// that finds them (path_finder.cc), the assignment under construction (State), the
// lower bound (lower_bound.cc), the lane colouring (colouring.cc) and the local searches
// (search.cc). Not an interface: only planner.cc and these parts include it.
#pragma once

#include <span>
#include <string>
#include <utility>
#include <vector>

#include "aifabric/control/planner/planner.h"

namespace aifabric::planner_detail {

// Path counts saturate here; no port range realizes anywhere near this many paths.
inline constexpr uint64_t kManyPaths = uint64_t{1} << 62;
inline constexpr uint64_t kUnset = std::numeric_limits<uint64_t>::max();

inline DirectedLink directed(const TopologyGraph& g, uint32_t link, uint32_t from) {
  return 2 * link + (g.links()[link].a == from ? 0U : 1U);
}
inline uint32_t tail(const TopologyGraph& g, DirectedLink d) {
  const TopoLink& l = g.links()[d / 2];
  return d % 2 == 0 ? l.a : l.b;
}
inline uint32_t head(const TopologyGraph& g, DirectedLink d) {
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

inline bool contains(std::span<const DirectedLink> p, DirectedLink l) {
  return std::find(p.begin(), p.end(), l) != p.end();
}

// Lower bound on the maximum switch-link load no assignment can beat (lower_bound.cc).
int64_t lower_bound(const State& s);

// Colours the demands' paths stage by stage when they go up and down through lanes
// every demand can use; sets s.choice and returns "" on success, else why not
// (colouring.cc).
std::string colour_lanes(State& s, std::vector<size_t>& lanes_per_stage);

// The local searches (search.cc): greedy LPT, rip-up-and-reroute, and iterated kicks.
void greedy_lpt(State& s, const std::vector<uint32_t>& order);
int64_t rip_up_and_reroute(State& s, const std::vector<uint32_t>& order);
std::pair<int64_t, int64_t> score(const State& s);
int64_t iterated_search(State& s, const std::vector<uint32_t>& order, int64_t bound);

}  // namespace aifabric::planner_detail
