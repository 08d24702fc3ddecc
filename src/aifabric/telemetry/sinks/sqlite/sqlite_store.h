// The results store: telemetry.sqlite in every results folder, so that plain SQL
// answers questions about a run (and, attached together, across runs). Schema and
// indexes are documented in docs/telemetry.md.
#pragma once

#include <string>

#include "aifabric/core/status.h"
#include "aifabric/telemetry/run_record.h"

namespace aifabric {

// Writes the run (topology, samples, pause and link events, flows, the job's timeline of
// one replica, the faults when it had any, summary) to `path`, replacing any file there.
Status write_sqlite(const std::string& path, const RunRecord& rec);

}  // namespace aifabric
