// Writing a results folder safely. A run first claims its folder (before simulating):
// an advisory lock beside it, so two runs cannot share one --out; a refusal to replace
// a non-empty folder aifabric did not write, unless forced; and a fresh temporary
// sibling, which is where every file goes (so an unwritable place is found at once and
// nothing is written through a symlink planted in an old folder). The temporary folder
// holds a marker (.aifabric) that says "incomplete" until every file is written; then
// it says "complete" and the folder is renamed into place, replacing an earlier
// aifabric folder whole. A run that stops early (an error, SIGINT/SIGTERM) leaves
// nothing at --out; a killed one at most a hidden folder marked incomplete, which
// `compare` and `report` refuse.
#pragma once

#include <memory>
#include <string>

#include "aifabric/core/status.h"
#include "aifabric/scenario/simulate.h"

namespace aifabric {

inline constexpr const char* kResultsMarker = ".aifabric";

class OutputFolder {
 public:
  // Claims `dir`. Errors read "--out DIR: why".
  static Result<std::unique_ptr<OutputFolder>> claim(const std::string& dir, bool force);
  OutputFolder(const OutputFolder&) = delete;
  OutputFolder& operator=(const OutputFolder&) = delete;
  // Not committed: the staging folder is removed.
  ~OutputFolder();

  const std::string& dir() const { return dir_; }
  // Where the files go until commit().
  const std::string& staging() const { return staging_; }
  // Marks the folder complete and moves it into place.
  Status commit();

 private:
  OutputFolder() = default;
  std::string dir_;
  std::string staging_;
  std::string lock_;
  int lock_fd_ = -1;
  bool committed_ = false;
};

// Writes the run's files into `folder` (its staging folder). Errors read
// "--out DIR: why".
Status write_run(OutputFolder& folder, const Simulation& sim, const PreparedRun& run);

// Claims `dir` (replacing what is there, as --force would), writes and commits: the
// one-call form for tests and tools.
Status write_results(const std::string& dir, const Simulation& sim, const PreparedRun& run);

// Writes the marker of a complete results folder into `dir` (a point of a sweep).
Status mark_complete(const std::string& dir);

// `dir` is a complete results folder written by aifabric: its marker says so. Errors
// name the folder and what is wrong ("not written by aifabric", "incomplete").
Status check_results_folder(const std::string& dir);

}  // namespace aifabric
