#include "aifabric/workload/collectives/moe.h"

#include <algorithm>
#include <numeric>

namespace aifabric {
namespace {

// SplitMix64 (Steele, Lea, Flood 2014): a small seeded stream, enough for scores whose
// order is all that counts.
uint64_t next(uint64_t& s) {
  uint64_t z = (s += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

int64_t ceil_div(int64_t a, int64_t b) {
  return (a + b - 1) / b;
}

}  // namespace

Result<MoeTraffic> sample_moe_traffic(const MoeRouting& r) {
  const int64_t ranks = int64_t{r.nodes} * r.gpus_per_node;
  if (ranks < 1 || r.tokens < 1 || r.topk < 1) return Status::error("moe: empty shape");
  if (r.experts % ranks != 0) return Status::error("moe: experts must divide over the ranks");
  const int64_t groups_k = std::min<int64_t>(r.topk_groups, r.nodes);
  const int64_t per_group = r.experts / r.nodes;
  const int64_t per_rank = r.experts / ranks;
  if (groups_k * per_group < r.topk) return Status::error("moe: top-k exceeds the chosen groups");
  MoeTraffic t;
  t.nodes = r.nodes;
  t.gpus_per_node = r.gpus_per_node;
  t.to_node.assign(static_cast<size_t>(ranks), std::vector<int64_t>(r.nodes, 0));
  t.to_rank.assign(static_cast<size_t>(ranks), std::vector<int64_t>(static_cast<size_t>(ranks), 0));
  uint64_t s = r.seed;
  std::vector<uint64_t> score(static_cast<size_t>(r.experts));
  std::vector<uint32_t> groups(r.nodes), cand;
  std::vector<uint64_t> best(r.nodes);
  std::vector<char> hit_node(r.nodes), hit_rank(static_cast<size_t>(ranks));
  for (int64_t src = 0; src < ranks; ++src) {
    for (int64_t tok = 0; tok < r.tokens; ++tok) {
      for (auto& v : score) v = next(s);
      for (uint32_t gi = 0; gi < r.nodes; ++gi) {
        const auto b = score.begin() + static_cast<std::ptrdiff_t>(gi * per_group);
        best[gi] = *std::max_element(b, b + per_group);
      }
      std::iota(groups.begin(), groups.end(), 0U);
      std::partial_sort(groups.begin(), groups.begin() + groups_k, groups.end(),
                        [&](uint32_t a, uint32_t b) { return best[a] > best[b]; });
      cand.clear();
      for (int64_t k = 0; k < groups_k; ++k) {
        for (int64_t e = 0; e < per_group; ++e) {
          cand.push_back(static_cast<uint32_t>(groups[static_cast<size_t>(k)] * per_group + e));
        }
      }
      std::partial_sort(cand.begin(), cand.begin() + r.topk, cand.end(),
                        [&](uint32_t a, uint32_t b) { return score[a] > score[b]; });
      std::fill(hit_node.begin(), hit_node.end(), 0);
      std::fill(hit_rank.begin(), hit_rank.end(), 0);
      for (int64_t k = 0; k < r.topk; ++k) {
        const int64_t dst = cand[static_cast<size_t>(k)] / per_rank;
        hit_rank[static_cast<size_t>(dst)] = 1;
        hit_node[static_cast<size_t>(dst / r.gpus_per_node)] = 1;
      }
      for (uint32_t n = 0; n < r.nodes; ++n) t.to_node[static_cast<size_t>(src)][n] += hit_node[n];
      for (int64_t d = 0; d < ranks; ++d) {
        t.to_rank[static_cast<size_t>(src)][static_cast<size_t>(d)] +=
            hit_rank[static_cast<size_t>(d)];
      }
    }
  }
  return t;
}

Result<std::vector<uint32_t>> add_moe_exchange(TaskGraph& g, const MoeTraffic& t,
                                               int64_t token_bytes, bool combine, int64_t pieces,
                                               std::span<const uint32_t> deps,
                                               const ClusterMap& map, const std::string& name) {
  const uint32_t ranks = t.ranks();
  if (ranks == 0 || map.ranks() != ranks || map.gpus_per_node != t.gpus_per_node) {
    return Status::error("moe '" + name + "': the cluster map does not match the traffic");
  }
  if (token_bytes <= 0 || pieces <= 0)
    return Status::error("moe '" + name + "': sizes must be positive");
  int64_t bytes = 0;
  for (const auto& row : t.to_node)
    bytes = std::max(bytes, std::accumulate(row.begin(), row.end(), int64_t{0}));
  const uint32_t group = g.add_group({name, "all_to_all", bytes * token_bytes, ranks});
  const uint32_t per = t.gpus_per_node;
  std::vector<uint32_t> out;
  // DeepEP's kernels: the NVLink hop's latency (map) and none beyond the wire on RDMA.
  // Pieces are added piece-major (all flows' piece 0, then piece 1, ...), so that the
  // executors' index-order tie-break interleaves the flows as DeepEP's channels do.
  struct Flow {
    uint32_t src, node;
    int64_t toks, piece_toks;
    std::vector<uint32_t> rdma;  // its RDMA pieces so far
  };
  std::vector<Flow> flows;
  int64_t most = 0;
  for (uint32_t src = 0; src < ranks; ++src) {
    for (uint32_t node = 0; node < t.nodes; ++node) {
      const int64_t toks = t.to_node[src][node];
      if (toks == 0) continue;
      flows.push_back({src, node, toks, ceil_div(toks, pieces), {}});
      most = std::max(most, ceil_div(toks, flows.back().piece_toks));
    }
  }
  for (int64_t p = 0; p < most; ++p) {
    for (Flow& f : flows) {
      if (p * f.piece_toks >= f.toks) continue;
      const uint32_t src = f.src;
      const uint32_t node = f.node;
      const bool home = node == src / per;
      const uint32_t rail = node * per + src % per;  // the forwarder: src's local index
      const int64_t share = std::min(f.piece_toks, f.toks - p * f.piece_toks);
      // A flow's RDMA pieces go in order on its queue pair, two in flight: piece p waits
      // for piece p - 2 (DeepEP's chunked RDMA sends; a slot is reused when it landed).
      std::vector<uint32_t> slot(deps.begin(), deps.end());
      if (!home && p >= 2) slot.push_back(f.rdma[static_cast<size_t>(p - 2)]);
      const int64_t wire = share * token_bytes;
      for (uint32_t j = 0; j < per && home; ++j) {
        // Inside the sender's server: NVLink from (dispatch) or to (combine) src.
        const uint32_t dst = node * per + j;
        const int64_t recv = t.to_rank[src][dst];
        if (recv == 0 || dst == src) continue;
        const int64_t bytes_ =
            std::max<int64_t>(1, (recv * share + f.toks - 1) / f.toks * token_bytes);
        out.push_back(g.add_streamed(combine ? dst : src, combine ? src : dst, bytes_,
                                     map.nvlink_latency, deps, group));
      }
      if (home) continue;
      std::vector<uint32_t> gathered = slot;
      // Combine: the NVLink legs fill the forwarder's buffer up to four pieces ahead of
      // its RDMA sends.
      std::vector<uint32_t> nvl_slot(deps.begin(), deps.end());
      if (p >= 4) nvl_slot.push_back(f.rdma[static_cast<size_t>(p - 4)]);
      uint32_t net = UINT32_MAX;
      if (!combine) {
        net = g.add_streamed(src, rail, wire, Time::zero(), slot, group);
        f.rdma.push_back(net);
        out.push_back(net);
      }
      for (uint32_t j = 0; j < per; ++j) {
        // The NVLink legs: per GPU of this server holding the tokens, its part of the piece.
        const uint32_t dst = node * per + j;
        const int64_t recv = t.to_rank[src][dst];
        if (recv == 0 || dst == rail) continue;
        const int64_t bytes_ =
            std::max<int64_t>(1, (recv * share + f.toks - 1) / f.toks * token_bytes);
        if (!combine) {
          const uint32_t after[] = {net};
          out.push_back(g.add_streamed(rail, dst, bytes_, map.nvlink_latency, after, group));
        } else {
          gathered.push_back(
              g.add_streamed(dst, rail, bytes_, map.nvlink_latency, nvl_slot, group));
        }
      }
      if (combine) {
        f.rdma.push_back(g.add_streamed(rail, src, wire, Time::zero(), gathered, group));
        out.push_back(f.rdma.back());
      }
    }
  }
  return out;
}

}  // namespace aifabric
