#include "aifabric/workload/collectives/collective_workload.h"

#include <algorithm>
#include <numeric>
#include <string>

#include "aifabric/engine/analytic/analytic_engine.h"

namespace aifabric {

std::vector<uint32_t> rank_hosts(const TopologyGraph& g, RankPlacement placement) {
  const auto hosts = static_cast<uint32_t>(g.gpus());  // plane 0's, with planes
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

Result<Job> prepare_collective(const CollectiveWorkloadSpec& c, const JobContext& ctx) {
  const auto hosts = ctx.aggregation != nullptr ? ctx.aggregation->gpu_hosts
                                                : static_cast<uint32_t>(ctx.graph.gpus());
  const auto n = c.ranks == 0 ? hosts : static_cast<uint32_t>(c.ranks);
  if (n < 2 || n > hosts) {
    return Status::error("workload.ranks: " + std::to_string(n) +
                         " ranks, but a collective needs at least 2 and the topology has " +
                         std::to_string(hosts) + " hosts (one rank per host)");
  }
  Job job;
  job.map = ClusterMap::linear(n, 1);
  std::vector<uint32_t> order = rank_hosts(ctx.graph, c.placement);
  std::erase_if(order, [&](uint32_t h) { return h >= hosts; });  // engines are no GPUs
  job.map.host_of_rank.assign(order.begin(), order.begin() + n);
  fit_to_topology(job.map, ctx.graph);
  if (c.algorithm == CollectiveAlgo::kSharp) {
    if (ctx.aggregation == nullptr) {
      return Status::error(
          "workload.algorithm: sharp needs switches that aggregate; set "
          "switch.aggregation.enabled: true");
    }
    job.map.add_aggregators(*ctx.aggregation);
  }
  CollectiveSpec spec;
  spec.op = c.op;
  spec.algo = c.algorithm;
  spec.bytes = c.size.count();
  spec.priority = ctx.data_priority;
  spec.protocol = c.protocol;
  spec.channels = static_cast<uint32_t>(c.channels);
  if (c.protocol != NcclProtocol::kNone) {
    // The protocol choice assumes the fabric's alpha and beta (default framing: the
    // job does not see the transport settings, and the choice only ranks protocols).
    const AlphaBeta ab = alpha_beta(ctx.graph, TransportConfig{}, 0);
    spec.net_alpha = ab.net_alpha;
    spec.net_goodput = ab.net_beta.scaled(ab.net_efficiency);
  }
  std::vector<uint32_t> ranks(n);
  std::iota(ranks.begin(), ranks.end(), 0U);
  auto fin = add_collective(job.graph, spec, ranks, {}, job.map,
                            std::string(kCollectiveOpNames[static_cast<size_t>(c.op)]));
  if (!fin) return fin.status().with_context("workload");
  job.engine = "packet";
  job.in_replica.assign(n, 1);
  return job;
}

void report_collective(const CollectiveWorkloadSpec& c, const Job& job, const TaskTimes& t,
                       const TopologyGraph& g, JobReport& out) {
  CollectiveReport r;
  r.op = std::string(kCollectiveOpNames[static_cast<size_t>(c.op)]);
  r.algorithm = std::string(collective_algo_name(c.algorithm));
  r.ranks = job.map.ranks() - static_cast<uint32_t>(job.map.aggregator_rank.size());
  r.bytes = c.size.count();
  r.time = t.makespan();
  const uint32_t host = g.hosts()[job.map.host_of_rank[0]];
  r.line_rate_gbs =
      static_cast<double>(g.links()[g.adjacent(host)[0].link].params.rate.bits_per_second()) / 8e9;
  if (r.time > Time::zero() && r.time != Time::max()) {
    r.algbw_gbs = static_cast<double>(r.bytes) / r.time.to_seconds() / 1e9;
    r.busbw_gbs = r.algbw_gbs * bus_factor(c.op, r.ranks);
  }
  out.collective = r;
}

}  // namespace aifabric
