#include "aifabric/scenario/run.h"

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <limits>
#include <numeric>
#include <optional>
#include <unordered_map>

#include "aifabric/core/line_reader.h"
#include "aifabric/core/parse.h"
#include "aifabric/lb/ecmp/ecmp.h"
#include "aifabric/lb/load_balancer.h"
#include "aifabric/control/planner/planner.h"
#include "aifabric/topo/import/ns3_topology.h"
#include "aifabric/topo/routing.h"
#include "aifabric/transport/cc/congestion_control.h"
#include "aifabric/workload/analytic_executor.h"
#include "aifabric/workload/collectives/collectives.h"
#include "aifabric/workload/traffic/csv/flow_file.h"
#include "aifabric/workload/traffic/ns3/ns3_flows.h"
#include "aifabric/workload/packet_executor.h"

namespace aifabric {
namespace {

// Round-robin spraying cycles through at most this many distinct paths per host pair.
constexpr size_t kMaxSprayPaths = 256;

std::string resolve(const Scenario& s, const std::string& file) {
  std::filesystem::path p(file);
  if (p.is_absolute()) return file;
  return (std::filesystem::path(s.base_dir) / p).string();
}

Result<std::vector<FlowSpec>> build_traffic(const Scenario& s, size_t i, const TopologyGraph& g,
                                            RandomStream& rng) {
  const TrafficSpec& t = s.traffic[i];
  const auto hosts = static_cast<uint32_t>(g.hosts().size());
  const auto prio = static_cast<uint8_t>(s.transport.data_priority);
  switch (t.type) {
    case 0:
      return permutation_flows(t.permutation, hosts, prio, rng);
    case 1:
      return incast_flows(t.incast, hosts, prio, rng);
    case 2:
      return all_to_all_flows(t.all_to_all, hosts, prio, rng);
    case 3: {
      const std::string path = resolve(s, t.file.file);
      std::ifstream in(path);
      if (!in) return Status::error("file: cannot read '" + path + "'");
      const auto p = t.file.priority >= 0 ? static_cast<uint8_t>(t.file.priority) : prio;
      return read_flow_csv(in, path, hosts, p);
    }
    default: {
      const std::string path = resolve(s, t.ns3.file);
      std::ifstream in(path);
      if (!in) return Status::error("file: cannot read '" + path + "'");
      return read_ns3_flows(in, path, g);
    }
  }
}

double peak_memory_mib() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_maxrss) / 1024.0;  // ru_maxrss is in KiB on Linux
}

struct ProgressBridge {
  RunObserver* observer;
  const Network* net;
  static void call(void* ctx, const Simulator& sim) {
    auto* b = static_cast<ProgressBridge*>(ctx);
    b->observer->progress(sim, b->net->flows_finished(), b->net->flows().size());
  }
};

Result<TaskTimes> run_workload(const PreparedRun& run, Network& net) {
  const LlmWorkloadSpec& w = run.scenario->workload.llm;
  const IterationGraph& it = *run.iteration;
  if (!run.plan || w.backend == Backend::kPacket)
    return run_on_network(it.graph, it.map, net, run.scenario->stop_time);
  return run_analytic(it.graph, it.map, alpha_beta(net, *run.scenario, it.map.host_of_rank[0]));
}

