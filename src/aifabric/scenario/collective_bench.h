// The collective benchmark: one collective swept over message sizes on a fabric,
// reported in the layout of NVIDIA's nccl-tests (size, count, type, time, algbw,
// busbw) that cluster operators know.
#pragma once

#include <functional>
#include <string>

#include "aifabric/engine/transfer_engine.h"
#include "aifabric/scenario/scenario.h"
#include "aifabric/workload/collectives/collectives.h"

namespace aifabric {

struct CollectiveBenchOptions {
  // op, algorithm, hierarchical, NCCL protocol and channels (bytes set per row; the
  // network the protocol choice assumes is the fabric's alpha and beta)
  CollectiveSpec spec;
  uint32_t ranks = 16;
  uint32_t gpus_per_node = 1;  // >1: ranks of a node talk over NVLink
  Bytes min_size = Bytes::mib(1);
  Bytes max_size = Bytes::mib(64);
  const EngineKind* engine = engines().find("analytic");
  int64_t element_bytes = 4;       // nccl-tests' float
  double nvlink_efficiency = 1.0;  // achieved share of the NVLink rate (ClusterMap)
  // Per size, NCCL's choice between ring and tree (all-reduce across servers, a
  // protocol other than none); spec.algo is ignored.
  bool auto_algorithm = false;
  BitRate nvlink_rate = ClusterMap{}.nvlink_rate;  // per GPU per direction
  NvlsConfig nvls;                                 // --algo nvls: the NVSwitch's reduction
};

// Parses "1MiB:1GiB" (or a single size) into the options' range.
Status parse_size_range(const std::string& text, CollectiveBenchOptions& o);

// Runs the sweep on `fabric`'s topology and fabric settings (which needs at least
// `ranks` hosts; rank r uses host r) and returns the table.
// `progress` (may be empty) hears each size before it runs.
inline constexpr uint64_t kMaxCollectiveTasks = uint64_t{1} << 25;
// Beyond this many transfers the analytic backend times the NCCL model's collectives
// with the whole-step recurrence instead (and says so).
inline constexpr uint64_t kMaxNcclTasks = uint64_t{1} << 21;
Result<std::string> collective_bench_table(const CollectiveBenchOptions& o, const Scenario& fabric,
                                           const std::function<void(int64_t)>& progress = {});

}  // namespace aifabric
