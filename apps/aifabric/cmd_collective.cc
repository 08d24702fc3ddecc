// `aifabric collective`: one collective swept over message sizes, nccl-tests' table.
#include <chrono>
#include <iostream>

#include "aifabric/core/parse.h"
#include "aifabric/scenario/collective_bench.h"
#include "aifabric/workload/collectives/nccl.h"
#include "cli.h"

namespace aifabric::cli {
namespace {

struct CollectiveCli {
  std::string op = "all_reduce";
  std::string algo = "auto";
  uint32_t ranks = 16;
  uint32_t gpus_per_node = 1;
  std::string sizes = "1MiB:64MiB";
  std::string backend = "analytic";
  bool hierarchical = false;
  std::string protocol = "auto";
  uint32_t channels = 0;
  double nvlink_efficiency = 0.8;
  std::string nvlink_rate = "2400Gbps";
  std::string nvls_rate = "0";
};

std::string op_list() {
  std::string all;
  for (const auto& o : kCollectiveOps) all += (all.empty() ? "" : ", ") + std::string(o.name);
  return all;
}

int collective(const CommonOptions& o, const CollectiveCli& c) {
  CollectiveBenchOptions b;
  const auto op = parse_collective_op(c.op);
  if (!op) return bad_input("--op '" + c.op + "': one of " + op_list());
  b.spec.op = *op;
  const auto algo = c.algo == "auto" ? CollectiveAlgo::kRing : parse_collective_algo(c.algo);
  if (!algo) {
    return bad_input("--algo '" + c.algo +
                     "': one of auto, ring, tree, halving_doubling, pairwise, direct, sharp, nvls");
  }
  b.spec.algo = *algo;
  // auto: NCCL's ring-or-tree choice for all-reduce; the ring (pairwise all-to-all)
  // otherwise.
  b.auto_algorithm = c.algo == "auto" && *op == CollectiveOp::kAllReduce;
  if (b.spec.op == CollectiveOp::kAllToAll && b.spec.algo == CollectiveAlgo::kRing) {
    b.spec.algo = CollectiveAlgo::kPairwise;
  }
  b.engine = engines().find(c.backend);
  if (b.engine == nullptr) {
    return bad_input("--backend '" + c.backend + "': one of " + engines().name_list());
  }
  b.ranks = c.ranks;
  b.gpus_per_node = c.gpus_per_node;
  b.spec.hierarchical = c.hierarchical;
  const auto proto = parse_nccl_protocol(c.protocol);
  if (!proto)
    return bad_input("--protocol '" + c.protocol + "': one of auto, ll, ll128, simple, none");
  b.spec.protocol = *proto;
  b.spec.channels = c.channels;
  if (!(c.nvlink_efficiency > 0 && c.nvlink_efficiency <= 1)) {
    return bad_input("--nvlink-efficiency " + std::to_string(c.nvlink_efficiency) +
                     ": must be in (0, 1]");
  }
  b.nvlink_efficiency = c.nvlink_efficiency;
  const auto nvl = parse_rate(c.nvlink_rate);
  if (!nvl || nvl->bits_per_second() <= 0) {
    return bad_input("--nvlink-rate '" + c.nvlink_rate + "': a positive rate (e.g. 3600Gbps)");
  }
  b.nvlink_rate = *nvl;
  const Result<BitRate> nvls =
      c.nvls_rate == "0" ? Result<BitRate>(BitRate::bps(0)) : parse_rate(c.nvls_rate);
  if (!nvls || nvls->bits_per_second() < 0) {
    return bad_input("--nvls-rate " + quote_input(c.nvls_rate) +
                     ": a rate (e.g. 2400Gbps), or 0 for no limit beyond NVLink");
  }
  b.nvls.rate = *nvls;
  if (auto st = parse_size_range(c.sizes, b); !st) return bad_input(st.message());
  // Without a scenario: a non-blocking 400 Gbps leaf-spine with one host per rank.
  CommonOptions fabric = o;
  if (fabric.scenario.empty()) {
    const uint32_t per_leaf = std::min<uint32_t>(c.ranks, 32);
    const uint32_t leaves = (c.ranks + per_leaf - 1) / per_leaf;
    fabric.sets.insert(fabric.sets.begin(),
                       {"topology.hosts_per_leaf=" + std::to_string(per_leaf),
                        "topology.leaves=" + std::to_string(leaves),
                        "topology.spines=" + std::to_string(leaves > 1 ? per_leaf : 1)});
  }
  auto s = load(fabric);
  if (!s) return bad_input(s.status().message());
  // A line per size on stderr once the sweep has run a few seconds (the packet backend
  // takes minutes on big fabrics).
  const auto start = std::chrono::steady_clock::now();
  auto table = collective_bench_table(b, **s, [&](int64_t size) {
    const double wall =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (wall > 2.0 || b.engine->on_fabric) {
      std::cerr << "aifabric: collective: " << size << " B (" << static_cast<int64_t>(wall)
                << " s so far)\n";
    }
  });
  if (!table) return bad_input(table.status().message());
  std::cout << *table;
  return 0;
}

}  // namespace

Command add_collective(CLI::App& app) {
  auto o = std::make_shared<CommonOptions>();
  auto c = std::make_shared<CollectiveCli>();
  auto* cmd = app.add_subcommand(
      "collective", "time one collective over a range of sizes; nccl-tests' table layout");
  add_common(cmd, *o);
  cmd->add_option("--op", c->op,
                  "all_reduce (or allreduce), reduce_scatter, all_gather, all_to_all, send_recv");
  cmd->add_option("--algo", c->algo,
                  "auto (all-reduce: NCCL's ring-or-tree choice per size; else ring / pairwise), "
                  "ring, tree (with a protocol: NCCL's chains + double binary tree over servers), "
                  "halving_doubling, pairwise, direct, sharp (all-reduce in the switches; needs "
                  "--set switch.aggregation.enabled=true), nvls (all-reduce, reduce-scatter, "
                  "all-gather in the NVSwitch of one NVLink domain: --gpus-per-node = --ranks)");
  cmd->add_option("--ranks", c->ranks, "GPUs taking part (rank r uses host r)")
      ->check(CLI::Range(uint32_t{2}, uint32_t{1'000'000}));
  cmd->add_option("--gpus-per-node", c->gpus_per_node,
                  "ranks per server; ranks of one server use NVLink")
      ->check(CLI::Range(uint32_t{1}, uint32_t{1024}));
  cmd->add_option("--sizes", c->sizes, "MIN:MAX, doubling (e.g. 1MiB:1GiB)");
  cmd->add_option(
      "--backend", c->backend,
      "analytic (alpha-beta), flow (max-min fluid flows on the fabric's paths) or packet");
  cmd->add_flag("--hierarchical", c->hierarchical,
                "NVLink inside servers, one ring per rail between them (whole-step model)");
  cmd->add_option("--protocol", c->protocol,
                  "NCCL protocol of flat rings and direct all-to-alls: auto (NCCL's tuning-model "
                  "choice per size), ll, ll128, simple, or none (one transfer per ring step, no "
                  "channels: the model before NCCL's)");
  cmd->add_option("--channels", c->channels,
                  "rings a buffer is split over, each crossing servers on its own rail; 0 = one "
                  "per NIC of a server (--gpus-per-node)")
      ->check(CLI::Range(uint32_t{0}, uint32_t{64}));
  cmd->add_option("--nvlink-rate", c->nvlink_rate,
                  "NVLink per GPU per direction (2400Gbps: A100 NVLink3; 3600Gbps: H100 NVLink4)");
  cmd->add_option("--nvlink-efficiency", c->nvlink_efficiency,
                  "achieved share of the NVLink rate (0.8: NCCL's ~240 GB/s busbw on DGX A100's "
                  "300 GB/s)");
  cmd->add_option("--nvls-rate", c->nvls_rate,
                  "--algo nvls: the NVSwitch's reduction throughput per GPU port (bytes of one "
                  "GPU's contribution per second); 0 = no limit beyond the NVLink rate");
  cmd->footer(
      "Without a scenario the fabric is a non-blocking 400 Gbps leaf-spine with one host per "
      "rank.\n"
      "Example: aifabric collective --op all_reduce --ranks 64 --sizes 1MiB:1GiB --backend "
      "packet");
  return {cmd, [o, c] { return collective(*o, *c); }};
}

}  // namespace aifabric::cli
