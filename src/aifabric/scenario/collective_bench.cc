// The collective sweep: one task graph per size, run on a fresh copy of the fabric by
// the chosen backend; bandwidths in nccl-tests' units (GB/s = 1e9 bytes/s).
#include "aifabric/scenario/collective_bench.h"

#include <fmt/format.h>

#include <numeric>
#include <optional>

#include "aifabric/control/load_balancing.h"
#include "aifabric/core/parse.h"
#include "aifabric/engine/transfer_engine.h"
#include "aifabric/scenario/simulate.h"
#include "aifabric/workload/collectives/analytic_collective.h"
#include "aifabric/workload/collectives/nccl.h"
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

namespace {

// Transfers the task graph of `spec` on n ranks would hold (the pipelined tree's at
// most 64 pieces per half counted in full).
uint64_t collective_tasks(const CollectiveSpec& spec, uint64_t n, const ClusterMap& map) {
  if (spec.op == CollectiveOp::kSendRecv) return 1;
  if (spec.protocol != NcclProtocol::kNone && spec.algo == CollectiveAlgo::kDoubleBinaryTree &&
      spec.op == CollectiveOp::kAllReduce) {
    // Two trees, up and down, a transfer per rank per piece (pieces of >= 32 KiB).
    return 4 * n * (static_cast<uint64_t>(spec.bytes) / (64 << 10) + 1);
  }
  if (spec.protocol != NcclProtocol::kNone && spec.algo == CollectiveAlgo::kRing &&
      spec.op != CollectiveOp::kAllToAll) {
    // Per channel: every hop (plus a PXN hand-over per server) per slice of every step.
    const uint64_t c = nccl_channels(spec, static_cast<uint32_t>(n), map);
    const uint64_t steps = spec.op == CollectiveOp::kAllReduce ? 2 * (n - 1) : n - 1;
    const auto per_channel = static_cast<uint64_t>((spec.bytes + c - 1) / c);
    const uint64_t slices = per_channel / (n * (512 << 10)) + 2;
    return c * (n + n / map.gpus_per_node) * steps * slices;
  }
  if (spec.op == CollectiveOp::kAllToAll) return n * (n - 1);
  if (spec.algo == CollectiveAlgo::kNvls) {
    // Per piece: each GPU's sends into its port and receives out of it, two joins.
    const int64_t chunk = std::max<int64_t>(map.nvls.chunk.count(), 1);
    return (4 * n + 2) * static_cast<uint64_t>((spec.bytes + chunk - 1) / chunk);
  }
  if (spec.algo == CollectiveAlgo::kSharp) {
    // Per chunk: each GPU up and down, each leaf engine up and down (<= one per GPU).
    const int64_t chunk = map.aggregation.empty() ? 1 : map.aggregation.config.chunk.count();
    return 4 * n * static_cast<uint64_t>((spec.bytes + chunk - 1) / chunk);
  }
  switch (spec.algo) {
    case CollectiveAlgo::kDoubleBinaryTree:
      return uint64_t{2} * 2 * (n - 1) * 64;
    case CollectiveAlgo::kHalvingDoubling: {
      uint64_t k = 0;
      while ((uint64_t{1} << k) < n) ++k;
      return 2 * k * n;
    }
    default:
      return 2 * n * (n - 1);
  }
}

}  // namespace

