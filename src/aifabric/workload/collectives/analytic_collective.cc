#include "aifabric/workload/collectives/analytic_collective.h"

#include <algorithm>
#include <vector>

namespace aifabric {

std::optional<Time> sharp_time(int64_t bytes, uint32_t ranks, const AlphaBeta& ab,
                               const AggregationTree& t) {
  if (ranks < 2 || t.empty() || ranks > t.leaf_of_host.size() || bytes <= 0) return std::nullopt;
  // Fan-in of the leaves (rank r on host r) and of the top engine.
  std::vector<int64_t> gpus(t.host.size(), 0);
  for (uint32_t h = 0; h < ranks; ++h) ++gpus[t.leaf_of_host[h]];
  const int64_t h = *std::max_element(gpus.begin(), gpus.end());
  int64_t leaves = 0;
  uint32_t only = 0;
  for (uint32_t e = 0; e < gpus.size(); ++e) {
    if (gpus[e] > 0) {
      ++leaves;
      only = e;
    }
  }
  const uint32_t top = leaves == 1 ? only : t.root;
  // The top's children: the other leaves, and its own GPUs if it has some.
  const int64_t top_in = (leaves - (gpus[top] > 0 ? 1 : 0)) + gpus[top];
  const int64_t chunks =
      std::max<int64_t>((bytes + t.config.chunk.count() - 1) / t.config.chunk.count(), 1);
  const int64_t piece = std::max<int64_t>((bytes + chunks - 1) / chunks, 1);
  const BitRate nic = ab.net_beta.scaled(ab.net_efficiency);
  const BitRate engine = t.config.rate.scaled(ab.net_efficiency);
  // A hop whose `fan` transfers share an engine's port moves a chunk at the lesser of
  // the NIC's goodput and the engine's share.
  auto wire = [&](int64_t fan) {
    const BitRate share = engine.scaled(1.0 / static_cast<double>(std::max<int64_t>(fan, 1)));
    return std::min(nic, share).transmit_time(piece);
  };
  // Hops of one chunk: GPU -> leaf engine, leaf -> top, top -> leaf, leaf -> GPU (one
  // leaf: the first and the last). A hop's bytes follow the previous chunk's on it and
  // start once this chunk arrived from the hop before (done), the hop's chunk k - 2
  // is done (two in flight, as the task graph keeps) and, entering an engine, chunk
  // k - window left it; a chunk is done alpha after its bytes.
  const bool two = leaves > 1;
  const std::vector<Time> cost =
      two ? std::vector<Time>{wire(h), wire(top_in), wire(top_in), wire(h)}
          : std::vector<Time>{wire(h), wire(h)};
  const auto w = static_cast<size_t>(t.config.window());
  constexpr size_t kInFlight = 2;
  const size_t stages = cost.size();
  std::vector<std::vector<Time>> bytes_end(static_cast<size_t>(chunks), std::vector<Time>(stages));
  std::vector<std::vector<Time>> done = bytes_end;
  for (size_t k = 0; k < static_cast<size_t>(chunks); ++k) {
    for (size_t s = 0; s < stages; ++s) {
      Time ready = s == 0 ? Time::zero() : done[k][s - 1];
      if (k >= kInFlight) ready = std::max(ready, done[k - kInFlight][s]);
      // Into the leaf engine: its slot is freed by the next hop (or, with one leaf, by
      // the last); into the top (two levels): by the hop down.
      if (k >= w && s == 0) ready = std::max(ready, done[k - w][two ? 1 : stages - 1]);
      if (k >= w && two && s == 1) ready = std::max(ready, done[k - w][2]);
      const Time from = k == 0 ? ready : std::max(ready, bytes_end[k - 1][s]);
      bytes_end[k][s] = from + cost[s];
      done[k][s] = bytes_end[k][s] + ab.net_alpha;
    }
  }
  return done.back().back();
}

std::optional<Time> analytic_collective_time(const CollectiveSpec& spec, uint32_t ranks,
                                             uint32_t gpus_per_node, const AlphaBeta& ab,
                                             const ClusterMap& nvlink) {
  if (spec.algo == CollectiveAlgo::kSharp) {
    if (spec.op != CollectiveOp::kAllReduce || spec.hierarchical) return std::nullopt;
    return sharp_time(spec.bytes, ranks, ab, nvlink.aggregation);
  }
  if (spec.hierarchical || spec.protocol != NcclProtocol::kNone || ranks < 2 ||
      gpus_per_node == 0 || ranks % gpus_per_node != 0) {
    return std::nullopt;
  }
  const int64_t n = ranks;
  const int64_t g = gpus_per_node;
  const int64_t chunk = std::max<int64_t>((spec.bytes + n - 1) / n, 1);
  const BitRate goodput = ab.net_beta.scaled(ab.net_efficiency);
  const Time net = ab.net_alpha + goodput.transmit_time(chunk);
  const Time nvl = nvlink.nvlink_latency +
                   nvlink.nvlink_rate.scaled(nvlink.nvlink_efficiency).transmit_time(chunk);
  if (spec.op == CollectiveOp::kAllToAll && spec.algo == CollectiveAlgo::kPairwise && g == 1) {
    // Round k: every rank sends to rank + k; all sends of a round are alike and a NIC
    // side serves one of them, so the rounds follow each other.
    return net * (n - 1);
  }
  const bool ring_op = spec.op == CollectiveOp::kAllReduce ||
                       spec.op == CollectiveOp::kReduceScatter ||
                       spec.op == CollectiveOp::kAllGather;
  if (!ring_op || spec.algo != CollectiveAlgo::kRing) return std::nullopt;
  const int64_t steps = spec.op == CollectiveOp::kAllReduce ? 2 * (n - 1) : n - 1;
  // Position j of a server sends to position j + 1 (over NVLink) or, the last, to the
  // next server's first (over the network). Step k of position j starts when its step
  // k - 1 send ended and the step k - 1 data from position j - 1 arrived.
  std::vector<Time> end(static_cast<size_t>(g), Time::zero());
  std::vector<Time> prev(static_cast<size_t>(g));
  for (int64_t k = 0; k < steps; ++k) {
    prev = end;
    for (int64_t j = 0; j < g; ++j) {
      const int64_t from = (j + g - 1) % g;
      const Time start =
          k == 0 ? Time::zero()
                 : std::max(prev[static_cast<size_t>(j)], prev[static_cast<size_t>(from)]);
      const bool leaves_server = j == g - 1 && n > g;
      end[static_cast<size_t>(j)] = start + (leaves_server ? net : nvl);
    }
  }
  return *std::max_element(end.begin(), end.end());
}

}  // namespace aifabric
