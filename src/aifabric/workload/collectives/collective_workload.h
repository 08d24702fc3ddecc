// `workload: {type: collective}`: one collective on the packet-level fabric, one rank
// per host (NIC): the job whose bus bandwidth and completion time load-balancing
// schemes are compared on.
#pragma once

#include "aifabric/core/params.h"
#include "aifabric/workload/collectives/collectives.h"
#include "aifabric/workload/job.h"

namespace aifabric {

enum class RankPlacement { kLinear = 0, kAcrossLeaves = 1 };
inline constexpr std::string_view kRankPlacementNames[] = {"linear", "across_leaves"};

struct CollectiveWorkloadSpec final : ParamsOf<CollectiveWorkloadSpec> {
  CollectiveOp op = CollectiveOp::kAllReduce;
  CollectiveAlgo algorithm = CollectiveAlgo::kRing;
  Bytes size = Bytes::mib(64);
  int64_t ranks = 0;
  RankPlacement placement = RankPlacement::kLinear;
  NcclProtocol protocol = NcclProtocol::kNone;
  int64_t channels = 0;
  void visit(ParamVisitor& v) override {
    visit_enum(v, "op", op, kCollectiveOpNames, "the collective");
    visit_enum(v, "algorithm", algorithm, kCollectiveAlgoNames,
               "ring, tree (double binary tree), halving_doubling (power-of-2 ranks), "
               "pairwise or direct (all-to-all), sharp (all-reduce in the switches: "
               "switch.aggregation); nvls runs in one NVLink domain only (aifabric "
               "collective --algo nvls, the LLM workload's cluster.nvls), not here");
    v.param("size", size, "per-rank buffer in nccl-tests terms (all-reduce input)");
    v.param("ranks", ranks, "participating hosts, one rank each; 0 = every host", Range{0, 1e9});
    visit_enum(v, "placement", placement, kRankPlacementNames,
               "rank order: linear (rank r on host r) or across_leaves (consecutive ranks on "
               "different leaves, so every ring hop crosses the fabric)");
    visit_enum(v, "protocol", protocol, kNcclProtocolNames,
               "none: one transfer per ring step (the whole-step model); auto, ll, ll128, "
               "simple: NCCL's channels, slices in flight and protocol costs "
               "(docs/collectives.md) for ring, tree and direct");
    v.param("channels", channels, "with a protocol: rings the buffer is split over; 0 = one",
            Range{0, 64});
  }
  Status validate() const override {
    if (size.count() <= 0) return Status::error("size must be positive");
    if (algorithm == CollectiveAlgo::kNvls) {
      return Status::error(
          "algorithm nvls reduces in the NVSwitch of one NVLink domain, but this workload "
          "places one rank per host on the network (use `aifabric collective --algo nvls` "
          "or the LLM workload's cluster.nvls)");
    }
    return Status::ok();
  }
};

// Ranks in host order, or interleaved over the leaves (rank r on leaf r mod L).
std::vector<uint32_t> rank_hosts(const TopologyGraph& g, RankPlacement placement);

Result<Job> prepare_collective(const CollectiveWorkloadSpec& c, const JobContext& ctx);
void report_collective(const CollectiveWorkloadSpec& c, const Job& job, const TaskTimes& t,
                       const TopologyGraph& g, JobReport& out);

}  // namespace aifabric
