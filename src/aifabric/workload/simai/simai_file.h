// Reader for the text workload files of SimAI (alibaba/SimAI) as AICB writes them:
//
//   HYBRID_TRANSFORMER_FWD_IN_BCKWD model_parallel_NPU_group: 8 ep: 1 pp: 1 ... all_gpus: 16
//   <layer count>
//   name dep fwd_ns fwd_comm fwd_bytes ig_ns ig_comm ig_bytes wg_ns wg_comm wg_bytes update_ns
//
// one line per layer, fields separated by blanks. Times are SimAI ticks (nanoseconds),
// sizes bytes. A communication is NONE or ALLREDUCE, ALLGATHER, REDUCESCATTER,
// ALLTOALL, each optionally suffixed _EP or _DP_EP (the group; without a suffix the
// forward and input-gradient ones run in the tensor-parallel group, the weight-gradient
// one in the data-parallel group). What the reader cannot map is refused by name:
// other parallelism policies, pipeline parallelism (SimAI adds it analytically),
// activation checkpoints and ALLREDUCEALLTOALL (BROADCAST is read, see SimaiOp). Errors
// read "source:line: why".
#pragma once

#include <cstdint>
#include <istream>
#include <string>
#include <vector>

#include "aifabric/core/status.h"
#include "aifabric/core/units.h"

namespace aifabric {

// Far beyond AICB's largest files (a few thousand layers, ~200 KB).
inline constexpr size_t kMaxSimaiWorkloadBytes = size_t{64} << 20;
inline constexpr uint64_t kMaxSimaiLayers = 1'000'000;
// One phase's compute or update: at most 1000 s (SimAI ticks are nanoseconds).
inline constexpr uint64_t kMaxSimaiTicks = 1'000'000'000'000;
// One collective's buffer: at most 1 TiB.
inline constexpr uint64_t kMaxSimaiCommBytes = uint64_t{1} << 40;
// Ranks: at most 2^20 (the group sizes must divide it).
inline constexpr uint64_t kMaxSimaiGpus = uint64_t{1} << 20;

// kBroadcast: SimAI reads it but simulates no communication for it (AICB writes one
// for the norm layer of every model); the mapping skips or refuses it.
enum class SimaiOp : uint8_t {
  kNone,
  kAllReduce,
  kAllGather,
  kReduceScatter,
  kAllToAll,
  kBroadcast
};
// The group a communication runs in (SimAI's MockNccl group types).
enum class SimaiGroup : uint8_t { kTp, kDp, kEp, kDpEp };

struct SimaiComm {
  SimaiOp op = SimaiOp::kNone;
  SimaiGroup group = SimaiGroup::kTp;
  int64_t bytes = 0;
};

struct SimaiLayer {
  std::string name;
  size_t line = 0;
  Time fwd_compute, ig_compute, wg_compute, update;
  SimaiComm fwd, ig, wg;
};

struct SimaiWorkload {
  std::string source;
  std::string policy;  // HYBRID_TRANSFORMER or HYBRID_TRANSFORMER_FWD_IN_BCKWD
  uint64_t tp = 1;     // model_parallel_NPU_group
  uint64_t ep = 1;
  uint64_t all_gpus = 0;  // 0: the header does not say
  std::vector<SimaiLayer> layers;
};

Result<SimaiWorkload> read_simai_workload(std::istream& in, const std::string& source);

// The group names of errors and reports: "tp", "dp", "ep", "dp_ep".
std::string_view simai_group_name(SimaiGroup g);

}  // namespace aifabric
