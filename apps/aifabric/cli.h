// What the commands of the aifabric command line share: the options every scenario
// command takes, loading a scenario from them, one-line errors, progress on a terminal.
// Exit status: 0 success, 1 the run could not write its results, 2 bad input.
#pragma once

#include <CLI/CLI.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "aifabric/scenario/scenario.h"
#include "aifabric/scenario/simulate.h"

namespace aifabric::cli {

inline constexpr int kBadInput = 2;
inline constexpr int kWriteFailed = 1;

// Prints "aifabric: msg" on stderr and returns kBadInput.
int bad_input(const std::string& msg);
// The same for a failure to write results (kWriteFailed).
int write_failed(const std::string& msg);

struct CommonOptions {
  std::string scenario;
  std::vector<std::string> sets;
  std::string ns3_topology;
  std::string ns3_flows;
  int64_t seed = -1;
};
void add_common(CLI::App* cmd, CommonOptions& o);
Result<std::unique_ptr<Scenario>> load(const CommonOptions& o);
void print_notes(const Scenario& s);

// Progress on stderr for runs longer than about two seconds, only on a terminal.
class TerminalProgress final : public RunObserver {
 public:
  explicit TerminalProgress(Time stop) : stop_(stop), start_(std::chrono::steady_clock::now()) {}
  void progress(const Simulator& sim, size_t done, size_t total) override;
  ~TerminalProgress() override;

 private:
  Time stop_;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_;
  bool shown_ = false;
};

// The commands; each registers its subcommand and returns what runs it once parsed.
struct Command {
  CLI::App* app = nullptr;
  std::function<int()> run;
};
Command add_run(CLI::App& app);
Command add_validate(CLI::App& app);
Command add_sweep(CLI::App& app);
Command add_collective(CLI::App& app);
Command add_workload(CLI::App& app);
Command add_report(CLI::App& app);
Command add_compare(CLI::App& app);
Command add_list(CLI::App& app);

}  // namespace aifabric::cli
