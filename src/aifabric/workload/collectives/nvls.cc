#include "aifabric/workload/collectives/nvls.h"

#include <algorithm>
#include <string>

#include "aifabric/workload/executor.h"

namespace aifabric {
namespace {

using Ids = std::vector<uint32_t>;

int64_t ceil_div(int64_t a, int64_t b) {
  return (a + b - 1) / b;
}

}  // namespace

Result<Ids> add_nvls(TaskGraph& g, uint32_t group, uint8_t priority, CollectiveOp op, int64_t bytes,
                     std::span<const uint32_t> ranks, std::span<const uint32_t> deps,
                     const ClusterMap& map) {
  const bool reduce = op == CollectiveOp::kAllReduce || op == CollectiveOp::kReduceScatter;
  const bool multicast = op == CollectiveOp::kAllReduce || op == CollectiveOp::kAllGather;
  if (!reduce && !multicast) {
    return Status::error("algorithm nvls runs all-reduce, reduce-scatter and all-gather");
  }
  if (map.nvls_port.empty()) {
    return Status::error(
        "algorithm nvls needs NVSwitches that reduce (NVLS): the cluster map has none");
  }
  if (ranks.size() < 2) return Status::error("algorithm nvls: at least 2 ranks");
  for (uint32_t r : ranks) {
    if (r >= map.nvls_port.size() || map.nvls_port[r] == UINT32_MAX) {
      return Status::error("algorithm nvls: rank " + std::to_string(r) + " is not a GPU");
    }
    if (!map.same_node(r, ranks[0])) {
      return Status::error("algorithm nvls: ranks " + std::to_string(ranks[0]) + " and " +
                           std::to_string(r) +
                           " are in different NVLink domains; NVLS reduces inside one");
    }
  }
  if (bytes <= 0) return Status::error("algorithm nvls: size must be positive");
  const auto n = static_cast<int64_t>(ranks.size());
  const NvlsConfig& cfg = map.nvls;
  const int64_t chunks =
      std::max<int64_t>(ceil_div(bytes, std::max<int64_t>(cfg.chunk.count(), 1)), 1);
  const int64_t piece = std::max<int64_t>(ceil_div(bytes, chunks), 1);
  const int64_t slice = std::max<int64_t>(ceil_div(piece, n), 1);
  const auto w = static_cast<size_t>(std::max<int64_t>(cfg.in_flight, 1));
  const uint32_t unit = map.nvls_unit[map.node_of_rank[ranks[0]]];
  const Time lat = map.nvlink_latency;
  // The GPU's pieces go round `w` channels: a channel issues piece k + w once its
  // store of piece k left (all-reduce, all-gather; reduce-scatter: once the reduced
  // slice arrived), as a kernel's warps do; the multicast writes straight into the
  // GPU's output, so nothing waits for it. issued[k][i]: that task; last[k][i]: GPU i's
  // last receive of piece k.
  std::vector<Ids> issued(static_cast<size_t>(chunks), Ids(ranks.size()));
  std::vector<Ids> last = issued;
  for (size_t k = 0; k < last.size(); ++k) {
    auto start = [&](size_t i) {
      return k < w ? Ids(deps.begin(), deps.end()) : Ids{issued[k - w][i]};
    };
    Ids got(ranks.size());  // the reduced slice each GPU got back
    if (reduce) {
      Ids ups;
      for (size_t i = 0; i < ranks.size(); ++i) {
        const Ids d = start(i);
        ups.push_back(
            g.add_streamed(ranks[i], map.nvls_port[ranks[i]], piece, lat, d, group, priority));
      }
      // The unit adds the n contributions at its rate (pieces one after another), or,
      // unlimited, as they arrive.
      const uint32_t sum = cfg.rate.bits_per_second() > 0
                               ? g.add_compute(unit, cfg.rate.transmit_time(piece), ups, group)
                               : g.add_barrier(ups, group);
      const uint32_t from[] = {sum};
      for (size_t i = 0; i < ranks.size(); ++i) {
        got[i] =
            g.add_streamed(map.nvls_port[ranks[i]], ranks[i], slice, lat, from, group, priority);
        last[k][i] = got[i];
        issued[k][i] = got[i];
      }
    }
    if (multicast) {
      Ids stores;
      for (size_t i = 0; i < ranks.size(); ++i) {
        const Ids d = reduce ? Ids{got[i]} : start(i);
        stores.push_back(
            g.add_streamed(ranks[i], map.nvls_port[ranks[i]], slice, lat, d, group, priority));
        issued[k][i] = stores.back();
      }
      const uint32_t all = g.add_barrier(stores, group);
      const uint32_t from[] = {all};
      for (size_t i = 0; i < ranks.size(); ++i) {
        last[k][i] =
            g.add_streamed(map.nvls_port[ranks[i]], ranks[i], piece, lat, from, group, priority);
      }
    }
  }
  // A rank is done when its last receives are: piece k + w cannot be ready at a port
  // before piece k (it waits, through its channel, for every GPU's piece-k store) and a
  // port serves in order, so the last w pieces' receives end last.
  Ids finals;
  for (size_t i = 0; i < ranks.size(); ++i) {
    Ids d;
    for (size_t k = last.size() > w ? last.size() - w : 0; k < last.size(); ++k) {
      d.push_back(last[k][i]);
    }
    finals.push_back(g.add_barrier(d, group));
  }
  return finals;
}

Result<Time> nvls_collective_time(CollectiveOp op, int64_t bytes, int64_t ranks,
                                  const NvlinkCollective& nvl, Time latency,
                                  const NvlsConfig& cfg) {
  if (ranks < 1 || ranks > 1024) return Status::error("nvls collective: 1..1024 ranks");
  if (ranks == 1) return Time::zero();
  ClusterMap map = ClusterMap::linear(static_cast<uint32_t>(ranks), static_cast<uint32_t>(ranks));
  map.nvlink_rate = nvl.rate;
  map.nvlink_efficiency = nvl.efficiency;
  map.nvlink_latency = latency;
  map.add_nvls(cfg);
  CollectiveSpec spec;
  spec.op = op;
  spec.algo = CollectiveAlgo::kNvls;
  spec.bytes = bytes;
  TaskGraph g;
  Ids rs(static_cast<size_t>(ranks));
  for (size_t i = 0; i < rs.size(); ++i) rs[i] = static_cast<uint32_t>(i);
  auto fin = add_collective(g, spec, rs, {}, map, "nvls");
  if (!fin) return fin.status();
  auto t = run_analytic(g, map, AlphaBeta{});
  if (!t) return t.status();
  return t->makespan();
}

}  // namespace aifabric
