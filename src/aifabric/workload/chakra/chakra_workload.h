// `workload: {type: chakra, prefix: dir/name}`: Chakra execution traces, one per rank
// (dir/name.0.et, dir/name.1.et, ... up to the first missing number), as one task
// graph. Compute nodes become compute tasks on their rank; the k-th collective of a
// process group on every member rank is one collective among them (a group's members
// are the ranks whose traces name it in pg_name; without pg_name, every rank); the k-th
// send from a to b with a tag and the k-th receive at b from a with that tag are one
// transfer. Each waits for the dependencies of all the nodes it stands for.
#pragma once

#include <string>
#include <vector>

#include "aifabric/core/params.h"
#include "aifabric/engine/transfer_engine.h"
#include "aifabric/workload/chakra/chakra_trace.h"
#include "aifabric/workload/job.h"

namespace aifabric {

struct ChakraWorkloadSpec final : ParamsOf<ChakraWorkloadSpec> {
  std::string prefix;
  ReplayRun run;  // cluster, hierarchical, backend
  TraceScope trace = TraceScope::kAll;
  void visit(ParamVisitor& v) override {
    v.path("prefix", prefix,
           "trace files prefix.0.et, prefix.1.et, ... (one per rank), relative to the scenario");
    run.visit(v);
    visit_enum(v, "trace", trace, kTraceScopeNames,
               "trace.json timeline: every rank (all or replica), or none");
  }
  Status validate() const override {
    if (prefix.empty()) return Status::error("prefix: a trace prefix is required for type chakra");
    return Status::ok();
  }
  std::string_view engine() const { return run.engine(); }
};

struct ChakraGraphOptions {
  bool hierarchical = false;
  uint8_t priority = 3;
};

// One graph of all ranks' traces (traces[r] is rank r's) on `map`. Errors name the
// file and node: an unmatched send, collectives that differ between ranks, a cycle.
Result<TaskGraph> build_chakra_graph(const std::vector<ChakraRankTrace>& traces,
                                     const ClusterMap& map, const ChakraGraphOptions& o);

Result<Job> prepare_chakra(const ChakraWorkloadSpec& s, const JobContext& ctx);
void report_chakra(const ChakraWorkloadSpec& s, const Job& job, const TaskTimes& t,
                   const TopologyGraph& g, JobReport& out);

}  // namespace aifabric
