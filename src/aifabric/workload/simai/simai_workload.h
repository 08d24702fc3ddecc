// `workload: {type: simai, file: x.txt}`: one training iteration of a SimAI/AICB
// workload file (simai_file.h) as a task graph, in the order of SimAI's system layer
// for the transformer policies: the forward pass layer by layer (compute, then its
// collective, which the next layer waits for); then the backward pass from the last
// layer down, each layer's input-gradient compute and blocking collective, then its
// weight-gradient compute and collective, which runs in the background while the
// layers below go on. After every collective each of its ranks spends the layer's
// update time. Groups follow SimAI's MockNccl: tensor-parallel groups are blocks of
// tp consecutive ranks, data-parallel groups the ranks with the same position in
// every block, expert-parallel groups ep consecutive blocks (same position), DP_EP
// groups the blocks ep apart.
#pragma once

#include <string>
#include <vector>

#include "aifabric/core/params.h"
#include "aifabric/engine/transfer_engine.h"
#include "aifabric/workload/job.h"
#include "aifabric/workload/simai/simai_file.h"

namespace aifabric {

struct SimaiWorkloadSpec final : ParamsOf<SimaiWorkloadSpec> {
  std::string file;
  int64_t gpus = 0;  // 0: the header's all_gpus
  ReplayRun run;     // cluster, hierarchical, backend
  bool skip_broadcast = false;
  TraceScope trace = TraceScope::kReplica;
  void visit(ParamVisitor& v) override {
    v.path("file", file, "SimAI/AICB workload file (.txt), relative to the scenario");
    v.param("skip_broadcast", skip_broadcast,
            "treat BROADCAST as no communication, as SimAI does (AICB writes one for the norm "
            "layer); false: refuse the file");
    v.param("gpus", gpus, "ranks; 0: the header's all_gpus", Range{0, 1 << 20});
    run.visit(v);
    visit_enum(v, "trace", trace, kTraceScopeNames,
               "trace.json timeline: replica (the first tensor-parallel group), all GPUs, or none");
  }
  Status validate() const override {
    if (file.empty()) return Status::error("file: a workload file is required for type simai");
    return Status::ok();
  }
  std::string_view engine() const { return run.engine(); }
};

// Every group of one kind among n ranks (tp and ep as in the file; they must divide n
// and n / tp), each in ring order.
std::vector<std::vector<uint32_t>> simai_groups(SimaiGroup kind, uint32_t n, uint32_t tp,
                                                uint32_t ep);

struct SimaiGraphOptions {
  bool hierarchical = false;
  bool skip_broadcast = false;
  uint8_t priority = 3;
};

// The task graph of one iteration on `map` (map.ranks() ranks). Errors name the file's
// line and why (a group size that does not divide the ranks, ...).
Result<TaskGraph> build_simai_graph(const SimaiWorkload& w, const ClusterMap& map,
                                    const SimaiGraphOptions& o);

Result<Job> prepare_simai(const SimaiWorkloadSpec& s, const JobContext& ctx);
void report_simai(const SimaiWorkloadSpec& s, const Job& job, const TaskTimes& t,
                  const TopologyGraph& g, JobReport& out);

}  // namespace aifabric
