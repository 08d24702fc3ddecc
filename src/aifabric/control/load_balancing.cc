#include "aifabric/control/load_balancing.h"

#include <algorithm>
#include <array>
#include <memory>
#include <unordered_map>

#include "aifabric/control/ecmp_predictor.h"
#include "aifabric/control/planner/planner.h"

namespace aifabric {
namespace {

// Round-robin spraying cycles through at most this many distinct paths per host pair.
constexpr size_t kMaxSprayPaths = 256;

// Packet spraying: each flow's sender gets its class's mode; round robin also gets one
// source port per distinct path between its hosts (computed once per host pair).
void install_spraying(const TopologyGraph& g, Network& net) {
  const FabricConfig& fc = net.config();
  struct State {
    std::array<std::optional<PathSelection>, kNumPriorities> base;
    std::array<std::unique_ptr<EcmpPredictor>, kNumPriorities> ecmp;
    std::unordered_map<uint64_t, std::vector<uint16_t>> sports[kNumPriorities];
  };
  auto state = std::make_shared<State>();
  bool any = false;
  for (uint8_t prio = 0; prio < kNumPriorities; ++prio) {
    const LbAlgorithm& lb = fc.lb_of(prio);
    if (lb.sender == nullptr) continue;
    PathSelection base;
    lb.sender(fc.lb_params_of(prio), base);
    const SenderMode* mode = sender_modes().find(base.mode);
    if (mode != nullptr && mode->needs_paths) {
      state->ecmp[prio] = std::make_unique<EcmpPredictor>(g, net, prio);
    }
    state->base[prio] = std::move(base);
    any = true;
  }
  if (!any) return;
  const TopologyGraph* graph = &g;
  Network* n = &net;
  net.set_path_selection([state, graph, n](const FlowSpec& f) {
    if (!state->base[f.priority]) return PathSelection{};
    PathSelection ps = *state->base[f.priority];
    ps.seed = n->sim().derive_seed("spray/" + std::to_string(f.id));
    if (const auto& ecmp = state->ecmp[f.priority]) {
      auto [it, added] = state->sports[f.priority].try_emplace(Network::host_pair(f.src, f.dst));
      if (added) {
        it->second =
            path_distinct_sports(*graph, ecmp->tables, ecmp->hash, f.src, f.dst, kMaxSprayPaths);
      }
      ps.sports = it->second;
    }
    return ps;
  });
}

// Planned paths, per traffic class that uses them: the controller places every flow
// (or, for a task graph, every host pair's transfers together) and the NICs get the
// source ports that realize the plan.
Result<std::optional<PlanReport>> plan_ports(const TopologyGraph& g,
                                             const std::vector<JobTransfer>* job,
                                             std::vector<FlowSpec>& flows, Network& net) {
  const FabricConfig& fc = net.config();
  std::optional<PlanReport> report;
  std::unordered_map<uint64_t, uint16_t> pair_ports;
  for (uint8_t prio = 0; prio < kNumPriorities; ++prio) {
    if (!fc.lb_of(prio).planned) continue;
    std::vector<PathDemand> demands;
    std::vector<uint64_t> pairs;  // task graphs: the host pair of each demand
    std::vector<size_t> of_flow;  // flows: the flow of each demand
    if (job != nullptr) {
      std::unordered_map<uint64_t, size_t> index;
      for (const JobTransfer& t : *job) {
        if (t.priority != prio) continue;
        const auto [it, added] = index.emplace(Network::host_pair(t.src, t.dst), demands.size());
        if (added) {
          demands.push_back(PathDemand{t.src, t.dst, 0});
          pairs.push_back(it->first);
        }
        demands[it->second].bytes += t.bytes;
      }
    } else {
      for (size_t i = 0; i < flows.size(); ++i) {
        if (flows[i].priority != prio) continue;
        demands.push_back(PathDemand{flows[i].src, flows[i].dst, flows[i].size});
        of_flow.push_back(i);
      }
    }
    if (demands.empty()) continue;
    const EcmpPredictor ecmp(g, net, prio);
    auto plan = plan_paths(g, ecmp.tables, ecmp.hash, demands);
    if (!plan) return plan.status().with_context("lb planned");
    for (size_t i = 0; i < pairs.size(); ++i) pair_ports.emplace(pairs[i], plan->sport[i]);
    for (size_t i = 0; i < of_flow.size(); ++i) flows[of_flow[i]].sport = plan->sport[i];
    if (!report) report = PlanReport{};
    for (size_t i = 0; i < demands.size(); ++i) {
      PlannedDemand d{demands[i].src, demands[i].dst, prio, demands[i].bytes, plan->sport[i], {}};
      d.path = g.nodes()[g.hosts()[d.src]].name;
      for (const DirectedLink dl : plan->path[i]) {
        const TopoLink& l = g.links()[dl / 2];
        d.path += " " + g.nodes()[(dl % 2) == 0 ? l.b : l.a].name;
      }
      report->assignment.push_back(std::move(d));
    }
    report->method = plan->method;
    report->demands += demands.size();
    report->max_link_bytes = std::max(report->max_link_bytes, plan->max_link_bytes);
    report->lower_bound_bytes = std::max(report->lower_bound_bytes, plan->lower_bound_bytes);
  }
  if (!pair_ports.empty()) net.set_planned_ports(std::move(pair_ports));
  return report;
}

}  // namespace

Result<std::optional<PlanReport>> install_load_balancing(const TopologyGraph& g,
                                                         const std::vector<JobTransfer>* job,
                                                         std::vector<FlowSpec>& flows,
                                                         Network& net) {
  auto plan = plan_ports(g, job, flows, net);
  if (!plan) return plan.status();
  install_spraying(g, net);
  return plan;
}

}  // namespace aifabric
