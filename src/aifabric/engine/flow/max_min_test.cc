// The max-min solver against hand-solved textbook cases (Bertsekas & Gallager, Data
// Networks, 6.5.2: progressive filling), weights and split flows, the defining property
// of max-min fairness on random instances, and the incremental solve against a full
// re-solve after every change of a random sequence.
#include "aifabric/engine/flow/max_min.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

#include "aifabric/core/random.h"

namespace aifabric {
namespace {

using Use = MaxMinSolver::Use;

TEST(MaxMin, TwoLinksThreeFlows) {
  // A long flow over both links and one short flow on each: all get half.
  MaxMinSolver s;
  const uint32_t a = s.add_link(10), b = s.add_link(10);
  const uint32_t f1 = s.add_flow(std::vector<Use>{{a, 1}, {b, 1}});
  const uint32_t f2 = s.add_flow(std::vector<Use>{{a, 1}});
  const uint32_t f3 = s.add_flow(std::vector<Use>{{b, 1}});
  s.solve();
  EXPECT_DOUBLE_EQ(s.rate(f1), 5);
  EXPECT_DOUBLE_EQ(s.rate(f2), 5);
  EXPECT_DOUBLE_EQ(s.rate(f3), 5);
}

TEST(MaxMin, BottleneckedFlowLeavesRoomForOthers) {
  // f1, f2 share a 1-unit link; f2 and f3 share a 10-unit link: f3 takes what f2 cannot.
  MaxMinSolver s;
  const uint32_t a = s.add_link(1), b = s.add_link(10);
  const uint32_t f1 = s.add_flow(std::vector<Use>{{a, 1}});
  const uint32_t f2 = s.add_flow(std::vector<Use>{{a, 1}, {b, 1}});
  const uint32_t f3 = s.add_flow(std::vector<Use>{{b, 1}});
  s.solve();
  EXPECT_DOUBLE_EQ(s.rate(f1), 0.5);
  EXPECT_DOUBLE_EQ(s.rate(f2), 0.5);
  EXPECT_DOUBLE_EQ(s.rate(f3), 9.5);
  // f1 leaves: f2 gets the whole small link, f3 the rest of the big one.
  s.remove_flow(f1);
  const auto changed = s.solve();
  EXPECT_EQ(changed.size(), 2U);
  EXPECT_DOUBLE_EQ(s.rate(f2), 1);
  EXPECT_DOUBLE_EQ(s.rate(f3), 9);
}

TEST(MaxMin, WeightsAndSplitFlows) {
  MaxMinSolver s;
  const uint32_t a = s.add_link(3);
  const uint32_t heavy = s.add_flow(std::vector<Use>{{a, 1}}, 2);
  const uint32_t light = s.add_flow(std::vector<Use>{{a, 1}}, 1);
  s.solve();
  EXPECT_DOUBLE_EQ(s.rate(heavy), 2);
  EXPECT_DOUBLE_EQ(s.rate(light), 1);
  // A flow split evenly over two parallel 10-unit links, alone: 20.
  MaxMinSolver t;
  const uint32_t p = t.add_link(10), q = t.add_link(10), nic = t.add_link(100);
  const uint32_t f = t.add_flow(std::vector<Use>{{nic, 1}, {p, 0.5}, {q, 0.5}});
  t.solve();
  EXPECT_DOUBLE_EQ(t.rate(f), 20);
  // A single-path flow joins one of the links: both end at 10 per link-unit shared.
  const uint32_t g = t.add_flow(std::vector<Use>{{p, 1}});
  t.solve();
  // p: 0.5 r_f + r_g <= 10 with r_f = r_g -> 20/3 each; q then has room but f is
  // bottlenecked at p.
  EXPECT_NEAR(t.rate(f), 20.0 / 3, 1e-12);
  EXPECT_NEAR(t.rate(g), 20.0 / 3, 1e-12);
}

struct Instance {
  MaxMinSolver solver;
  std::vector<std::vector<Use>> paths;  // by solver flow id (empty: removed)
  std::vector<double> weight;
};

std::vector<Use> random_path(RandomStream& rng, uint32_t links) {
  std::vector<Use> uses;
  const auto n = static_cast<size_t>(1 + rng.below(5));
  while (uses.size() < n) {
    const auto l = static_cast<uint32_t>(rng.below(links));
    if (std::none_of(uses.begin(), uses.end(), [&](const Use& u) { return u.link == l; })) {
      uses.push_back({l, rng.below(4) == 0 ? 0.5 : 1.0});
    }
  }
  return uses;
}

// Every flow has a saturated link on which no other flow has more rate per weight
// (the bottleneck characterisation of max-min fairness), and no link is over capacity.
void expect_max_min_fair(const Instance& in) {
  const MaxMinSolver& s = in.solver;
  std::vector<double> load(s.link_count());
  std::vector<double> top(s.link_count());  // largest rate/weight among its flows
  for (uint32_t f = 0; f < in.paths.size(); ++f) {
    for (const Use& u : in.paths[f]) {
      load[u.link] += s.rate(f) * u.share;
      top[u.link] = std::max(top[u.link], s.rate(f) / in.weight[f]);
    }
  }
  for (uint32_t l = 0; l < s.link_count(); ++l) {
    EXPECT_LE(load[l], s.capacity(l) * (1 + 1e-9)) << "link " << l;
  }
  for (uint32_t f = 0; f < in.paths.size(); ++f) {
    if (in.paths[f].empty()) continue;
    bool bottleneck = false;
    for (const Use& u : in.paths[f]) {
      const bool saturated = load[u.link] >= s.capacity(u.link) * (1 - 1e-9);
      bottleneck |= saturated && s.rate(f) / in.weight[f] >= top[u.link] * (1 - 1e-9);
    }
    EXPECT_TRUE(bottleneck) << "flow " << f << " has no bottleneck link";
  }
}

// Runs 600 random changes on `links` links; returns the flows a full re-solve after
// every change would have solved (the incremental solver's count is in the solver).
uint64_t check_incremental(Instance& in, uint32_t links, uint64_t seed) {
  RandomStream rng(seed);
  const uint32_t kLinks = links;
  uint64_t full_cost = 0;
  for (uint32_t l = 0; l < kLinks; ++l) in.solver.add_link(1 + static_cast<double>(rng.below(20)));
  for (int step = 0; step < 600; ++step) {
    const bool add = in.solver.active_flows() < 5 || rng.below(3) != 0;
    if (add) {
      const std::vector<Use> path = random_path(rng, kLinks);
      const double w = rng.below(3) == 0 ? 2 : 1;
      const uint32_t id = in.solver.add_flow(path, w);
      if (id >= in.paths.size()) {
        in.paths.resize(id + 1);
        in.weight.resize(id + 1, 1);
      }
      in.paths[id] = path;
      in.weight[id] = w;
    } else {
      std::vector<uint32_t> live;
      for (uint32_t f = 0; f < in.paths.size(); ++f) {
        if (!in.paths[f].empty()) live.push_back(f);
      }
      const uint32_t f = live[rng.below(live.size())];
      in.solver.remove_flow(f);
      in.paths[f].clear();
    }
    if (rng.below(10) == 0) {
      in.solver.set_capacity(static_cast<uint32_t>(rng.below(kLinks)),
                             1 + static_cast<double>(rng.below(20)));
    }
    in.solver.solve();
    full_cost += in.solver.active_flows();
    // A fresh solver over the same flows, solved from scratch.
    MaxMinSolver full;
    for (uint32_t l = 0; l < kLinks; ++l) full.add_link(in.solver.capacity(l));
    std::vector<uint32_t> id_of(in.paths.size());
    for (uint32_t f = 0; f < in.paths.size(); ++f) {
      if (!in.paths[f].empty()) id_of[f] = full.add_flow(in.paths[f], in.weight[f]);
    }
    full.solve_all();
    for (uint32_t f = 0; f < in.paths.size(); ++f) {
      if (in.paths[f].empty()) continue;
      EXPECT_NEAR(in.solver.rate(f), full.rate(id_of[f]), 1e-9 * (1 + full.rate(id_of[f])))
          << "step " << step << " flow " << f;
    }
    if (step % 50 == 0) expect_max_min_fair(in);
  }
  return full_cost;
}

TEST(MaxMin, IncrementalSolveEqualsFullSolve) {
  // Dense: ~12 flows per link, everything one component.
  Instance dense;
  check_incremental(dense, 60, 7);
  // Sparse (the fabric case: a change touches a few links): the same answers for a
  // fraction of the work.
  Instance sparse;
  const uint64_t full = check_incremental(sparse, 3000, 11);
  EXPECT_LT(sparse.solver.flows_solved() * 5, full);
}

}  // namespace
}  // namespace aifabric
