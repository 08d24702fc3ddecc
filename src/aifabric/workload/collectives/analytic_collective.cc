#include "aifabric/workload/collectives/analytic_collective.h"

#include <algorithm>
#include <vector>

namespace aifabric {

std::optional<Time> analytic_collective_time(const CollectiveSpec& spec, uint32_t ranks,
                                             uint32_t gpus_per_node, const AlphaBeta& ab,
                                             const ClusterMap& nvlink) {
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
