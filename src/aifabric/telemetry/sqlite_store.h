// The results store: telemetry.sqlite in every results folder, so that plain SQL
// answers questions about a run (and, attached together, across runs). Schema and
// indexes are documented in docs/telemetry.md.
#pragma once

#include <string>

#include "aifabric/core/status.h"
#include "aifabric/scenario/run.h"
#include "aifabric/telemetry/sampler.h"

namespace aifabric {

// Writes the run (topology, samples, pause episodes, flows, summary) to `path`,
// replacing any file there.
Status write_sqlite(const std::string& path, const RunReport& report, const TopologyGraph& g,
                    const Sampler* sampler, const std::string& summary_json);

}  // namespace aifabric
