#include "aifabric/scenario/outputs.h"

#include <filesystem>

#include "aifabric/telemetry/sinks/output.h"

namespace aifabric {

Status write_results(const std::string& dir, const Simulation& sim, const PreparedRun& run) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Status::error("--out " + dir + ": cannot create the folder: " + ec.message());
  auto written = write_outputs(dir, run_record(sim, run));
  if (!written) return written.status().with_context("--out " + dir);
  return Status::ok();
}

}  // namespace aifabric
