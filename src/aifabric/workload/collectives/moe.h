// Expert-parallel dispatch and combine as DeepEP's normal kernels run them (DeepEP
// docs/legacy.md): a token goes over RDMA once per server that holds one of its
// experts, to the GPU of the sender's rail there, which forwards it over NVLink to each
// GPU of that server holding one of its experts; inside the sender's own server it goes
// over NVLink directly. Combine is the reverse (NVLink to the rail GPU, which reduces,
// then RDMA back). The routing is DeepSeek-V3's group-limited gating: per token the
// top `topk_groups` servers by their best expert score, then the top `topk` experts of
// those servers. Units: tokens, bytes.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "aifabric/workload/task_graph.h"

namespace aifabric {

struct MoeRouting {
  uint32_t nodes = 2;
  uint32_t gpus_per_node = 8;
  int64_t tokens = 4096;  // per rank
  int64_t experts = 256;  // in all; experts / ranks per rank, experts / nodes per group
  int64_t topk = 8;
  int64_t topk_groups = 4;  // capped at nodes
  uint64_t seed = 1;
};

// Who sends how many tokens where, ranks numbered as ClusterMap::linear places them.
struct MoeTraffic {
  uint32_t nodes = 0, gpus_per_node = 0;
  std::vector<std::vector<int64_t>> to_node;  // [src rank][server]: tokens sent there
  std::vector<std::vector<int64_t>> to_rank;  // [src rank][dst rank]: tokens dst receives
  uint32_t ranks() const { return nodes * gpus_per_node; }
};

// Scores iid per token and expert from a seeded stream (only their order matters, as
// for DeepEP's |randn| + 1 scores); refuses shapes that do not divide.
Result<MoeTraffic> sample_moe_traffic(const MoeRouting& r);

// Dispatch (`combine` false) or combine of `token_bytes` per token, each server-to-
// server flow cut into `pieces` pieces that the NVLink stage forwards as each arrives.
// Returns the tasks a successor waits for.
Result<std::vector<uint32_t>> add_moe_exchange(TaskGraph& g, const MoeTraffic& t,
                                               int64_t token_bytes, bool combine, int64_t pieces,
                                               std::span<const uint32_t> deps,
                                               const ClusterMap& map, const std::string& name);

}  // namespace aifabric
