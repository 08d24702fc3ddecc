// The collective sweep: one task graph per size, run on a fresh copy of the fabric by
// the chosen backend; bandwidths in nccl-tests' units (GB/s = 1e9 bytes/s).
#include "aifabric/scenario/collective_bench.h"

#include <fmt/format.h>

#include <numeric>

#include "aifabric/control/load_balancing.h"
#include "aifabric/core/parse.h"
#include "aifabric/engine/transfer_engine.h"
#include "aifabric/scenario/simulate.h"
#include "aifabric/workload/executor.h"
#include "aifabric/workload/job.h"

namespace aifabric {

Status parse_size_range(const std::string& text, CollectiveBenchOptions& o) {
  const size_t colon = text.find(':');
  auto lo = parse_bytes(text.substr(0, colon));
  if (!lo) return lo.status().with_context("--sizes");
  auto hi = colon == std::string::npos ? lo : parse_bytes(text.substr(colon + 1));
  if (!hi) return hi.status().with_context("--sizes");
  if (lo->count() <= 0 || *hi < *lo) {
    return Status::error("--sizes: expected MIN:MAX with 0 < MIN <= MAX (e.g. 1MiB:1GiB)");
  }
  o.min_size = *lo;
  o.max_size = *hi;
  return Status::ok();
}

Result<std::string> collective_bench_table(const CollectiveBenchOptions& o,
                                           const Scenario& fabric) {
  if (o.ranks < 2) return Status::error("--ranks: a collective needs at least 2 ranks");
  if (o.gpus_per_node == 0 || o.ranks % o.gpus_per_node != 0) {
    return Status::error("--gpus-per-node must divide --ranks");
  }
  if (o.element_bytes != 2 && o.element_bytes != 4) {
    return Status::error("element size must be 2 (half) or 4 (float) bytes");
  }
  if (o.min_size.count() <= 0 || o.max_size < o.min_size) {
    return Status::error("sizes: expected 0 < min <= max");
  }
  auto graph = build_topology(fabric);
  if (!graph) return graph.status().with_context("topology");
  if (auto st = graph->validate(); !st) return st.with_context("topology");
  if (graph->hosts().size() < o.ranks) {
    return Status::error("--ranks " + std::to_string(o.ranks) + ": the topology has only " +
                         std::to_string(graph->hosts().size()) + " hosts");
  }
  ClusterMap map = ClusterMap::linear(o.ranks, o.gpus_per_node);
  std::vector<uint32_t> ranks(o.ranks);
  std::iota(ranks.begin(), ranks.end(), 0);
  const double factor = bus_factor(o.spec.op, o.ranks);
  std::string out;
  out += fmt::format("# aifabric collective: {} ({}{}), {} ranks, {} per node, {} backend\n",
                     collective_op_name(o.spec.op), collective_algo_name(o.spec.algo),
                     o.spec.hierarchical ? ", hierarchical" : "", o.ranks, o.gpus_per_node,
                     o.engine->name);
  out += fmt::format("# {:>12} {:>16} {:>6} {:>12} {:>12} {:>12}\n", "size(B)", "count(elements)",
                     "type", "time(us)", "algbw(GB/s)", "busbw(GB/s)");
  for (int64_t size = o.min_size.count(); size <= o.max_size.count(); size *= 2) {
    CollectiveSpec spec = o.spec;
    spec.bytes = size;
    TaskGraph g;
    auto fin = add_collective(g, spec, ranks, {}, map, std::string(collective_op_name(spec.op)));
    if (!fin) return fin.status();
    // A fresh fabric per size, so that sizes do not disturb each other.
    Simulator sim(static_cast<uint64_t>(fabric.seed));
    Network net(sim, *graph, fabric_config(fabric));
    if (o.engine->on_fabric) {
      std::vector<FlowSpec> no_flows;
      const std::vector<JobTransfer> transfers = network_transfers(g, map);
      auto lb = install_load_balancing(*graph, &transfers, no_flows, net);
      if (!lb) return lb.status();
    }
    Result<TaskTimes> times = run_job(g, map, *o.engine, net, fabric.stop_time);
    if (!times) return times.status();
    if (times->makespan() == Time::max()) {
      return Status::error(
          fmt::format("size {} B: the collective did not finish by stop_time ({} s)", size,
                      fabric.stop_time.to_seconds()));
    }
    const double secs = times->makespan().to_seconds();
    const double algbw = static_cast<double>(size) / secs / 1e9;
    out += fmt::format("  {:>12} {:>16} {:>6} {:>12.2f} {:>12.2f} {:>12.2f}\n", size,
                       size / o.element_bytes, o.element_bytes == 2 ? "half" : "float", secs * 1e6,
                       algbw, algbw * factor);
    if (size > o.max_size.count() / 2) break;
  }
  return out;
}

}  // namespace aifabric