WorkloadReport workload_report(const PreparedRun& run, const TaskTimes& t) {
  const IterationPlan& plan = *run.plan;
  const TaskGraph& g = run.iteration->graph;
  WorkloadReport r;
  r.backend = std::string(kBackendNames[static_cast<int>(run.scenario->workload.llm.backend)]);
  r.tasks = g.size();
  r.iteration = t.makespan();
  std::vector<Time> busy(static_cast<size_t>(plan.gpus));
  // Per group: the span of its tasks.
  std::vector<Time> first(g.groups().size(), Time::max());
  std::vector<Time> last(g.groups().size());
  // Pipeline exchanges are point-to-point: their time is each transfer's own.
  std::vector<Time> transfer_sum(g.groups().size());
  std::vector<int64_t> transfers(g.groups().size(), 0);
  for (size_t i = 0; i < g.size(); ++i) {
    const Task& task = g.tasks()[i];
    if (task.kind == TaskKind::kCompute) {
      busy[task.rank] += task.duration;
      continue;
    }
    first[task.group] = std::min(first[task.group], t.start[i]);
    last[task.group] = std::max(last[task.group], t.finish[i]);
    transfer_sum[task.group] += t.finish[i] - t.start[i];
    ++transfers[task.group];
  }
  for (Time b : busy) r.compute = std::max(r.compute, b);
  // Communication's share is what it adds to the iteration: the makespan minus that of
  // the same schedule with free transfers (which keeps the pipeline bubble).
  {
    ClusterMap free_map = run.iteration->map;
    free_map.nvlink_latency = Time::zero();
    free_map.nvlink_rate = BitRate::bps(std::numeric_limits<int64_t>::max() / 8);
    AlphaBeta free_net;
    free_net.net_alpha = Time::zero();
    free_net.net_beta = BitRate::bps(std::numeric_limits<int64_t>::max() / 8);
    free_net.net_efficiency = 1;
    auto baseline = run_analytic(g, free_map, free_net);
    r.without_comm = baseline ? baseline->makespan() : r.compute;
  }
  r.bubble = r.without_comm > r.compute ? r.without_comm - r.compute : Time::zero();
  r.exposed_comm = r.iteration > r.without_comm ? r.iteration - r.without_comm : Time::zero();
  r.comm_share =
      r.iteration > Time::zero() ? r.exposed_comm.to_seconds() / r.iteration.to_seconds() : 0;
  // Aggregate instances by name (stage and bucket numbers dropped: "dp.allreduce").
  for (size_t gi = 0; gi < g.groups().size(); ++gi) {
    if (first[gi] == Time::max()) continue;
    const TaskGroup& grp = g.groups()[gi];
    const std::string name = grp.name.substr(0, grp.name.find(' '));
    auto it = std::find_if(r.collectives.begin(), r.collectives.end(),
                           [&](const CollectiveRow& c) { return c.name == name; });
    if (it == r.collectives.end()) {
      r.collectives.push_back(CollectiveRow{name, grp.kind, grp.ranks, 0, 0, Time::zero(), 0, 0});
      it = r.collectives.end() - 1;
    }
    if (grp.kind == "pp_send") {
      it->bytes = grp.bytes;
      it->instances = static_cast<size_t>(transfers[gi]);
      it->mean_time = Time::ps(transfer_sum[gi].ps() / std::max<int64_t>(transfers[gi], 1));
      continue;
    }
    // Running means of size and time over the instances (stages differ in size).
    const Time span = last[gi] - first[gi];
    const auto k = static_cast<int64_t>(it->instances);
    it->mean_time = Time::ps((it->mean_time.ps() * k + span.ps()) / (k + 1));
    it->bytes = (it->bytes * k + grp.bytes) / (k + 1);
    ++it->instances;
  }
  for (auto& c : r.collectives) {
    const double secs = c.mean_time.to_seconds();
    if (secs <= 0) continue;
    c.algbw_gbs = static_cast<double>(c.bytes) / secs / 1e9;
    CollectiveOp op = CollectiveOp::kAllReduce;
    if (c.kind == "pp_send") op = CollectiveOp::kSendRecv;
    if (c.kind == "all_to_all") op = CollectiveOp::kAllToAll;
    if (c.kind == "reduce_scatter") op = CollectiveOp::kReduceScatter;
    if (c.kind == "all_gather") op = CollectiveOp::kAllGather;
    c.busbw_gbs = c.algbw_gbs * bus_factor(op, c.ranks);
  }
  r.training_days_formula = plan.training_days_formula;
  r.training_days_simulated = r.iteration.to_seconds() * plan.iterations_for_training / 86400.0;
  return r;
}

