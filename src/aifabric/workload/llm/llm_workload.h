// `workload: {type: llm}`: one training iteration of a large language model — the
// model, its parallel layout and the cluster — as a task graph (llm/iteration.h) run by
// the chosen engine.
#pragma once

#include "aifabric/core/params.h"
#include "aifabric/engine/transfer_engine.h"
#include "aifabric/workload/job.h"
#include "aifabric/workload/llm/model.h"

namespace aifabric {

struct LlmWorkloadSpec final : ParamsOf<LlmWorkloadSpec> {
  ModelConfig model;
  ParallelConfig parallel;
  ClusterConfig cluster;
  int backend = engines().index_of("analytic");  // a member of engines()
  TraceScope trace = TraceScope::kReplica;
  int64_t iterations = 1;
  void visit(ParamVisitor& v) override {
    v.section("model", model, "the model (defaults: GPT-3 175B)");
    v.section("parallel", parallel, "the parallel layout (defaults: TP 8, PP 8, DP 16)");
    v.section("cluster", cluster, "servers and GPUs");
    v.choice("backend", backend, engines().names(),
             "analytic (alpha-beta, instant), flow (max-min fluid flows on the fabric's paths, "
             "docs/flow-level.md) or packet (the packet-level fabric)");
    v.param("iterations", iterations,
            "training iterations back to back; the report gives the first and the steady "
            "state (the mean of the others)",
            Range{1, 1000});
    visit_enum(v, "trace", trace, kTraceScopeNames,
               "trace.json timeline: replica (the GPUs of data-parallel rank 0: every stage "
               "and tensor rank), all GPUs, or none");
  }
  std::string_view engine() const { return engines().at(static_cast<size_t>(backend)).name; }
};

Result<Job> prepare_llm(const LlmWorkloadSpec& w, const JobContext& ctx);
void report_llm(const LlmWorkloadSpec& w, const Job& job, const TaskTimes& t,
                const TopologyGraph& g, JobReport& out);

}  // namespace aifabric
