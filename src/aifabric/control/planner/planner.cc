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

#include "aifabric/control/planner/planner_internal.h"
#include "aifabric/core/random.h"
#include "aifabric/net/packet.h"

namespace aifabric {

uint64_t planned_entropy(uint32_t src, uint32_t dst, uint16_t sport) {
  return flow_entropy(src, dst, sport, kRoceUdpPort);
}

namespace {

using namespace planner_detail;

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