Result<TopologyGraph> build_graph(const Scenario& s) {
  const TopologySpec& t = s.topology;
  switch (t.type) {
    case 0:
      return build_leaf_spine(t.leaf_spine);
    case 1:
      return build_fat_tree(t.fat_tree);
    case 3:
      return build_rail_optimized(t.rail_optimized);
    default: {
      const std::string path = resolve(s, t.ns3.file);
      std::ifstream in(path);
      if (!in) return Status::error("topology.file: cannot read '" + path + "'");
      return read_ns3_topology(in, path);
    }
  }
}

// Items separated by commas or blanks: "leaf0-spine1, leaf2-spine0".
std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> out;
  for (const std::string_view field : split_commas(text)) {
    for (const std::string_view item : split_blanks(field)) out.emplace_back(item);
  }
  return out;
}

// The link named "nodeA-nodeB" (node names may themselves contain '-').
Result<uint32_t> find_named_link(const TopologyGraph& g, const std::string& name) {
  std::unordered_map<std::string_view, uint32_t> ids;
  for (uint32_t i = 0; i < g.nodes().size(); ++i) ids.emplace(g.nodes()[i].name, i);
  for (size_t dash = name.find('-'); dash != std::string::npos; dash = name.find('-', dash + 1)) {
    const auto a = ids.find(std::string_view(name).substr(0, dash));
    const auto b = ids.find(std::string_view(name).substr(dash + 1));
    if (a == ids.end() || b == ids.end()) continue;
    const int64_t l = g.find_link(a->second, b->second);
    if (l >= 0) return static_cast<uint32_t>(l);
    return Status::error("'" + name + "': " + std::string(a->first) + " and " +
                         std::string(b->first) + " are not linked");
  }
  return Status::error("'" + name + "': expected nodeA-nodeB with two node names (e.g. " +
                       g.nodes()[g.hosts()[0]].name + "-" +
                       g.nodes()[g.adjacent(g.hosts()[0])[0].peer].name + ")");
}

Status apply_link_states(const TopologySpec& t, TopologyGraph& g) {
  for (const auto& name : split_list(t.failed_links)) {
    auto l = find_named_link(g, name);
    if (!l) return l.status().with_context("failed_links");
    g.set_link_up(*l, false);
  }
  for (const auto& item : split_list(t.degraded_links)) {
    const size_t eq = item.find('=');
    if (eq == std::string::npos) {
      return Status::error("degraded_links: '" + item + "': expected nodeA-nodeB=RATE");
    }
    auto l = find_named_link(g, item.substr(0, eq));
    if (!l) return l.status().with_context("degraded_links");
    auto rate = parse_rate(item.substr(eq + 1));
    if (!rate) return rate.status().with_context("degraded_links: '" + item + "'");
    if (rate->bits_per_second() <= 0) {
      return Status::error("degraded_links: '" + item + "': the rate must be positive");
    }
    g.set_link_rate(*l, *rate);
  }
  return Status::ok();
}

CollectiveReport collective_report(const PreparedRun& run, const TaskTimes& t, const Network& net) {
  const CollectiveWorkloadSpec& c = run.scenario->workload.collective;
  CollectiveReport r;
  r.op = std::string(kCollectiveOpNames[static_cast<int>(c.op)]);
  r.algorithm = std::string(kCollectiveAlgoNames[static_cast<int>(c.algorithm)]);
  r.ranks = run.iteration->map.ranks();
  r.bytes = c.size.count();
  r.time = t.makespan();
  r.line_rate_gbs =
      static_cast<double>(
          net.hosts()[run.iteration->map.host_of_rank[0]]->port().link().rate.bits_per_second()) /
      8e9;
  if (r.time > Time::zero() && r.time != Time::max()) {
    r.algbw_gbs = static_cast<double>(r.bytes) / r.time.to_seconds() / 1e9;
    r.busbw_gbs = r.algbw_gbs * bus_factor(c.op, r.ranks);
  }
  return r;
}

