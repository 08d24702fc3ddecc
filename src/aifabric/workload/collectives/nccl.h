// NCCL's way of running a collective, as task-graph transfers (collectives.md): the
// buffer split over channels (rings), each ring crossing servers on its own rail (the
// exit GPU hands its data over NVLink to the GPU of the ring's rail, whose NIC sends it:
// PXN), each ring moving its data in slices with several in flight (NCCL_STEPS slots,
// a sender waits for the receiver to free a slot), and the protocols LL / LL128 /
// Simple with their wire overhead and per-hop latencies from NCCL's tuning model.
// Units: bytes, Time (ps). Invariant: every transfer depends only on the data it
// forwards and on the slot it writes into (earlier tasks), so the graph is acyclic.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "aifabric/workload/collectives/collectives.h"

namespace aifabric {

// One protocol's costs. Latencies are NCCL's tuning-model constants (src/graph/
// tuning.cc, NVIDIA/nccl at 5067397, ring algorithm); buffer sizes its defaults
// (src/init.cc, src/include/device.h: NCCL_STEPS = 8).
struct NcclProtocolCosts {
  Time base;           // once per collective (tuning.cc baseLatencies, ring)
  Time nvlink_hop;     // per NVLink hop (hwLatencies NVLINK, ring); replaces nvlink_latency
  Time net_extra;      // per network hop beyond the engine's own latency: hwLatencies
                       // NET ring of the protocol minus LL's (LL is the wire's)
  double wire_factor;  // wire bytes per payload byte (LL: 8 B flag per 8 B; LL128: 8 of 128)
  int64_t chunk;       // largest payload per ring step per channel
  int64_t slices;      // pieces a step's chunk is forwarded in (Simple: CHUNKSTEPS/SLICESTEPS)
  int64_t window;      // slices a sender may have at its receiver (NCCL_STEPS / SLICESTEPS)
  // NCCL's tree (all-reduce): base latency, per NVLink hop of the chains, per network
  // hop beyond the engine's latency (tuning.cc Tree columns; the same LL-ring wire).
  Time tree_base;
  Time tree_nvlink_hop;
  Time tree_net_extra;
};
const NcclProtocolCosts& nccl_costs(NcclProtocol p);

// The protocol NCCL's tuning model would run `spec` with on `ranks` ranks (`nodes`
// servers, `channels` rings): lowest base + hops x latency + bytes / bandwidth, with
// this cluster's NVLink and spec's network. A forced protocol is returned as is.
NcclProtocol choose_nccl_protocol(const CollectiveSpec& spec, uint32_t ranks, uint32_t nodes,
                                  uint32_t channels, const ClusterMap& map);

// NCCL's algorithm for an all-reduce across servers: the ring or the tree (chains in
// the servers, a double binary tree over them), whichever its tuning model predicts
// faster with this protocol; anything else is the ring.
CollectiveAlgo choose_nccl_algorithm(const CollectiveSpec& spec, uint32_t ranks, uint32_t nodes,
                                     const ClusterMap& map);

// The channels a ring of `ranks` ranks uses for `bytes` (spec.channels, or one per GPU
// of a server; a buffer of less than 4 KiB per rank per channel uses fewer).
uint32_t nccl_channels(const CollectiveSpec& spec, uint32_t ranks, const ClusterMap& map);

// The ring collective (all-reduce, reduce-scatter, all-gather) NCCL-style in group
// `group`; errors name the problem. Returns every rank's last receive of every channel.
Result<std::vector<uint32_t>> add_nccl_ring(TaskGraph& g, uint32_t group,
                                            const CollectiveSpec& spec,
                                            std::span<const uint32_t> ranks,
                                            std::span<const uint32_t> deps, const ClusterMap& map);

// NCCL's tree all-reduce: in each server a chain through its GPUs, the chain heads
// joined by two binary trees over the servers (the second over the reversed order, so
// that one tree's leaves are the other's interior), each carrying half the buffer in
// slices: reduce up the chains and the tree, broadcast down. Servers must hold the same
// number of ranks.
Result<std::vector<uint32_t>> add_nccl_tree(TaskGraph& g, uint32_t group,
                                            const CollectiveSpec& spec,
                                            std::span<const uint32_t> ranks,
                                            std::span<const uint32_t> deps, const ClusterMap& map);

// NVLink inside one server, for callers that fold tensor-parallel collectives into
// compute (workload/llm): the time of `op` (all-reduce, reduce-scatter, all-gather) of
// `bytes` (nccl-tests' per-rank buffer) among `ranks` GPUs of one server, as the NCCL
// model runs it on the executor. `protocol` kNone is refused (use kAuto).
struct NvlinkCollective {
  BitRate rate = BitRate::gbps(2400);  // per GPU, each direction (A100 NVLink3)
  double efficiency = 0.8;             // achieved share (collectives.md: DGX A100 busbw)
  NcclProtocol protocol = NcclProtocol::kAuto;
  uint32_t channels = 0;  // 0 = ranks
};
Result<Time> nvlink_collective_time(CollectiveOp op, int64_t bytes, int64_t ranks,
                                    const NvlinkCollective& nvl = {});

}  // namespace aifabric
