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
const NcclProtocolCosts kLL{Time::ns(6600), Time::ns(600), Time::zero(), 2.0, 32 << 10, 1, 8};
const NcclProtocolCosts kLL128{Time::ns(14000), Time::ns(1900), Time::ns(1300),
                               128.0 / 120.0, 576000, 1, 8};
const NcclProtocolCosts kSimple{Time::ns(8400), Time::ns(3400), Time::ns(11300), 1.0, 2 << 20, 2, 4};

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

NcclProtocol choose_nccl_protocol(const CollectiveSpec& spec, uint32_t ranks, uint32_t nodes,
                                  uint32_t channels, const ClusterMap& map) {
  if (spec.protocol != NcclProtocol::kAuto) return spec.protocol;
  const int64_t n = ranks;
  const int64_t per = n / std::max<uint32_t>(nodes, 1);
  const int64_t steps = spec.op == CollectiveOp::kAllReduce ? 2 * (n - 1) : n - 1;
  const int64_t inter = nodes <= 1 ? 0 : (spec.op == CollectiveOp::kAllReduce ? 2 : 1) * (nodes - 1);
  const double per_channel = std::ceil(static_cast<double>(spec.bytes) / channels);
  const double nvl_bps =
      static_cast<double>(map.nvlink_rate.bits_per_second()) * map.nvlink_efficiency / 8;
  const double net_bps = static_cast<double>(spec.net_goodput.bits_per_second()) / 8;
  // Seconds per payload byte of one channel's step: every GPU's NVLink port carries
  // one stream per channel; a NIC the channels of its rail.
  double per_byte = 0;
  if (per > 1) per_byte = std::max(per_byte, channels / nvl_bps);
  if (nodes > 1) {
    per_byte = std::max(per_byte, static_cast<double>(ceil_div(channels, per)) / net_bps);
  }
  NcclProtocol best = NcclProtocol::kSimple;
  double best_t = 0;
  for (NcclProtocol p : {NcclProtocol::kLL, NcclProtocol::kLL128, NcclProtocol::kSimple}) {
    const NcclProtocolCosts& k = nccl_costs(p);
    const double lat = k.base.to_seconds() +
                       static_cast<double>(steps - inter) * k.nvlink_hop.to_seconds() +
                       static_cast<double>(inter) *
                           (spec.net_alpha + k.net_extra + (per > 1 ? k.nvlink_hop : Time::zero()))
                               .to_seconds();
    const double t = lat + k.wire_factor * per_channel * static_cast<double>(steps) /
                               static_cast<double>(n) * per_byte;
    if (p == NcclProtocol::kLL || t < best_t) {
      best = p;
      best_t = t;
    }
  }
  return best;
}

Result<Ids> add_nccl_ring(TaskGraph& g, uint32_t group, const CollectiveSpec& spec,
                          std::span<const uint32_t> ranks, std::span<const uint32_t> deps,
                          const ClusterMap& map) {
  if (!ring_op(spec.op)) return Status::error("the NCCL ring runs all-reduce, reduce-scatter, all-gather");
  const size_t n = ranks.size();
  // Servers in the order their first rank appears; ranks of a server in the given order
  // (local index = rail).
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
  const size_t per = nodes[0].size();
  for (const Ids& rs : nodes) {
    if (rs.size() != per) {
      return Status::error("channels need the same number of ranks on every server");
    }
  }
  const uint32_t channels = nccl_channels(spec, static_cast<uint32_t>(n), map);
  const NcclProtocol proto =
      choose_nccl_protocol(spec, static_cast<uint32_t>(n), static_cast<uint32_t>(nodes.size()),
                           channels, map);
  const NcclProtocolCosts& k = nccl_costs(proto);
  const auto nn = static_cast<int64_t>(n);
  const int64_t steps = spec.op == CollectiveOp::kAllReduce ? 2 * (nn - 1) : nn - 1;
  const int64_t per_channel = ceil_div(spec.bytes, channels);
  const int64_t loops = std::max<int64_t>(1, ceil_div(per_channel, nn * k.chunk));
  const int64_t chunk = std::max<int64_t>(1, ceil_div(per_channel, nn * loops));
  const int64_t slices = std::min(k.slices, chunk);
  const int64_t slice = ceil_div(chunk, slices);
  const auto wire =
      std::max<int64_t>(1, static_cast<int64_t>(std::ceil(static_cast<double>(slice) * k.wire_factor)));
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
            first[p][m] = g.add_streamed(from, rail, wire, k.nvlink_hop + lead, d, group, spec.priority);
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
  if (!ring_op(op)) return Status::error("nvlink collective: all-reduce, reduce-scatter or all-gather");
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