// Ranks in host order, or interleaved over the leaves (rank r on leaf r mod L).
std::vector<uint32_t> rank_hosts(const TopologyGraph& g, RankPlacement placement) {
  const auto hosts = static_cast<uint32_t>(g.hosts().size());
  std::vector<uint32_t> order(hosts);
  std::iota(order.begin(), order.end(), 0U);
  if (placement == RankPlacement::kLinear) return order;
  std::vector<uint32_t> leaf_ids;
  std::vector<std::vector<uint32_t>> by_leaf;
  for (uint32_t h = 0; h < hosts; ++h) {
    const uint32_t leaf = g.adjacent(g.hosts()[h])[0].peer;
    auto it = std::find(leaf_ids.begin(), leaf_ids.end(), leaf);
    if (it == leaf_ids.end()) {
      leaf_ids.push_back(leaf);
      by_leaf.emplace_back();
      it = leaf_ids.end() - 1;
    }
    by_leaf[static_cast<size_t>(it - leaf_ids.begin())].push_back(h);
  }
  order.clear();
  for (size_t round = 0; order.size() < hosts; ++round) {
    for (const auto& l : by_leaf) {
      if (round < l.size()) order.push_back(l[round]);
    }
  }
  return order;
}

Status prepare_collective(const Scenario& s, PreparedRun& run) {
  const CollectiveWorkloadSpec& c = s.workload.collective;
  const auto hosts = static_cast<uint32_t>(run.graph.hosts().size());
  const auto n = c.ranks == 0 ? hosts : static_cast<uint32_t>(c.ranks);
  if (n < 2 || n > hosts) {
    return Status::error("workload.ranks: " + std::to_string(n) +
                         " ranks, but a collective needs at least 2 and the topology has " +
                         std::to_string(hosts) + " hosts (one rank per host)");
  }
  ClusterMap map = ClusterMap::linear(n, 1);
  const std::vector<uint32_t> order = rank_hosts(run.graph, c.placement);
  map.host_of_rank.assign(order.begin(), order.begin() + n);
  CollectiveSpec spec;
  spec.op = c.op;
  spec.algo = c.algorithm;
  spec.bytes = c.size.count();
  spec.priority = static_cast<uint8_t>(s.transport.data_priority);
  std::vector<uint32_t> ranks(n);
  std::iota(ranks.begin(), ranks.end(), 0U);
  TaskGraph g;
  auto fin = add_collective(g, spec, ranks, {}, map,
                            std::string(kCollectiveOpNames[static_cast<int>(c.op)]));
  if (!fin) return fin.status().with_context("workload");
  run.iteration = IterationGraph{std::move(g), std::move(map), 0};
  return Status::ok();
}

// What the switches' ECMP will do to packets of one priority: their forwarding tables
// and hash seeds, for the controllers that choose source ports (planned paths,
// round-robin spraying).
struct EcmpPredictor {
  std::vector<ForwardingTable> tables;
  std::vector<uint64_t> seeds;  // by node id
  EcmpHash hash;
  EcmpPredictor(const TopologyGraph& g, const Network& net, uint8_t prio)
      : tables(compute_shortest_paths(g)), seeds(g.nodes().size(), 0) {
    for (uint32_t id = 0; id < seeds.size(); ++id) {
      if (g.nodes()[id].kind == NodeKind::kSwitch) seeds[id] = net.lb_seed(id, prio);
    }
    hash = [this](uint32_t node, uint64_t entropy, std::span<const uint16_t> candidates) {
      return Ecmp::pick(entropy, seeds[node], candidates);
    };
  }
  EcmpPredictor(const EcmpPredictor&) = delete;
  EcmpPredictor& operator=(const EcmpPredictor&) = delete;
};

