// Collective communication as task graphs: each algorithm becomes real point-to-point
// transfers with real data dependencies (step k+1 of a ring waits for the data of step
// k), appended to a TaskGraph so that any executor — analytic or packet-level — runs it.
#pragma once

#include <cstdint>
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
};

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

std::string_view collective_op_name(CollectiveOp op);
std::string_view collective_algo_name(CollectiveAlgo algo);

}  // namespace aifabric