Result<std::string> collective_bench_table(const CollectiveBenchOptions& o, const Scenario& fabric,
                                           const std::function<void(int64_t)>& progress) {
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
  if (graph->hosts().size() < o.ranks) {  // before the aggregation engines join it
    return Status::error("--ranks " + std::to_string(o.ranks) + ": the topology has only " +
                         std::to_string(graph->hosts().size()) + " hosts");
  }
  ClusterMap map = ClusterMap::linear(o.ranks, o.gpus_per_node);
  if (fabric.switch_config.aggregation.enabled) {
    auto tree = add_aggregators(*graph, fabric.switch_config.aggregation);
    if (!tree) return tree.status();
    map.add_aggregators(*tree);
  } else if (o.spec.algo == CollectiveAlgo::kSharp) {
    return Status::error(
        "--algo sharp: the fabric's switches do not aggregate; set switch.aggregation.enabled: "
        "true (--set switch.aggregation.enabled=true)");
  }
  map.nvlink_efficiency = o.nvlink_efficiency;
  map.nvlink_rate = o.nvlink_rate;
  if (o.spec.algo == CollectiveAlgo::kNvls) {
    if (o.gpus_per_node != o.ranks) {
      return Status::error(fmt::format(
          "--algo nvls: the NVSwitch reduces inside one NVLink domain; --gpus-per-node ({}) "
          "must equal --ranks ({})",
          o.gpus_per_node, o.ranks));
    }
    map.add_nvls(o.nvls);
  }
  std::vector<uint32_t> ranks(o.ranks);
  std::iota(ranks.begin(), ranks.end(), 0);
  const double factor = bus_factor(o.spec.op, o.ranks);
  auto row = [&](int64_t size, Time t) {
    const double secs = t.to_seconds();
    const double algbw = static_cast<double>(size) / secs / 1e9;
    return fmt::format("  {:>12} {:>16} {:>6} {:>12.2f} {:>12.2f} {:>12.2f}\n", size,
                       size / o.element_bytes, o.element_bytes == 2 ? "half" : "float", secs * 1e6,
                       algbw, algbw * factor);
  };
  std::string out;
  const bool nccl = o.spec.protocol != NcclProtocol::kNone;
  out += fmt::format("# aifabric collective: {} ({}{}{}), {} ranks, {} per node, {} backend\n",
                     collective_op_name(o.spec.op),
                     o.auto_algorithm ? std::string_view("auto: ring or tree per size")
                                      : collective_algo_name(o.spec.algo),
                     o.spec.hierarchical ? ", hierarchical" : "",
                     nccl ? fmt::format(", protocol {}, channels {}",
                                        kNcclProtocolNames[static_cast<size_t>(o.spec.protocol)],
                                        o.spec.channels == 0 ? std::string("auto")
                                                             : std::to_string(o.spec.channels))
                          : std::string(),
                     o.ranks, o.gpus_per_node, o.engine->name);
  out += fmt::format("# {:>12} {:>16} {:>6} {:>12} {:>12} {:>12}\n", "size(B)", "count(elements)",
                     "type", "time(us)", "algbw(GB/s)", "busbw(GB/s)");
  // The analytic engine's alpha and beta, measured once on the fabric.
  std::optional<AlphaBeta> ab;
  const AlphaBeta measured = alpha_beta(*graph, fabric.transport, 0);
  if (!o.engine->on_paths()) ab = measured;
  for (int64_t size = o.min_size.count(); size <= o.max_size.count(); size *= 2) {
    CollectiveSpec spec = o.spec;
    spec.bytes = size;
    spec.net_alpha = measured.net_alpha;
    spec.net_goodput = measured.net_beta.scaled(measured.net_efficiency);
    if (o.auto_algorithm) {
      spec.algo = spec.protocol == NcclProtocol::kNone
                      ? CollectiveAlgo::kRing
                      : choose_nccl_algorithm(spec, o.ranks, o.ranks / o.gpus_per_node, map);
    }
    if (progress) progress(size);
    // Symmetric collectives under alpha-beta: the recurrence, no task graph (any scale).
    if (ab) {
      if (const auto t = analytic_collective_time(spec, o.ranks, o.gpus_per_node, *ab, map)) {
        out += row(size, *t);
        if (size > o.max_size.count() / 2) break;
        continue;
      }
    }
    // Too big a graph for the NCCL model on the analytic backend (its slices make
    // millions of transfers, minutes of run): the whole-step recurrence (protocol
    // none) instead, said in the table.
    if (ab && spec.protocol != NcclProtocol::kNone &&
        collective_tasks(spec, o.ranks, map) > kMaxNcclTasks) {
      CollectiveSpec whole = spec;
      whole.protocol = NcclProtocol::kNone;
      if (o.auto_algorithm) whole.algo = CollectiveAlgo::kRing;
      if (const auto t = analytic_collective_time(whole, o.ranks, o.gpus_per_node, *ab, map)) {
        out += fmt::format(
            "# {} B: too many transfers for the NCCL model's graph; the whole-step model "
            "(--protocol none) timed it\n",
            size);
        out += row(size, *t);
        if (size > o.max_size.count() / 2) break;
        continue;
      }
    }
    if (const uint64_t tasks = collective_tasks(spec, o.ranks, map); tasks > kMaxCollectiveTasks) {
      return Status::error(fmt::format(
          "--ranks {}: {} ({}) as a task graph has about {} transfers, more than {}; the "
          "analytic backend times ring and (one rank per node) pairwise collectives at any "
          "scale",
          o.ranks, collective_op_name(spec.op), collective_algo_name(spec.algo), tasks,
          kMaxCollectiveTasks));
    }
    TaskGraph g;
    auto fin = add_collective(g, spec, ranks, {}, map, std::string(collective_op_name(spec.op)));
    if (!fin) return fin.status();
    Result<TaskTimes> times = Status::error("unset");
    if (ab) {
      times = run_analytic(g, map, *ab);
    } else {
      // A fresh fabric per size, so that sizes do not disturb each other.
      Simulator sim(static_cast<uint64_t>(fabric.seed));
      Network net(sim, *graph, fabric_config(fabric));
      std::vector<FlowSpec> no_flows;
      const std::vector<JobTransfer> transfers = network_transfers(g, map);
      auto lb = install_load_balancing(*graph, &transfers, no_flows, net);
      if (!lb) return lb.status();
      // stop_time 0 (auto): ten times the job's alpha-beta time, plus a second.
      Time stop = fabric.stop_time;
      if (stop == Time::zero()) {
        auto est = run_analytic(g, map, alpha_beta(net, 0));
        stop = Time::sec(1) + (est ? est->makespan() : Time::sec(1)) * 10;
      }
      times = run_job(g, map, *o.engine, net, stop);
    }
    if (!times) return times.status();
    if (times->makespan() == Time::max()) {
      return Status::error(
          fmt::format("size {} B: the collective did not finish by stop_time ({} s)", size,
                      fabric.stop_time.to_seconds()));
    }
    out += row(size, times->makespan());
    if (spec.algo == CollectiveAlgo::kNvls && size > o.max_size.count() / 2) {
      // What the switch saves: rank 0's NVLink bytes each way, against a ring's.
      int64_t sent = 0;
      for (const Task& t : g.tasks()) {
        if (t.kind == TaskKind::kTransfer && t.rank == 0) sent += t.bytes;
      }
      const double ring = bus_factor(spec.op, o.ranks);  // 2(n-1)/n or (n-1)/n
      out += fmt::format(
          "# nvls: GPU 0 sent {} B ({:.3f} x size) into the NVSwitch; a ring sends {:.3f} x "
          "size per GPU\n",
          sent, static_cast<double>(sent) / static_cast<double>(size), ring);
    }
    if (size > o.max_size.count() / 2) break;
  }
  return out;
}

}  // namespace aifabric
