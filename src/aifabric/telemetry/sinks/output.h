// The output-file family: every file of a results folder is a member that says whether
// it applies to a run and writes it from the run's record. A new output is a folder
// under telemetry/sinks/ plus one line in telemetry/sinks/registry.cc; members are
// written in registration order (report.html reads telemetry.sqlite, so it comes after).
#pragma once

#include <string>
#include <vector>

#include "aifabric/core/registry.h"
#include "aifabric/core/status.h"
#include "aifabric/telemetry/run_record.h"

namespace aifabric {

struct OutputFile : Member {
  // Null = always.
  bool (*applies)(const RunRecord& rec) = nullptr;
  // Writes the file at `path` (in the results folder being written).
  Status (*write)(const RunRecord& rec, const std::string& path) = nullptr;
};

const Registry<OutputFile>& output_files();

// Writes every output that applies into `dir` (which must exist); returns the file
// names written, in order.
Result<std::vector<std::string>> write_outputs(const std::string& dir, const RunRecord& rec);

}  // namespace aifabric
