// What the commands of the aifabric command line share: the options every scenario
// command takes, loading a scenario from them, one-line errors, progress on a terminal.
// Exit status: 0 success, 1 the run could not write its results, 2 bad input.
#pragma once

#include <CLI/CLI.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "aifabric/scenario/scenario.h"
#include "aifabric/scenario/simulate.h"

namespace aifabric::cli {

inline constexpr int kBadInput = 2;
inline constexpr int kWriteFailed = 1;
// The run finished its simulation and wrote its results, but did not complete: it
// stopped at stop_time, or flows (or the job) failed. The verdict says which.
inline constexpr int kIncomplete = 3;
// Stopped by SIGINT / SIGTERM (128 + signal, as shells report it); nothing written.
inline constexpr int kInterruptedBase = 128;

// Prints "aifabric: msg" on stderr and returns kBadInput.
int bad_input(const std::string& msg);
// The same for a failure to write results (kWriteFailed).
int write_failed(const std::string& msg);

// The command line as typed (shell-quoted), recorded once by main() for provenance.
void record_command_line(int argc, char** argv);
const std::string& command_line();

struct CommonOptions {
  std::string scenario;
  std::vector<std::string> sets;
  std::string ns3_topology;
  std::string ns3_flows;
  std::string ns3_config;
  std::optional<int64_t> seed;
  bool allow_large = false;
};
// The options a command that writes results takes.
struct OutputOptions {
  std::string out;
  bool force = false;
  bool quiet = false;
  bool progress = true;  // --no-progress turns it off
  // --progress-every, seconds; 0: 2 s then 0.5 s on a terminal, 5 s elsewhere.
  double progress_every = 0;
};
void add_output(CLI::App* cmd, OutputOptions& o, const std::string& default_out);
void add_common(CLI::App* cmd, CommonOptions& o);
Result<std::unique_ptr<Scenario>> load(const CommonOptions& o);
void print_notes(const PreparedRun& run);
// Prepares the scenario, refusing (before and after) a run too big for the memory
// budget unless allow_large.
Result<PreparedRun> prepare_checked(const Scenario& s, bool allow_large);

// SIGINT and SIGTERM set a flag (the first time; a second one kills at once) that long
// runs poll: the run stops, its temporary folder is removed, nothing is written.
void catch_interrupts();
// The signal that arrived, or 0.
int interrupted();

// Progress on stderr: on a terminal one line rewritten in place (after 2 s, then every
// 0.5 s), elsewhere (pipes, CI logs) a line every 5 s; `every` > 0 sets both the first
// line's delay and the interval (--progress-every). Simulated time, flows
// and bytes done, events/s, and an ETA from the bytes (or the expected end). Also
// stops the run when an interrupt arrived.
class Progress final : public RunObserver {
 public:
  Progress(bool show, std::string label, double every = 0);
  bool progress(const RunProgress& p) override;
  ~Progress() override;

 private:
  bool show_;
  bool tty_;
  double first_;  // seconds of wall time before the first line
  double every_;  // seconds between lines
  std::string label_;
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
Command add_plan(CLI::App& app);

}  // namespace aifabric::cli
