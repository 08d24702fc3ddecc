// The results store: telemetry.sqlite in every results folder, so that plain SQL
// answers questions about a run (and, attached together, across runs). Schema and
// indexes are documented in docs/telemetry.md.
#pragma once

#include <string>

#include "aifabric/core/status.h"
#include "aifabric/scenario/run.h"
#include "aifabric/telemetry/probes/sampler.h"

namespace aifabric {

// A training job's executed tasks, for the `tasks` table (the job timeline).
struct TaskRecord {
  uint32_t task;
  uint32_t rank;
  std::string kind;   // "compute" or the group's kind (allreduce, pp_send, ...)
  std::string group;  // the group's name
  Time start;
  Time end;
};

// Writes the run (topology, samples, pause episodes, flows, tasks, summary) to `path`,
// replacing any file there.
Status write_sqlite(const std::string& path, const RunReport& report, const TopologyGraph& g,
                    const Sampler* sampler, const std::vector<TaskRecord>& tasks,
                    const std::string& summary_json);

}  // namespace aifabric
