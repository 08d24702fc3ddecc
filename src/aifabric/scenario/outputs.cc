#include "aifabric/scenario/outputs.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "aifabric/core/version.h"
#include "aifabric/telemetry/sinks/output.h"

namespace aifabric {
namespace {

namespace fs = std::filesystem;

Status marker(const std::string& folder, bool complete) {
  const fs::path p = fs::path(folder) / kResultsMarker;
  std::ofstream out(p, std::ios::trunc);
  out << nlohmann::json{{"written_by", "aifabric"}, {"version", kVersion}, {"complete", complete}}
             .dump()
      << "\n";
  out.flush();
  if (!out) return Status::error("cannot write " + std::string(kResultsMarker));
  return Status::ok();
}

// What the marker of `dir` says: nullopt = no marker (not an aifabric folder).
std::optional<bool> marked_complete(const fs::path& dir) {
  std::ifstream in(dir / kResultsMarker);
  if (!in) return std::nullopt;
  auto j = nlohmann::json::parse(in, nullptr, false);
  if (!j.is_object() || j.value("written_by", "") != "aifabric") return std::nullopt;
  const auto it = j.find("complete");
  return it != j.end() && it->is_boolean() && it->get<bool>();
}

}  // namespace

Result<std::unique_ptr<OutputFolder>> OutputFolder::claim(const std::string& dir, bool force) {
  const std::string where = "--out " + dir;
  if (dir.empty()) return Status::error("--out: the folder name is empty");
  fs::path target = fs::path(dir).lexically_normal();
  if (target.filename().empty()) target = target.parent_path();  // "a/b/" -> "a/b"
  const std::string name = target.filename().string();
  if (name.empty() || name == "." || name == "..") {
    return Status::error(where + ": name a folder (not '" + name + "')");
  }
  fs::path parent = target.parent_path();
  if (parent.empty()) parent = ".";
  std::error_code ec;
  fs::create_directories(parent, ec);
  if (ec) return Status::error(where + ": cannot create " + parent.string() + ": " + ec.message());

  auto f = std::unique_ptr<OutputFolder>(new OutputFolder());
  f->dir_ = target.string();
  f->lock_ = (parent / ("." + name + ".lock")).string();
  // The lock file is removed when the run ends, so a run may lock a file that another
  // has just unlinked: it keeps the lock only if the name still points at its file.
  for (int attempt = 0;; ++attempt) {
    f->lock_fd_ = open(f->lock_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (f->lock_fd_ < 0) {
      return Status::error(where + ": cannot write in " + parent.string() + ": " +
                           std::strerror(errno));
    }
    if (flock(f->lock_fd_, LOCK_EX | LOCK_NB) != 0) {
      close(f->lock_fd_);
      f->lock_fd_ = -1;
      return Status::error(where + ": another aifabric run is writing this folder (" + f->lock_ +
                           " is locked)");
    }
    struct stat held {};
    struct stat named {};
    if (fstat(f->lock_fd_, &held) == 0 && lstat(f->lock_.c_str(), &named) == 0 &&
        held.st_dev == named.st_dev && held.st_ino == named.st_ino) {
      break;
    }
    close(f->lock_fd_);
    f->lock_fd_ = -1;
    if (attempt == 100) return Status::error(where + ": cannot hold " + f->lock_);
  }
  // What is there now may be replaced only if aifabric wrote it, it is empty, or forced.
  const auto st = fs::symlink_status(target, ec);
  if (!ec && fs::exists(st)) {
    if (!fs::is_directory(fs::status(target, ec))) {
      if (!force) return Status::error(where + ": exists and is not a folder (use --force)");
    } else if (!force && !marked_complete(target).has_value() && !fs::is_empty(target, ec)) {
      return Status::error(where +
                           ": the folder exists and was not written by aifabric; choose another "
                           "--out or use --force to replace it");
    }
  }
  std::string tmpl = (parent / ("." + name + ".tmp-XXXXXX")).string();
  if (mkdtemp(tmpl.data()) == nullptr) {
    return Status::error(where + ": cannot create a folder in " + parent.string() + ": " +
                         std::strerror(errno));
  }
  f->staging_ = tmpl;
  // mkdtemp makes it private (0700); a results folder is as readable as any the user makes.
  const mode_t mask = umask(0);
  umask(mask);
  chmod(f->staging_.c_str(), 0777 & ~mask);
  if (Status s = marker(f->staging_, false); !s) return s.with_context(where);
  return f;
}

OutputFolder::~OutputFolder() {
  if (!committed_ && !staging_.empty()) {
    std::error_code ec;
    fs::remove_all(staging_, ec);
  }
  if (lock_fd_ >= 0) {
    unlink(lock_.c_str());  // while still holding it: see claim()
    close(lock_fd_);
  }
}

Status OutputFolder::commit() {
  const std::string where = "--out " + dir_;
  if (Status s = marker(staging_, true); !s) return s.with_context(where);
  std::error_code ec;
  const fs::path target(dir_);
  fs::path old;
  if (fs::exists(fs::symlink_status(target, ec))) {
    old = target.parent_path() /
          ("." + target.filename().string() + ".old-" + std::to_string(getpid()));
    fs::remove_all(old, ec);
    fs::rename(target, old, ec);
    if (ec) return Status::error(where + ": cannot replace the old folder: " + ec.message());
  }
  fs::rename(staging_, target, ec);
  if (ec) {
    if (!old.empty()) fs::rename(old, target, ec);
    return Status::error(where + ": cannot move the results into place: " + ec.message());
  }
  committed_ = true;
  if (!old.empty()) fs::remove_all(old, ec);
  return Status::ok();
}

Status write_run(OutputFolder& folder, const Simulation& sim, const PreparedRun& run) {
  auto written = write_outputs(folder.staging(), run_record(sim, run));
  if (!written) return written.status().with_context("--out " + folder.dir());
  return Status::ok();
}

Status write_results(const std::string& dir, const Simulation& sim, const PreparedRun& run) {
  auto folder = OutputFolder::claim(dir, /*force=*/true);
  if (!folder) return folder.status();
  if (Status s = write_run(**folder, sim, run); !s) return s;
  return (*folder)->commit();
}

Status mark_complete(const std::string& dir) {
  return marker(dir, true);
}

Status check_results_folder(const std::string& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return Status::error(dir + ": not a folder");
  const auto complete = marked_complete(dir);
  if (!complete.has_value()) {
    return Status::error(dir + ": not a results folder written by aifabric (no " +
                         std::string(kResultsMarker) + " marker)");
  }
  if (!*complete) {
    return Status::error(dir +
                         ": an incomplete results folder (the run that wrote it stopped "
                         "before the end); run it again");
  }
  return Status::ok();
}

}  // namespace aifabric
