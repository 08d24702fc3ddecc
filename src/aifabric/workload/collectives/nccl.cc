// NCCL's channels, slices and protocols as transfers. Conventions: positions of a
// channel's ring are numbered 0..n-1; the m-th send of hop p (position p to p+1) moves
// slice j of step k of loop l, m = ((l x steps) + k) x slices + j; it waits for the
// data (what hop p-1 delivered for send m - slices) and for its slot (hop p+1's send
// m - window done: the receiver passed that slot on).
#include "aifabric/workload/collectives/nccl.h"

#include <algorithm>
#include <cmath>

#include "aifabric/workload/executor.h"

namespace aifabric {
namespace {

using Ids = std::vector<uint32_t>;
constexpr uint32_t kNone = UINT32_MAX;

int64_t ceil_div(int64_t a, int64_t b) {
  return (a + b - 1) / b;
}

// NCCL 5067397 (NVIDIA/nccl): tuning.cc ncclTunerConstantsDefaults (baseLatencies ring
// LL 6.6, LL128 14.0, Simple 8.4 us; hwLatencies NVLINK ring 0.6 / 1.9 / 3.4 us, NET
// ring 2.7 / 4.0 / 14.0 us); LL128's payload 120 of 128 bytes (tuning.cc's 120/128),
// LL's 8 of 16; buffers (init.cc, device.h): LL 8 lines x 512 threads x 8 steps x 16 B
// = 512 KiB (64 KiB of wire, 32 KiB of data per step), LL128 120 x 640 x 8 x 8 B
// (614400 wire, 576000 data per step), Simple 4 MiB (512 KiB per step; all-reduce
// chunks of CHUNKSTEPS = 4 steps forwarded in slices of SLICESTEPS = 2: two 1 MiB
// slices, four in flight).
// Tree columns: baseLatencies 6.8 / 14.0 / 8.4 us, NVLINK 0.6 / 1.25 / 4.0 us, NET 5.0 /
// 8.5 / 14 us (minus the ring LL's 2.7 us of wire).
const NcclProtocolCosts kLL{Time::ns(6600), Time::ns(600), Time::zero(),  2.0, 32 << 10, 1, 8,
                            Time::ns(6800), Time::ns(600), Time::ns(2300)};
const NcclProtocolCosts kLL128{
    Time::ns(14000), Time::ns(1900), Time::ns(1300), 128.0 / 120.0, 576000, 1, 8,
    Time::ns(14000), Time::ns(1250), Time::ns(5800)};
const NcclProtocolCosts kSimple{Time::ns(8400), Time::ns(3400), Time::ns(11300), 1.0, 2 << 20, 2, 4,
                                Time::ns(8400), Time::ns(4000), Time::ns(11300)};

bool ring_op(CollectiveOp op) {
  return op == CollectiveOp::kAllReduce || op == CollectiveOp::kReduceScatter ||
         op == CollectiveOp::kAllGather;
}

}  // namespace

std::optional<NcclProtocol> parse_nccl_protocol(std::string_view text) {
  for (size_t i = 0; i < std::size(kNcclProtocolNames); ++i) {
    if (kNcclProtocolNames[i] == text) return static_cast<NcclProtocol>(i);
  }
  return std::nullopt;
}

const NcclProtocolCosts& nccl_costs(NcclProtocol p) {
  switch (p) {
    case NcclProtocol::kLL:
      return kLL;
    case NcclProtocol::kLL128:
      return kLL128;
    default:
      return kSimple;
  }
}

uint32_t nccl_channels(const CollectiveSpec& spec, uint32_t ranks, const ClusterMap& map) {
  uint32_t c = spec.channels != 0 ? spec.channels : std::max<uint32_t>(map.gpus_per_node, 1);
  // Small buffers: at least 4 KiB per rank per channel, as NCCL lowers its channel
  // count for small messages.
  const int64_t fit = spec.bytes / (int64_t{ranks} * 4096);
  return static_cast<uint32_t>(std::clamp<int64_t>(fit, 1, c));
}

namespace {

int64_t ceil_log2(int64_t n) {
  int64_t k = 0;
  while ((int64_t{1} << k) < n) ++k;
  return k;
}

// NCCL's tuning-model shape (latency + bytes / bandwidth) with this cluster's links:
// seconds for `spec` with algorithm `algo` and protocol `p`.
double predict_seconds(CollectiveAlgo algo, NcclProtocol p, const CollectiveSpec& spec, int64_t n,
                       int64_t nodes, uint32_t channels, const ClusterMap& map) {
  const NcclProtocolCosts& k = nccl_costs(p);
  const int64_t per = n / std::max<int64_t>(nodes, 1);
  const double nvl_bps =
      static_cast<double>(map.nvlink_rate.bits_per_second()) * map.nvlink_efficiency / 8;
  const double net_bps = static_cast<double>(spec.net_goodput.bits_per_second()) / 8;
  const double bytes = static_cast<double>(spec.bytes) * k.wire_factor;
  if (algo == CollectiveAlgo::kDoubleBinaryTree) {
    // Up and down the chains (per - 1 hops) and the tree (log2 nodes hops); every byte
    // crosses a chain GPU's NVLink and a head's NIC about once each way.
    const double lat = k.tree_base.to_seconds() +
                       2 * (static_cast<double>(per - 1) * k.tree_nvlink_hop.to_seconds() +
                            static_cast<double>(ceil_log2(nodes)) *
                                (spec.net_alpha + k.tree_net_extra).to_seconds());
    double per_byte = 0;
    if (per > 1) per_byte = std::max(per_byte, 1 / nvl_bps);
    if (nodes > 1) per_byte = std::max(per_byte, 1 / net_bps);
    return lat + bytes * per_byte;
  }
  const int64_t steps = spec.op == CollectiveOp::kAllReduce ? 2 * (n - 1) : n - 1;
  const int64_t inter =
      nodes <= 1 ? 0 : (spec.op == CollectiveOp::kAllReduce ? 2 : 1) * (nodes - 1);
  // Per payload byte of one channel's step: every GPU's NVLink port carries one stream
  // per channel; a NIC the channels of its rail.
  double per_byte = 0;
  if (per > 1) per_byte = std::max(per_byte, channels / nvl_bps);
  if (nodes > 1)
    per_byte = std::max(per_byte, static_cast<double>(ceil_div(channels, per)) / net_bps);
  const double lat =
      k.base.to_seconds() + static_cast<double>(steps - inter) * k.nvlink_hop.to_seconds() +
      static_cast<double>(inter) *
          (spec.net_alpha + k.net_extra + (per > 1 ? k.nvlink_hop : Time::zero())).to_seconds();
  return lat + bytes / channels * static_cast<double>(steps) / static_cast<double>(n) * per_byte;
}

NcclProtocol best_protocol(CollectiveAlgo algo, const CollectiveSpec& spec, int64_t n,
                           int64_t nodes, uint32_t channels, const ClusterMap& map) {
  if (spec.protocol != NcclProtocol::kAuto) return spec.protocol;
  NcclProtocol best = NcclProtocol::kLL;
  double best_t = predict_seconds(algo, best, spec, n, nodes, channels, map);
  for (NcclProtocol p : {NcclProtocol::kLL128, NcclProtocol::kSimple}) {
    const double t = predict_seconds(algo, p, spec, n, nodes, channels, map);
    if (t < best_t) {
      best = p;
      best_t = t;
    }
  }
  return best;
}

// Servers in the order their first rank appears; ranks of a server in the given order
// (local index = rail). Every server must hold as many ranks.
Result<std::vector<Ids>> by_server(std::span<const uint32_t> ranks, const ClusterMap& map) {
  std::vector<uint32_t> node_ids;
  std::vector<Ids> nodes;
  for (uint32_t r : ranks) {
    const uint32_t node = map.node_of_rank[r];
    auto it = std::find(node_ids.begin(), node_ids.end(), node);
    if (it == node_ids.end()) {
      node_ids.push_back(node);
      nodes.emplace_back();
      it = node_ids.end() - 1;
    }
    nodes[static_cast<size_t>(it - node_ids.begin())].push_back(r);
  }
  for (const Ids& rs : nodes) {
    if (rs.size() != nodes[0].size()) {
      return Status::error("channels need the same number of ranks on every server");
    }
  }
  return nodes;
}

}  // namespace

NcclProtocol choose_nccl_protocol(const CollectiveSpec& spec, uint32_t ranks, uint32_t nodes,
                                  uint32_t channels, const ClusterMap& map) {
  return best_protocol(CollectiveAlgo::kRing, spec, ranks, nodes, channels, map);
}

CollectiveAlgo choose_nccl_algorithm(const CollectiveSpec& spec, uint32_t ranks, uint32_t nodes,
                                     const ClusterMap& map) {
  if (spec.op != CollectiveOp::kAllReduce || nodes <= 1) return CollectiveAlgo::kRing;
  const uint32_t c = nccl_channels(spec, ranks, map);
  const auto ring = CollectiveAlgo::kRing;
  const auto tree = CollectiveAlgo::kDoubleBinaryTree;
  const double t_ring = predict_seconds(ring, best_protocol(ring, spec, ranks, nodes, c, map), spec,
                                        ranks, nodes, c, map);
  const double t_tree = predict_seconds(tree, best_protocol(tree, spec, ranks, nodes, c, map), spec,
                                        ranks, nodes, c, map);
  return t_tree < t_ring ? tree : ring;
}

Result<Ids> add_nccl_tree(TaskGraph& g, uint32_t group, const CollectiveSpec& spec,
                          std::span<const uint32_t> ranks, std::span<const uint32_t> deps,
                          const ClusterMap& map) {
  if (spec.op != CollectiveOp::kAllReduce)
    return Status::error("the NCCL tree runs all-reduce only");
  auto grouped = by_server(ranks, map);
  if (!grouped) return grouped.status();
  const std::vector<Ids>& nodes = *grouped;
  const size_t servers = nodes.size();
  const size_t per = nodes[0].size();
  const NcclProtocolCosts& k = nccl_costs(best_protocol(CollectiveAlgo::kDoubleBinaryTree, spec,
                                                        static_cast<int64_t>(ranks.size()),
                                                        static_cast<int64_t>(servers), 2, map));
  const int64_t half = ceil_div(spec.bytes, 2);
  const int64_t pieces = std::max<int64_t>(1, ceil_div(half, k.chunk));
  const auto wire = std::max<int64_t>(
      1,
      static_cast<int64_t>(std::ceil(static_cast<double>(ceil_div(half, pieces)) * k.wire_factor)));
  const auto w = static_cast<size_t>(k.window);
  // Per tree, server position i (heap layout: parent (i-1)/2) and chain position j:
  // the transfer of each piece on that edge, so that piece p waits for p - window.
  const size_t edges = servers * per;
  std::vector<std::vector<Ids>> up(2), down(2);  // [tree][piece][i * per + j]
  Ids finals;
  for (size_t t = 0; t < 2; ++t) {
    up[t].assign(static_cast<size_t>(pieces), Ids(edges, kNone));
    down[t].assign(static_cast<size_t>(pieces), Ids(edges, kNone));
  }
  auto add = [&](uint32_t from, uint32_t to, std::vector<uint32_t> d, Time lat, size_t t,
                 size_t piece, bool is_up, size_t edge) {
    auto& hist = is_up ? up[t] : down[t];
    if (piece >= w) d.push_back(hist[piece - w][edge]);
    if (d.empty() && piece == 0) lat += k.tree_base;
    const uint32_t id = g.add_streamed(from, to, wire, lat, d, group, spec.priority);
    hist[piece][edge] = id;
    return id;
  };
  for (size_t piece = 0; piece < static_cast<size_t>(pieces); ++piece) {
    for (size_t t = 0; t < 2; ++t) {
      const size_t head = t == 0 ? 0 : per / 2;  // tree t's heads share one rail
      auto gpu = [&](size_t i, size_t j) {       // chain position j of server position i
        const size_t server = t == 0 ? i : servers - 1 - i;
        return nodes[server][(head + j) % per];
      };
      // Reduce: up each chain, then from each head to its parent (children first).
      std::vector<Ids> at_head(servers);
      for (size_t i = servers; i-- > 0;) {
        Ids carried(deps.begin(), deps.end());
        for (size_t j = per - 1; j >= 1; --j) {
          const uint32_t id = add(gpu(i, j), gpu(i, j - 1), carried, k.tree_nvlink_hop, t, piece,
                                  true, i * per + j);
          carried = {id};
        }
        if (per > 1) at_head[i].push_back(carried[0]);
        for (size_t c : {2 * i + 1, 2 * i + 2}) {
          if (c < servers) at_head[i].push_back(up[t][piece][c * per]);
        }
        if (i > 0) {
          Ids d = at_head[i].empty() ? Ids(deps.begin(), deps.end()) : at_head[i];
          add(gpu(i, 0), gpu((i - 1) / 2, 0), d, k.tree_net_extra, t, piece, true, i * per);
        }
      }
      // Broadcast: from the root down the tree, and down each chain.
      for (size_t i = 0; i < servers; ++i) {
        Ids have = i == 0 ? at_head[0] : Ids{down[t][piece][i * per]};
        if (have.empty()) have.assign(deps.begin(), deps.end());
        for (size_t c : {2 * i + 1, 2 * i + 2}) {
          if (c < servers) {
            finals.push_back(
                add(gpu(i, 0), gpu(c, 0), have, k.tree_net_extra, t, piece, false, c * per));
          }
        }
        Ids carried = have;
        for (size_t j = 1; j < per; ++j) {
          const uint32_t id = add(gpu(i, j - 1), gpu(i, j), carried, k.tree_nvlink_hop, t, piece,
                                  false, i * per + j);
          carried = {id};
          finals.push_back(id);
        }
      }
    }
  }
  return finals;
}

Result<Ids> add_nccl_ring(TaskGraph& g, uint32_t group, const CollectiveSpec& spec,
                          std::span<const uint32_t> ranks, std::span<const uint32_t> deps,
                          const ClusterMap& map) {
  if (!ring_op(spec.op))
    return Status::error("the NCCL ring runs all-reduce, reduce-scatter, all-gather");
  const size_t n = ranks.size();
  auto grouped = by_server(ranks, map);
  if (!grouped) return grouped.status();
  const std::vector<Ids>& nodes = *grouped;
  const size_t per = nodes[0].size();
  const uint32_t channels = nccl_channels(spec, static_cast<uint32_t>(n), map);
  const NcclProtocol proto = choose_nccl_protocol(
      spec, static_cast<uint32_t>(n), static_cast<uint32_t>(nodes.size()), channels, map);
  const NcclProtocolCosts& k = nccl_costs(proto);
  const auto nn = static_cast<int64_t>(n);
  const int64_t steps = spec.op == CollectiveOp::kAllReduce ? 2 * (nn - 1) : nn - 1;
  const int64_t per_channel = ceil_div(spec.bytes, channels);
  const int64_t loops = std::max<int64_t>(1, ceil_div(per_channel, nn * k.chunk));
  const int64_t chunk = std::max<int64_t>(1, ceil_div(per_channel, nn * loops));
  const int64_t slices = std::min(k.slices, chunk);
  const int64_t slice = ceil_div(chunk, slices);
  const auto wire = std::max<int64_t>(
      1, static_cast<int64_t>(std::ceil(static_cast<double>(slice) * k.wire_factor)));
  const int64_t sends = loops * steps * slices;
  const auto m_count = static_cast<size_t>(sends);
  Ids finals;
  std::vector<Ids> into(n, Ids(m_count, kNone));   // what reached position p for send m
  std::vector<Ids> first(n, Ids(m_count, kNone));  // hop p's first transfer of send m
  Ids order(n);
  for (uint32_t c = 0; c < channels; ++c) {
    for (size_t b = 0; b < nodes.size(); ++b) {
      for (size_t j = 0; j < per; ++j) order[b * per + j] = nodes[b][(c + j) % per];
    }
    for (size_t m = 0; m < m_count; ++m) {
      const auto mi = static_cast<int64_t>(m);
      const int64_t step = (mi / slices) % steps;
      const Time lead = mi < slices ? k.base : Time::zero();
      for (size_t p = 0; p < n; ++p) {
        const size_t next = (p + 1) % n;
        Ids d;
        if (step == 0) {
          d.assign(deps.begin(), deps.end());
        } else {
          d.push_back(into[p][m - static_cast<size_t>(slices)]);
        }
        if (mi >= k.window) d.push_back(first[next][m - static_cast<size_t>(k.window)]);
        const uint32_t from = order[p];
        const uint32_t to = order[next];
        uint32_t last = kNone;
        if (map.same_node(from, to)) {
          last = g.add_streamed(from, to, wire, k.nvlink_hop + lead, d, group, spec.priority);
          first[p][m] = last;
        } else {
          // PXN: the exit GPU hands the slice to the GPU on the ring's rail (the entry
          // of this server, the same local index as the next server's entry).
          const uint32_t rail = order[p + 1 - per];
          if (rail != from) {
            first[p][m] =
                g.add_streamed(from, rail, wire, k.nvlink_hop + lead, d, group, spec.priority);
            const uint32_t via[] = {first[p][m]};
            last = g.add_streamed(rail, to, wire, k.net_extra, via, group, spec.priority);
          } else {
            last = g.add_streamed(from, to, wire, k.net_extra + lead, d, group, spec.priority);
            first[p][m] = last;
          }
        }
        into[next][m] = last;
        if (step == steps - 1) finals.push_back(last);
      }
    }
  }
  return finals;
}

Result<Time> nvlink_collective_time(CollectiveOp op, int64_t bytes, int64_t ranks,
                                    const NvlinkCollective& nvl) {
  if (!ring_op(op))
    return Status::error("nvlink collective: all-reduce, reduce-scatter or all-gather");
  if (ranks < 1 || ranks > 1024) return Status::error("nvlink collective: 1..1024 ranks");
  if (bytes <= 0) return Status::error("nvlink collective: size must be positive");
  if (nvl.protocol == NcclProtocol::kNone) {
    return Status::error("nvlink collective: protocol none has no NCCL model (use auto)");
  }
  if (ranks == 1) return Time::zero();
  ClusterMap map = ClusterMap::linear(static_cast<uint32_t>(ranks), static_cast<uint32_t>(ranks));
  map.nvlink_rate = nvl.rate;
  map.nvlink_efficiency = nvl.efficiency;
  CollectiveSpec spec;
  spec.op = op;
  spec.bytes = bytes;
  spec.protocol = nvl.protocol;
  spec.channels = nvl.channels;
  TaskGraph g;
  Ids rs(static_cast<size_t>(ranks));
  for (size_t i = 0; i < rs.size(); ++i) rs[i] = static_cast<uint32_t>(i);
  auto fin = add_collective(g, spec, rs, {}, map, "nvlink");
  if (!fin) return fin.status();
  auto t = run_analytic(g, map, AlphaBeta{});
  if (!t) return t.status();
  return t->makespan();
}

}  // namespace aifabric
