// NVLS (NVLink SHARP): all-reduce, reduce-scatter and all-gather inside one NVLink
// domain with the NVSwitch doing the reduction and the multicast (ClusterMap::nvls).
// The data moves as the multimem operations move it, piece by piece of the buffer:
//   reduce (multimem.ld_reduce): every GPU sends its whole piece into its switch port,
//     the switch's reduction unit adds the n contributions, and each GPU gets back the
//     1/n slice it owns, reduced;
//   multicast (multimem.st): every GPU writes its reduced slice once into its port and
//     the switch copies it out of every port, so each GPU receives the whole piece.
// All-reduce is both, reduce-scatter the first, all-gather the second. Per GPU and
// direction an all-reduce of S bytes moves S (n + 1) / n over NVLink, against the
// ring's 2 (n - 1) / n S: at large S the algbw is the port rate x n / (n + 1) (or the
// reduction unit's rate, if lower), the busbw 2 (n - 1) / (n + 1) times the ring's.
// Units: bytes, Time (ps).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "aifabric/workload/collectives/collectives.h"
#include "aifabric/workload/collectives/nccl.h"

namespace aifabric {

// Appends the NVLS collective `op` of `bytes` (nccl-tests' per-rank buffer) among
// `ranks` (one NVLink domain of a map with add_nvls) to `g` in `group`; the first
// transfers depend on `deps`. Returns one join per rank that a successor waits for.
// Errors name the problem (other operations, ranks across domains, no NVLS on the map).
Result<std::vector<uint32_t>> add_nvls(TaskGraph& g, uint32_t group, uint8_t priority,
                                       CollectiveOp op, int64_t bytes,
                                       std::span<const uint32_t> ranks,
                                       std::span<const uint32_t> deps, const ClusterMap& map);

// The time of `op` of `bytes` among `ranks` GPUs of one domain with NVLS, the graph
// above run on the executor (NVLink transfers are timed alike by every backend):
// nvl's rate and efficiency, the cluster's NVLink latency per hop.
Result<Time> nvls_collective_time(CollectiveOp op, int64_t bytes, int64_t ranks,
                                  const NvlinkCollective& nvl, Time latency,
                                  const NvlsConfig& cfg = {});

}  // namespace aifabric
