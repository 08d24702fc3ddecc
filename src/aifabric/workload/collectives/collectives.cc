// Collective algorithms as transfers with data dependencies. Conventions: a transfer
// depends on the transfer that brought its data to the sender (the previous step's
// receive) and on the sender's own previous send (a NIC sends its steps in order).
#include "aifabric/workload/collectives/collectives.h"

#include <algorithm>
#include <map>
#include <set>

#include "aifabric/workload/collectives/nccl.h"
#include "aifabric/workload/collectives/nvls.h"

namespace aifabric {
namespace {

using Ids = std::vector<uint32_t>;

struct Ctx {
  TaskGraph& g;
  uint32_t group;
  uint8_t prio;
  const ClusterMap* map = nullptr;
  const std::function<Time(uint32_t, uint32_t)>* coalesce = nullptr;  // CollectiveSpec's
};

int64_t ceil_div(int64_t a, int64_t b) {
  return (a + b - 1) / b;
}

// `steps` ring steps of `chunk` bytes among `ranks`; `start[i]` are rank i's initial
// dependencies. Returns each rank's last receive (indexed like ranks).
Ids ring(Ctx& c, std::span<const uint32_t> ranks, int64_t chunk, int64_t steps,
         const std::vector<Ids>& start) {
  const size_t n = ranks.size();
  if (c.coalesce != nullptr && *c.coalesce) {
    // One transfer per neighbour pair for all the steps (CollectiveSpec::coalesce).
    Ids recv(n, UINT32_MAX);
    for (size_t i = 0; i < n; ++i) {
      const uint32_t src = ranks[i], dst = ranks[(i + 1) % n];
      const Time step = c.map->same_node(src, dst)
                            ? c.map->nvlink_latency
                            : (*c.coalesce)(c.map->host_of_rank[src], c.map->host_of_rank[dst]);
      // Across the network the engine adds one step's latency itself; NVLink streams
      // pay none.
      const int64_t more = c.map->same_node(src, dst) ? steps : steps - 1;
      const uint32_t t = c.g.add_streamed(src, dst, std::max<int64_t>(chunk, 1) * steps,
                                          step * more, start[i], c.group, c.prio);
      c.g.mark_coalesced(t);
      recv[(i + 1) % n] = t;
    }
    return recv;
  }
  Ids last_send(n, UINT32_MAX);
  Ids last_recv(n, UINT32_MAX);  // by receiving rank
  for (int64_t k = 0; k < steps; ++k) {
    Ids recv(n, UINT32_MAX);
    for (size_t i = 0; i < n; ++i) {
      const size_t to = (i + 1) % n;
      Ids deps;
      if (k == 0) {
        deps = start[i];
      } else {
        deps = {last_recv[i], last_send[i]};
      }
      const uint32_t t =
          c.g.add_transfer(ranks[i], ranks[to], std::max<int64_t>(chunk, 1), deps, c.group, c.prio);
      last_send[i] = t;
      recv[to] = t;
    }
    last_recv = recv;
  }
  return last_recv;
}

std::vector<Ids> same_start(size_t n, std::span<const uint32_t> deps) {
  return std::vector<Ids>(n, Ids(deps.begin(), deps.end()));
}

// Recursive halving (reduce-scatter) then recursive doubling (all-gather): log2(n)
// exchanges each way; sizes halve, then double.
Ids halving_doubling(Ctx& c, std::span<const uint32_t> ranks, int64_t bytes, bool rs, bool ag,
                     std::span<const uint32_t> deps) {
  const size_t n = ranks.size();
  int k = 0;
  while ((size_t{1} << k) < n) ++k;
  Ids last_send(n, UINT32_MAX), last_recv(n, UINT32_MAX);
  bool first = true;
  auto exchange = [&](size_t distance, int64_t size) {
    Ids recv(n, UINT32_MAX);
    for (size_t i = 0; i < n; ++i) {
      const size_t peer = i ^ distance;
      Ids d = first ? Ids(deps.begin(), deps.end()) : Ids{last_recv[i], last_send[i]};
      const uint32_t t =
          c.g.add_transfer(ranks[i], ranks[peer], std::max<int64_t>(size, 1), d, c.group, c.prio);
      last_send[i] = t;
      recv[peer] = t;
    }
    last_recv = recv;
    first = false;
  };
  if (rs) {
    for (int s = 0; s < k; ++s) exchange(n >> (s + 1), ceil_div(bytes, int64_t{2} << s));
  }
  if (ag) {
    for (int s = 0; s < k; ++s)
      exchange(size_t{1} << s, ceil_div(bytes << s, static_cast<int64_t>(n)));
  }
  return last_recv;
}

// One binary tree over `order` (heap layout: children of i are 2i+1, 2i+2): reduce to
// the root, then broadcast down, in `chunks` pipelined pieces of `size` total.
void tree(Ctx& c, const std::vector<uint32_t>& order, int64_t size, int64_t chunks,
          std::span<const uint32_t> deps, Ids& finals) {
  const size_t n = order.size();
  const int64_t piece = std::max<int64_t>(ceil_div(size, chunks), 1);
  // up[i][k]: transfer of chunk k from node i to its parent; down[i][k]: to node i.
  std::vector<Ids> up(n, Ids(static_cast<size_t>(chunks), UINT32_MAX));
  std::vector<Ids> down(n, Ids(static_cast<size_t>(chunks), UINT32_MAX));
  for (size_t idx = n; idx-- > 1;) {  // children before parents
    for (int64_t k = 0; k < chunks; ++k) {
      Ids d(deps.begin(), deps.end());
      for (size_t ch : {2 * idx + 1, 2 * idx + 2}) {
        if (ch < n) d.push_back(up[ch][static_cast<size_t>(k)]);
      }
      if (k > 0) d.push_back(up[idx][static_cast<size_t>(k - 1)]);
      up[idx][static_cast<size_t>(k)] =
          c.g.add_transfer(order[idx], order[(idx - 1) / 2], piece, d, c.group, c.prio);
    }
  }
  for (size_t idx = 1; idx < n; ++idx) {  // parents before children
    const size_t parent = (idx - 1) / 2;
    for (int64_t k = 0; k < chunks; ++k) {
      Ids d;
      if (parent == 0) {
        for (size_t ch : {size_t{1}, size_t{2}}) {
          if (ch < n) d.push_back(up[ch][static_cast<size_t>(k)]);
        }
      } else {
        d.push_back(down[parent][static_cast<size_t>(k)]);
      }
      if (k > 0) d.push_back(down[idx][static_cast<size_t>(k - 1)]);
      down[idx][static_cast<size_t>(k)] =
          c.g.add_transfer(order[parent], order[idx], piece, d, c.group, c.prio);
      if (k == chunks - 1) finals.push_back(down[idx][static_cast<size_t>(k)]);
    }
  }
}

// In-network aggregation over the fabric's tree (ClusterMap::aggregation): in `piece`
// chunks, every GPU sends each chunk to its leaf's engine; a leaf engine sends the
// reduced chunk to the top engine (the root, or the only leaf taking part), which sends
// the result to its children; leaf engines copy it to their GPUs. Every sender keeps
// at most kSharpInFlight chunks in flight on each of its hops (so one chunk's handshake
// hides behind the next one's bytes), and chunk k enters an engine only once chunk
// k - window left it (the engine's buffer). The engine's throughput is its port's
// rate: no compute task.
constexpr size_t kSharpInFlight = 2;

Result<Ids> sharp(Ctx& c, std::span<const uint32_t> ranks, int64_t bytes,
                  std::span<const uint32_t> deps) {
  const ClusterMap& map = *c.map;
  const AggregationTree& t = map.aggregation;
  if (t.empty() || map.aggregator_rank.size() != t.host.size()) {
    return Status::error(
        "algorithm sharp needs switches that aggregate: set switch.aggregation.enabled: true");
  }
  std::map<uint32_t, Ids> gpus_of;  // leaf engine -> its GPU ranks, in rank order
  for (uint32_t r : ranks) {
    const uint32_t h = map.host_of_rank[r];
    if (h >= t.leaf_of_host.size()) {
      return Status::error("algorithm sharp: rank " + std::to_string(r) +
                           " is not on a GPU host of the aggregation tree");
    }
    gpus_of[t.leaf_of_host[h]].push_back(r);
  }
  const uint32_t top = gpus_of.size() == 1 ? gpus_of.begin()->first : t.root;
  Ids leaves;  // engines below the top
  for (const auto& [e, rs] : gpus_of) {
    if (e != top) leaves.push_back(e);
  }
  const int64_t chunks = std::max<int64_t>(ceil_div(bytes, t.config.chunk.count()), 1);
  const int64_t piece = std::max<int64_t>(ceil_div(bytes, chunks), 1);
  const auto w = static_cast<size_t>(t.config.window());
  const auto agg = [&](uint32_t e) { return map.aggregator_rank[e]; };
  // Per chunk: what frees an engine's slot (its sends onward), and each hop's transfer
  // (GPU up and down by rank, engine up and down by leaf engine).
  struct Chunk {
    std::map<uint32_t, Ids> out;
    std::map<uint32_t, uint32_t> up, down, eng_up, eng_down;
  };
  std::vector<Chunk> ch(static_cast<size_t>(chunks));
  Ids finals;
  for (size_t k = 0; k < ch.size(); ++k) {
    Chunk& now = ch[k];
    // The same hop's transfer kSharpInFlight chunks earlier, if any.
    auto before = [&](std::map<uint32_t, uint32_t> Chunk::*hop, uint32_t key, Ids& d) {
      if (k >= kSharpInFlight) d.push_back((ch[k - kSharpInFlight].*hop)[key]);
    };
    auto slot = [&](uint32_t e, Ids& d) {
      if (k >= w) d.insert(d.end(), ch[k - w].out[e].begin(), ch[k - w].out[e].end());
    };
    Ids top_in;  // the top engine's inputs of chunk k
    auto gpu_ups = [&](uint32_t e, Ids& arrived) {
      for (uint32_t r : gpus_of[e]) {
        Ids d(deps.begin(), deps.end());
        before(&Chunk::up, r, d);
        slot(e, d);
        now.up[r] = c.g.add_transfer(r, agg(e), piece, d, c.group, c.prio);
        arrived.push_back(now.up[r]);
      }
    };
    for (uint32_t e : leaves) {
      Ids d;
      gpu_ups(e, d);
      before(&Chunk::eng_up, e, d);
      slot(top, d);
      now.eng_up[e] = c.g.add_transfer(agg(e), agg(top), piece, d, c.group, c.prio);
      now.out[e] = {now.eng_up[e]};
      top_in.push_back(now.eng_up[e]);
    }
    if (gpus_of.count(top) != 0) gpu_ups(top, top_in);
    // Down: the top's result to its children, then the leaves' copies.
    for (uint32_t e : leaves) {
      Ids d = top_in;
      before(&Chunk::eng_down, e, d);
      now.eng_down[e] = c.g.add_transfer(agg(top), agg(e), piece, d, c.group, c.prio);
      now.out[top].push_back(now.eng_down[e]);
    }
    auto gpu_downs = [&](uint32_t e, const Ids& from) {
      for (uint32_t r : gpus_of[e]) {
        Ids d = from;
        before(&Chunk::down, r, d);
        now.down[r] = c.g.add_transfer(agg(e), r, piece, d, c.group, c.prio);
        if (e == top) now.out[top].push_back(now.down[r]);
        if (k + 1 == ch.size()) finals.push_back(now.down[r]);
      }
    };
    if (gpus_of.count(top) != 0) gpu_downs(top, top_in);
    for (uint32_t e : leaves) gpu_downs(e, Ids{now.eng_down[e]});
  }
  return finals;
}

}  // namespace

std::string_view collective_op_name(CollectiveOp op) {
  return kCollectiveOps[static_cast<size_t>(op)].kind;
}

std::string_view collective_algo_name(CollectiveAlgo algo) {
  return kCollectiveAlgoNames[static_cast<size_t>(algo)];
}

std::optional<CollectiveOp> parse_collective_op(std::string_view text) {
  for (const auto& o : kCollectiveOps) {
    if (o.name == text || o.kind == text) return o.op;
  }
  return std::nullopt;
}

std::optional<CollectiveAlgo> parse_collective_algo(std::string_view text) {
  for (size_t i = 0; i < std::size(kCollectiveAlgoNames); ++i) {
    if (kCollectiveAlgoNames[i] == text) return static_cast<CollectiveAlgo>(i);
  }
  return std::nullopt;
}

double bus_factor(CollectiveOp op, uint32_t ranks) {
  const double n = ranks;
  switch (op) {
    case CollectiveOp::kAllReduce:
      return n <= 1 ? 0 : 2 * (n - 1) / n;
    case CollectiveOp::kSendRecv:
      return 1;
    default:
      return n <= 1 ? 0 : (n - 1) / n;
  }
}

Result<std::vector<uint32_t>> add_collective(TaskGraph& g, const CollectiveSpec& spec,
                                             std::span<const uint32_t> ranks,
                                             std::span<const uint32_t> deps, const ClusterMap& map,
                                             const std::string& name) {
  const std::string what = std::string(collective_op_name(spec.op)) + " '" + name + "'";
  if (std::set<uint32_t>(ranks.begin(), ranks.end()).size() != ranks.size()) {
    return Status::error(what + ": a rank appears twice");
  }
  for (uint32_t r : ranks) {
    if (r >= map.ranks())
      return Status::error(what + ": rank " + std::to_string(r) + " is not in the cluster");
  }
  if (spec.bytes <= 0) return Status::error(what + ": size must be positive");
  const size_t n = ranks.size();
  if (spec.op == CollectiveOp::kSendRecv && n != 2) {
    return Status::error(what + ": send/recv takes exactly 2 ranks");
  }
  if (n <= 1) return Ids(deps.begin(), deps.end());
  const auto nn = static_cast<int64_t>(n);
  Ctx c{g,
        g.add_group(
            {name, std::string(collective_op_name(spec.op)), spec.bytes, static_cast<uint32_t>(n)}),
        spec.priority, &map, &spec.coalesce};
  const int64_t chunk = ceil_div(spec.bytes, nn);

  if (spec.hierarchical &&
      (spec.op == CollectiveOp::kAllReduce || spec.op == CollectiveOp::kReduceScatter ||
       spec.op == CollectiveOp::kAllGather)) {
    if (spec.algo != CollectiveAlgo::kRing) {
      return Status::error(what + ": hierarchical runs rings (NVLink, then one per rail), not " +
                           std::string(collective_algo_name(spec.algo)));
    }
    // Group ranks by node (in the given order) and by local position in the node.
    std::map<uint32_t, Ids> by_node;
    for (uint32_t r : ranks) by_node[map.node_of_rank[r]].push_back(r);
    const size_t local = by_node.begin()->second.size();
    for (const auto& [node, rs] : by_node) {
      if (rs.size() != local) {
        return Status::error(what + ": hierarchical needs the same number of ranks on every node");
      }
    }
    std::vector<Ids> nodes;
    nodes.reserve(by_node.size());
    for (auto& [node, rs] : by_node) nodes.push_back(rs);
    const size_t m = nodes.size();
    std::map<uint32_t, Ids> after;  // rank -> what its next phase waits for
    for (uint32_t r : ranks) after[r] = Ids(deps.begin(), deps.end());
    auto intra = [&](int64_t size) {  // a ring over NVLink in every node
      for (const auto& rs : nodes) {
        std::vector<Ids> start;
        start.reserve(rs.size());
        for (uint32_t r : rs) start.push_back(after[r]);
        const Ids fin = ring(c, rs, ceil_div(size, static_cast<int64_t>(local)),
                             static_cast<int64_t>(local) - 1, start);
        for (size_t i = 0; i < rs.size(); ++i) {
          if (fin[i] != UINT32_MAX) after[rs[i]] = {fin[i]};
        }
      }
    };
    auto inter = [&](int64_t size, int64_t steps_per_chunk) {  // one ring per rail
      for (size_t j = 0; j < local; ++j) {
        Ids rail;
        std::vector<Ids> start;
        for (const auto& rs : nodes) {
          rail.push_back(rs[j]);
          start.push_back(after[rs[j]]);
        }
        if (m <= 1) continue;
        const Ids fin = ring(c, rail, ceil_div(size, static_cast<int64_t>(m)),
                             steps_per_chunk * (static_cast<int64_t>(m) - 1), start);
        for (size_t i = 0; i < rail.size(); ++i) after[rail[i]] = {fin[i]};
      }
    };
    const auto l = static_cast<int64_t>(local);
    if (spec.op == CollectiveOp::kAllReduce) {
      if (local > 1) intra(spec.bytes);   // reduce-scatter inside nodes
      inter(ceil_div(spec.bytes, l), 2);  // all-reduce of 1/local per rail
      if (local > 1) intra(spec.bytes);   // all-gather inside nodes
    } else if (spec.op == CollectiveOp::kReduceScatter) {
      if (local > 1) intra(spec.bytes);
      inter(ceil_div(spec.bytes, l), 1);
    } else {
      inter(ceil_div(spec.bytes, l), 1);
      if (local > 1) intra(spec.bytes);
    }
    Ids out;
    for (uint32_t r : ranks) out.insert(out.end(), after[r].begin(), after[r].end());
    return out;
  }

  if (spec.algo == CollectiveAlgo::kNvls) {
    auto fin = add_nvls(g, c.group, c.prio, spec.op, spec.bytes, ranks, deps, map);
    if (!fin) return fin.status().with_context(what);
    return fin;
  }
  const bool nccl = spec.protocol != NcclProtocol::kNone;
  if (nccl && spec.algo == CollectiveAlgo::kRing && spec.op != CollectiveOp::kAllToAll &&
      spec.op != CollectiveOp::kSendRecv) {
    auto fin = add_nccl_ring(g, c.group, spec, ranks, deps, map);
    if (!fin) return fin.status().with_context(what);
    return fin;
  }
  if (nccl && spec.algo == CollectiveAlgo::kDoubleBinaryTree &&
      spec.op == CollectiveOp::kAllReduce) {
    auto fin = add_nccl_tree(g, c.group, spec, ranks, deps, map);
    if (!fin) return fin.status().with_context(what);
    return fin;
  }
  switch (spec.op) {
    case CollectiveOp::kSendRecv:
      return Ids{g.add_transfer(ranks[0], ranks[1], spec.bytes, deps, c.group, c.prio)};
    case CollectiveOp::kAllToAll: {
      if (spec.algo == CollectiveAlgo::kDirect) {
        // All at once; listed by shift (i -> i+k) so that index order, the tie-break of
        // the executors, pairs every sender with a distinct receiver instead of having
        // all ranks queue on rank 0 first.
        // Under the NCCL model the peers stream (Simple's per-hop latencies): a NIC
        // serialises one peer's bytes after another's without waiting for delivery.
        const NcclProtocolCosts& k = nccl_costs(NcclProtocol::kSimple);
        Ids out;
        for (size_t k2 = 1; k2 < n; ++k2) {
          for (size_t i = 0; i < n; ++i) {
            const uint32_t a = ranks[i];
            const uint32_t b = ranks[(i + k2) % n];
            out.push_back(nccl ? g.add_streamed(a, b, chunk,
                                                map.same_node(a, b) ? k.nvlink_hop : Time::zero(),
                                                deps, c.group, c.prio)
                               : g.add_transfer(a, b, chunk, deps, c.group, c.prio));
          }
        }
        return out;
      }
      if (spec.algo != CollectiveAlgo::kPairwise) {
        return Status::error(what + ": all-to-all runs pairwise or direct");
      }
      Ids last(n, UINT32_MAX);
      for (size_t k = 1; k < n; ++k) {
        for (size_t i = 0; i < n; ++i) {
          Ids d = k == 1 ? Ids(deps.begin(), deps.end()) : Ids{last[i]};
          last[i] = g.add_transfer(ranks[i], ranks[(i + k) % n], chunk, d, c.group, c.prio);
        }
      }
      return last;
    }
    default:
      break;
  }
  if (spec.algo == CollectiveAlgo::kSharp) {
    if (spec.op != CollectiveOp::kAllReduce) {
      return Status::error(what + ": sharp (in-network aggregation) is an all-reduce algorithm");
    }
    auto fin = sharp(c, ranks, spec.bytes, deps);
    if (!fin) return fin.status().with_context(what);
    return fin;
  }
  // All-reduce, reduce-scatter, all-gather.
  switch (spec.algo) {
    case CollectiveAlgo::kRing: {
      const int64_t steps = spec.op == CollectiveOp::kAllReduce ? 2 * (nn - 1) : nn - 1;
      return ring(c, ranks, chunk, steps, same_start(n, deps));
    }
    case CollectiveAlgo::kHalvingDoubling: {
      if ((n & (n - 1)) != 0) {
        return Status::error(what +
                             ": halving-doubling needs a power-of-two number of ranks (got " +
                             std::to_string(n) + ")");
      }
      const bool rs = spec.op != CollectiveOp::kAllGather;
      const bool ag = spec.op != CollectiveOp::kReduceScatter;
      return halving_doubling(c, ranks, spec.bytes, rs, ag, deps);
    }
    case CollectiveAlgo::kDoubleBinaryTree: {
      if (spec.op != CollectiveOp::kAllReduce) {
        return Status::error(what + ": the double binary tree is an all-reduce algorithm");
      }
      // Two trees, each carrying half the data; the second over the reversed order so
      // that the first tree's leaves are interior nodes of the second (NCCL's aim).
      // Each half is pipelined in pieces of at most 4 MiB (at most 64 pieces).
      const int64_t half = ceil_div(spec.bytes, 2);
      const int64_t chunks = std::clamp<int64_t>(ceil_div(half, int64_t{4} << 20), 1, 64);
      std::vector<uint32_t> a(ranks.begin(), ranks.end());
      std::vector<uint32_t> b(a.rbegin(), a.rend());
      Ids finals;
      tree(c, a, half, chunks, deps, finals);
      tree(c, b, half, chunks, deps, finals);
      return finals;
    }
    default:
      return Status::error(what + ": algorithm " + std::string(collective_algo_name(spec.algo)) +
                           " does not apply");
  }
}

}  // namespace aifabric
