// Collective communication as task graphs: each algorithm becomes real point-to-point
// transfers with real data dependencies (step k+1 of a ring waits for the data of step
// k), appended to a TaskGraph so that any executor — analytic or packet-level — runs it.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "aifabric/workload/task_graph.h"

namespace aifabric {

enum class CollectiveOp { kAllReduce, kReduceScatter, kAllGather, kAllToAll, kSendRecv };
enum class CollectiveAlgo {
  kRing,              // all-reduce, reduce-scatter, all-gather
  kDoubleBinaryTree,  // all-reduce (NCCL's tree: reduce up two trees, broadcast down)
  kHalvingDoubling,   // all-reduce, reduce-scatter, all-gather (Rabenseifner); power-of-2 ranks
  kPairwise,          // all-to-all: n-1 rounds, round k sends to rank (i + k) mod n
  kDirect,            // all-to-all: every pair at once
  kSharp,             // all-reduce in the switches' aggregation engines (ClusterMap::aggregation)
  kNvls,              // all-reduce, reduce-scatter, all-gather in the NVSwitch (ClusterMap::nvls)
};

// The one name table of the operations: `name` is what scenarios (`workload.op`) and
// the command line (`--op`) take; `kind` labels the task groups an operation adds (the
// `kind` of telemetry.sqlite's tasks, trace.json's `cat`), as nccl-tests names its
// benchmarks; the command line takes it too.
struct CollectiveOpInfo {
  CollectiveOp op;
  std::string_view name;
  std::string_view kind;
};
inline constexpr CollectiveOpInfo kCollectiveOps[] = {
    {CollectiveOp::kAllReduce, "all_reduce", "allreduce"},
    {CollectiveOp::kReduceScatter, "reduce_scatter", "reduce_scatter"},
    {CollectiveOp::kAllGather, "all_gather", "all_gather"},
    {CollectiveOp::kAllToAll, "all_to_all", "all_to_all"},
    {CollectiveOp::kSendRecv, "send_recv", "send_recv"},
};
inline constexpr auto kCollectiveOpNames = [] {
  std::array<std::string_view, std::size(kCollectiveOps)> a{};
  for (size_t i = 0; i < a.size(); ++i) a[i] = kCollectiveOps[i].name;
  return a;
}();
inline constexpr std::string_view kCollectiveAlgoNames[] = {
    "ring", "tree", "halving_doubling", "pairwise", "direct", "sharp", "nvls"};
// How NCCL moves the data (collectives.md). kNone: the whole-step model (one ring, a
// step is one transfer that waits for the previous one; no protocol costs), what the
// callers before the NCCL model were calibrated on. kAuto: the protocol NCCL's tuning
// model would pick (lowest predicted time). LL, LL128, Simple: forced.
enum class NcclProtocol : uint8_t { kNone, kAuto, kLL, kLL128, kSimple };
inline constexpr std::string_view kNcclProtocolNames[] = {"none", "auto", "ll", "ll128", "simple"};
std::optional<NcclProtocol> parse_nccl_protocol(std::string_view text);

// By name or kind; nullopt if neither.
std::optional<CollectiveOp> parse_collective_op(std::string_view text);
std::optional<CollectiveAlgo> parse_collective_algo(std::string_view text);

struct CollectiveSpec {
  CollectiveOp op = CollectiveOp::kAllReduce;
  CollectiveAlgo algo = CollectiveAlgo::kRing;
  // The per-rank buffer size in nccl-tests terms: all-reduce/reduce-scatter input,
  // all-gather output, all-to-all total sent per rank, send/recv message.
  int64_t bytes = 0;
  // Hierarchical: NVLink inside each node first (reduce-scatter), the network across
  // nodes between ranks of the same local index (rails), then NVLink again (all-gather).
  bool hierarchical = false;
  uint8_t priority = 3;
  // NCCL's execution model for flat rings (all-reduce, reduce-scatter, all-gather) and
  // direct all-to-alls; other algorithms and hierarchical ignore it.
  NcclProtocol protocol = NcclProtocol::kNone;
  // Rings the buffer is split over (NCCL's channels), each crossing servers on its own
  // rail; 0 = one per NIC of a server (the ranks per node). Small buffers use fewer.
  uint32_t channels = 0;
  // What the automatic protocol choice assumes of the network between servers (the
  // alpha-beta engine's parameters; the packet fabric measures close to them).
  Time net_alpha = Time::us(5);
  BitRate net_goodput = BitRate::gbps(392);
  // Set (the flow level): a whole-step ring (protocol none) becomes one streamed
  // transfer per neighbour pair carrying all of its steps' chunks, usable the latency
  // of the other steps after it arrived: steps - 1 times coalesce(src host, dst host)
  // across the network, the NVLink latency inside a server. The fluid flows then run
  // for the collective's whole duration instead of 2(n - 1) rounds of n transfers
  // (docs/flow-level.md): O(n) transfers instead of O(n^2).
  std::function<Time(uint32_t, uint32_t)> coalesce;
};

// Appends the collective among `ranks` (in ring order) to `g`; every first transfer of
// a rank depends on `deps`. Returns the tasks a successor must wait for. `name` names
// the group the transfers are reported under. Errors name the problem (e.g. halving-
// doubling on 12 ranks).
Result<std::vector<uint32_t>> add_collective(TaskGraph& g, const CollectiveSpec& spec,
                                             std::span<const uint32_t> ranks,
                                             std::span<const uint32_t> deps, const ClusterMap& map,
                                             const std::string& name);

// nccl-tests' bus bandwidth factor: busbw = algbw x factor (all-reduce 2(n-1)/n,
// reduce-scatter / all-gather / all-to-all (n-1)/n, send/recv 1).
double bus_factor(CollectiveOp op, uint32_t ranks);

// The operation's task-group kind (kCollectiveOps[].kind) and the algorithm's name.
std::string_view collective_op_name(CollectiveOp op);
std::string_view collective_algo_name(CollectiveAlgo algo);

}  // namespace aifabric
