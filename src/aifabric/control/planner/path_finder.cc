// Candidate paths of a (src, dst) pair: walking source ports through the switches' hash.
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

}  // namespace aifabric::planner_detail