// Packet spraying: each flow's sender gets its class's mode; round robin also gets one
// source port per distinct path between its hosts (computed once per host pair).
void install_spraying(const TopologyGraph& g, const FabricConfig& fc, Network& net) {
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
    if (base.mode == SprayMode::kRoundRobin) {
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
Result<std::optional<PlanReport>> plan_ports(const TopologyGraph& g, const FabricConfig& fc,
                                             const TaskGraph* tasks, const ClusterMap* map,
                                             std::vector<FlowSpec>& flows, Network& net) {
  std::optional<PlanReport> report;
  std::unordered_map<uint64_t, uint16_t> pair_ports;
  for (uint8_t prio = 0; prio < kNumPriorities; ++prio) {
    if (!fc.lb_of(prio).planned) continue;
    std::vector<PathDemand> demands;
    std::vector<uint64_t> pairs;  // task graphs: the host pair of each demand
    std::vector<size_t> of_flow;  // flows: the flow of each demand
    if (tasks != nullptr) {
      std::unordered_map<uint64_t, size_t> index;
      for (const Task& t : tasks->tasks()) {
        if (t.kind != TaskKind::kTransfer || t.priority != prio || map->same_node(t.rank, t.peer))
          continue;
        const uint32_t src = map->host_of_rank[t.rank];
        const uint32_t dst = map->host_of_rank[t.peer];
        const auto [it, added] = index.emplace(Network::host_pair(src, dst), demands.size());
        if (added) {
          demands.push_back(PathDemand{src, dst, 0});
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

Result<TopologyGraph> build_topology(const Scenario& s) {
  auto g = build_graph(s);
  if (!g) return g;
  if (auto st = apply_link_states(s.topology, *g); !st) return st;
  return g;
}

const char* flow_status_name(FlowRow::Status s) {
  switch (s) {
    case FlowRow::Status::kDone:
      return "done";
    case FlowRow::Status::kFailed:
      return "failed";
    case FlowRow::Status::kUnfinished:
      return "unfinished";
    default:
      return "not_started";
  }
}

FabricConfig fabric_config(const Scenario& s) {
  FabricConfig fc;
  fc.switch_config = &s.switch_config;
  fc.transport = &s.transport;
  fc.cc = &cc_algorithms()[static_cast<size_t>(s.cc.index)];
  fc.cc_params = &s.cc.selected();
  fc.lb = &lb_algorithms()[static_cast<size_t>(s.lb.index)];
  fc.lb_params = &s.lb.selected();
  for (const LbClassSpec& c : s.lb_classes) {
    const auto prio = static_cast<size_t>(c.priority);
    fc.class_lb[prio] = &lb_algorithms()[static_cast<size_t>(c.lb.index)];
    fc.class_lb_params[prio] = &c.lb.selected();
  }
  return fc;
}

std::vector<std::string> scenario_notes(const Scenario& s) {
  std::vector<std::string> notes;
  if (s.transport.recovery != Recovery::kGoBackN) return notes;
  const FabricConfig fc = fabric_config(s);
  for (uint8_t prio = 0; prio < kNumPriorities; ++prio) {
    const LbAlgorithm& lb = fc.lb_of(prio);
    if (!lb.reorders) continue;
    notes.push_back("lb " + std::string(lb.name) +
                    " delivers packets out of order and transport.recovery is go_back_n, which "
                    "discards every early packet and resends from the gap; set "
                    "transport.recovery: selective to reorder them");
    break;
  }
  return notes;
}

Result<std::optional<PlanReport>> install_load_balancing(const Scenario& s, const TopologyGraph& g,
                                                         const TaskGraph* tasks,
                                                         const ClusterMap* map,
                                                         std::vector<FlowSpec>& flows,
                                                         Network& net) {
  const FabricConfig fc = fabric_config(s);
  auto plan = plan_ports(g, fc, tasks, map, flows, net);
  if (!plan) return plan.status();
  install_spraying(g, fc, net);
  return plan;
}

AlphaBeta alpha_beta(const Network& net, const Scenario& s, uint32_t src) {
  AlphaBeta ab;
  FlowSpec probe;
  probe.src = src;
  probe.dst = src == 0 ? 1 : 0;
  probe.size = 1;
  ab.net_alpha = net.ideal_fct(probe);
  ab.net_beta = net.hosts()[src]->port().link().rate;
  const double mtu = static_cast<double>(s.transport.mtu.count());
  ab.net_efficiency = mtu / (mtu + kRoceHeaderBytes + kL1OverheadBytes + kAckWireBytes);
  return ab;
}

Result<PreparedRun> prepare_run(const Scenario& s) {
  PreparedRun run;
  run.scenario = &s;
  auto graph = build_topology(s);
  if (!graph) return graph.status().with_context("topology");
  run.graph = std::move(graph).value();
  if (auto st = run.graph.validate(); !st) return st.with_context("topology");
  if (s.workload.is_collective()) {
    if (auto st = prepare_collective(s, run); !st) return st;
    return run;
  }
  if (s.workload.is_llm()) {
    const LlmWorkloadSpec& w = s.workload.llm;
    auto plan = make_plan(w.model, w.parallel, w.cluster);
    if (!plan) return plan.status();
    if (w.backend == Backend::kPacket &&
        run.graph.hosts().size() < static_cast<size_t>(plan->gpus)) {
      return Status::error("workload: " + std::to_string(plan->gpus) +
                           " GPUs need as many hosts (NICs), but the topology has " +
                           std::to_string(run.graph.hosts().size()));
    }
    auto iteration = build_iteration(*plan);
    if (!iteration) return iteration.status().with_context("workload");
    if (auto st = validate_task_graph(iteration->graph, static_cast<uint32_t>(plan->gpus)); !st) {
      return st.with_context("workload");
    }
    run.plan = std::move(plan).value();
    run.iteration = std::move(iteration).value();
    return run;
  }
  // One stream per traffic entry, from the run seed.
  Simulator seeds(static_cast<uint64_t>(s.seed));
  for (size_t i = 0; i < s.traffic.size(); ++i) {
    RandomStream rng = seeds.stream("traffic/" + std::to_string(i));
    auto flows = build_traffic(s, i, run.graph, rng);
    if (!flows) return flows.status().with_context("traffic." + std::to_string(i));
    for (auto& f : flows.value()) run.flows.push_back(f);
  }
  if (run.flows.empty()) return Status::error("traffic: no flows to simulate");
  return run;
}

Result<std::unique_ptr<Simulation>> simulate(const PreparedRun& run, RunObserver* observer) {
  const Scenario& s = *run.scenario;
  auto out = std::make_unique<Simulation>();
  out->sim = std::make_unique<Simulator>(static_cast<uint64_t>(s.seed));
  out->net = std::make_unique<Network>(*out->sim, run.graph, fabric_config(s));
  Network& net = *out->net;
  const bool on_fabric = !run.iteration || !run.plan || s.workload.llm.backend == Backend::kPacket;
  std::vector<FlowSpec> flows = run.flows;
  if (on_fabric) {
    const TaskGraph* tasks = run.iteration ? &run.iteration->graph : nullptr;
    const ClusterMap* map = run.iteration ? &run.iteration->map : nullptr;
    auto plan = install_load_balancing(s, run.graph, tasks, map, flows, net);
    if (!plan) return plan.status();
    out->report.plan = std::move(plan).value();
  }
  if (auto st = net.add_flows(std::move(flows)); !st) return st.with_context("traffic");

  if (s.telemetry.enabled && on_fabric) out->sampler = std::make_unique<Sampler>(net, s.telemetry);
  ProgressBridge bridge{observer, &net};
  if (observer != nullptr) out->sim->set_progress(&ProgressBridge::call, &bridge, 1 << 20);
  const auto wall0 = std::chrono::steady_clock::now();
  if (run.iteration) {
    auto times = run_workload(run, net);
    if (!times) return times.status();
    out->task_times = std::move(times).value();
  } else {
    net.run(s.stop_time);
  }
  const auto wall1 = std::chrono::steady_clock::now();
  out->sim->set_progress(nullptr, nullptr, 0);
  if (out->sampler) out->sampler->finish();
  if (run.plan) out->report.workload = workload_report(run, out->task_times);
  if (s.workload.is_collective()) {
    out->report.collective = collective_report(run, out->task_times, net);
  }

  RunReport& r = out->report;
  r.scenario = s.name;
  r.seed = static_cast<uint64_t>(s.seed);
  r.hosts = run.graph.hosts().size();
  r.switches = run.graph.switch_count();
  r.links = run.graph.links().size();
  r.sim_end = out->sim->now();
  r.wall_seconds = std::chrono::duration<double>(wall1 - wall0).count();
  r.events = out->sim->events_processed();

  Time last_finish;
  bool all_done = true;
  for (uint32_t i = 0; i < net.flows().size(); ++i) {
    const FlowOutcome o = net.outcome(i);
    FlowRow row;
    row.spec = *o.spec;
    row.ideal = net.ideal_fct(*o.spec);
    if (o.sender != nullptr) {
      const SenderStats& st = o.sender->stats();
      row.retx_packets = st.retx_packets;
      row.cnps = st.cnps;
      row.timeouts = st.timeouts;
      const ReceiverStats& rs = o.receiver->stats();
      row.received_bytes = rs.accepted_bytes;
      row.ecn_marked = rs.ecn_marked;
      row.loss_retx = st.loss_retx;
      row.ooo_packets = rs.ooo_packets;
      row.duplicates = rs.duplicate_packets;
      row.reorder_depth_max = rs.reorder_depth_max;
      row.reorder_depth_mean = rs.reorder_depth_mean();
      row.rob_max_packets = rs.rob_max_packets;
      row.rob_mean_packets = rs.rob_mean_packets();
      r.payload_sent += st.payload_sent;
      switch (o.sender->state()) {
        case SenderQp::State::kDone:
          row.status = FlowRow::Status::kDone;
          row.fct = o.sender->finish_time() - o.spec->start;
          row.slowdown = row.fct.to_seconds() / row.ideal.to_seconds();
          last_finish = std::max(last_finish, o.sender->finish_time());
          break;
        case SenderQp::State::kFailed:
          row.status = FlowRow::Status::kFailed;
          all_done = false;
          break;
        default:
          row.status = FlowRow::Status::kUnfinished;
          all_done = false;
      }
    } else {
      all_done = false;
    }
    r.flows.push_back(row);
  }
  for (const auto& h : net.hosts()) {
    for (const auto& q : h->receivers()) {
      r.payload_received += q->stats().accepted_bytes + q->stats().discarded_bytes;
    }
  }
  r.makespan = all_done ? last_finish : r.sim_end;
  r.stopped_early = !all_done;
  r.payload_in_network = net.payload_in_network();

  const auto& nodes = run.graph.nodes();
  for (uint32_t id = 0; id < nodes.size(); ++id) {
    const auto& adj = run.graph.adjacent(id);
    for (size_t i = 0; i < adj.size(); ++i) {
      const Port& p = net.port(id, i);
      PortRow row;
      row.node = id;
      row.peer = adj[i].peer;
      row.port = static_cast<uint16_t>(i);
      row.rate = p.link().rate;
      row.delay = p.link().delay;
      row.counters = p.counters();
      for (int prio = 0; prio < kNumPriorities; ++prio) {
        row.paused += p.paused_time(static_cast<uint8_t>(prio), r.sim_end);
      }
      const double cap = static_cast<double>(p.link().rate.bits_per_second()) / 8.0 *
                         std::max(r.makespan.to_seconds(), 1e-12);
      row.utilization = static_cast<double>(p.counters().tx_bytes) / cap;
      r.packet_hops += p.counters().deliveries;
      r.pause_frames += p.counters().pause_tx;
      r.payload_dropped += p.counters().drop_payload + p.counters().link_drop_payload;
      r.link_drops += p.counters().link_drops;
      r.ports.push_back(row);
    }
  }
  for (const auto& sw : net.switches()) {
    r.buffer_drops += sw->counters().buffer_drops;
    r.headroom_drops += sw->counters().headroom_drops;
    r.no_route_drops += sw->counters().no_route_drops;
  }
  r.tier_imbalance = link_imbalance(r.ports, run.graph);
  r.fabric_imbalance = fabric_imbalance(r.ports, run.graph);
  r.peak_memory_mib = peak_memory_mib();
  return out;
}

}  // namespace aifabric
