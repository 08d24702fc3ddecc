#include "aifabric/workload/llm/llm_workload.h"

#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "aifabric/topo/routing.h"
#include "aifabric/transport/ideal_fct.h"
#include "aifabric/workload/llm/iteration.h"

namespace aifabric {
namespace {
// The packet size the coalesced ring steps' latency assumes (transport.mtu's default:
// a ring step's chunk is far above it).
constexpr int64_t kCoalescedMtu = 4096;
}  // namespace

// gpus_per_node 0: the topology's scale-up domain, its size, NVLink rate and latency.
Result<ClusterConfig> cluster_on(const ClusterConfig& c, const TopologyGraph& g) {
  ClusterConfig out = c;
  if (out.scale_out_rate.bits_per_second() == 0 && !g.hosts().empty() &&
      !g.adjacent(g.hosts()[0]).empty()) {
    const BitRate nic = g.links()[g.adjacent(g.hosts()[0])[0].link].params.rate;
    out.scale_out_rate = BitRate::bps(nic.bits_per_second() * g.planes());
  }
  if (c.gpus_per_node != 0) return out;
  if (g.nvlink().empty()) {
    return Status::error(
        "workload.cluster.gpus_per_node: 0 takes the topology's scale-up domain, but the "
        "topology declares none (topology.scale_up.gpus, or a SimAI file's NVSwitches)");
  }
  const NvlinkDomains& d = g.nvlink().front();
  out.gpus_per_node = d.gpus_per_server;
  out.nvlink_rate = d.rate;
  out.nvlink_latency = d.latency;
  return out;
}

Result<Job> prepare_llm(const LlmWorkloadSpec& w, const JobContext& ctx) {
  auto cluster = cluster_on(w.cluster, ctx.graph);
  if (!cluster) return cluster.status();
  auto plan = make_plan(w.model, w.parallel, *cluster);
  if (!plan) return plan.status();
  const bool on_paths = engines().find(w.engine())->on_paths();
  if (on_paths && ctx.graph.gpus() < static_cast<size_t>(plan->gpus)) {
    return Status::error("workload: " + std::to_string(plan->gpus) +
                         " GPUs need as many hosts (NICs), but the topology has " +
                         std::to_string(ctx.graph.gpus()) +
                         (ctx.graph.planes() > 1 ? " per plane" : ""));
  }
  IterationOptions opt;
  opt.iterations = w.iterations;
  // Without a fabric the tensor ranks of a server are alike when each has its own NIC
  // (tensor ranks inside one server): on big jobs simulate one of them.
  const ParallelConfig& par = plan->parallel;
  const int64_t passes = 2 * par.gpus() * par.virtual_stages * plan->micro_batches * w.iterations;
  opt.tensor_symmetry = !on_paths && par.tp > 1 && plan->cluster.gpus_per_node % par.tp == 0 &&
                        passes > kSymmetryAbovePasses;
  if (engines().find(w.engine())->routes) {
    // The flow level coalesces whole-step rings; a step's network latency is the path
    // latency of its chunk-sized transfers between the two hosts.
    // Paths between hosts of the same two switches differ only in the hosts' own links:
    // one search per switch pair.
    const TopologyGraph& graph = ctx.graph;
    auto cache = std::make_shared<std::unordered_map<uint64_t, std::vector<LinkParams>>>();
    opt.ring_step_latency = [&graph, cache](uint32_t a, uint32_t b) {
      const auto& ha = graph.adjacent(graph.hosts()[a]);
      const auto& hb = graph.adjacent(graph.hosts()[b]);
      const uint64_t key = (static_cast<uint64_t>(ha[0].peer) << 32) | hb[0].peer;
      auto it = cache->find(key);
      if (it == cache->end()) it = cache->emplace(key, first_shortest_path(graph, a, b)).first;
      std::vector<LinkParams> path = it->second;
      if (path.size() >= 2) {
        path.front() = graph.links()[ha[0].link].params;
        path.back() = graph.links()[hb[0].link].params;
      }
      return path_latency(path, kCoalescedMtu, kCoalescedMtu);
    };
  }
  auto iteration = build_iteration(*plan, opt);
  if (!iteration) return iteration.status().with_context("workload");
  if (auto st = validate_task_graph(iteration->graph, static_cast<uint32_t>(plan->gpus)); !st) {
    return st.with_context("workload");
  }
  Job job;
  job.graph = std::move(iteration->graph);
  job.map = std::move(iteration->map);
  fit_to_topology(job.map, ctx.graph);
  job.iteration_end = std::move(iteration->iteration_end);
  job.engine = w.engine();
  job.trace = w.trace;
  job.in_replica.resize(job.map.ranks());
  for (uint32_t r = 0; r < job.map.ranks(); ++r) job.in_replica[r] = plan->dp_of(r) == 0 ? 1 : 0;
  job.plan = std::move(plan).value();
  return job;
}

void report_llm(const LlmWorkloadSpec& w, const Job& job, const TaskTimes& t,
                const TopologyGraph& /*g*/, JobReport& out) {
  out.training =
      training_report(*job.plan, job.graph, job.map, t, std::string(w.engine()), job.iteration_end);
}

}  // namespace aifabric
