// Planning by local search: greedy LPT, rip-up-and-reroute, iterated kicks.
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

}  // namespace aifabric::planner_detail
