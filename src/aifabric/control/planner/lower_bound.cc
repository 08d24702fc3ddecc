// The planner's lower bound on the busiest switch link.
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

}  // namespace aifabric::planner_detail
