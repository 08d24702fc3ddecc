// The aifabric command line: a thin layer over scenario/ and telemetry/, one file per
// group of commands (cmd_*.cc). Exit status: 0 success, 3 written but not completed,
// 2 bad input (nothing written), 1 the run could not write its results (or an internal
// error), 128 + signal when interrupted.
#include <CLI/CLI.hpp>
#include <exception>
#include <iostream>
#include <new>
#include <vector>

#include "aifabric/core/version.h"
#include "cli.h"

namespace {

int run_main(int argc, char** argv) {
  using namespace aifabric::cli;
  record_command_line(argc, argv);
  CLI::App app{"aifabric: a digital twin of AI-training networks (RoCE/Ethernet fabrics)"};
  app.require_subcommand(0, 1);
  app.set_version_flag("--version", std::string("aifabric ") + aifabric::kVersion);
  // One line per error, like every other refusal ("aifabric: why").
  app.failure_message([](const CLI::App*, const CLI::Error& e) {
    return "aifabric: " + std::string(e.what()) + " (see --help)\n";
  });
  app.footer(
      "Examples:\n"
      "  aifabric run                                   # the built-in default scenario\n"
      "  aifabric run examples/incast-pfc.yaml --out results/incast\n"
      "  aifabric run --ns3-topology topo.txt --ns3-flows flow.txt --out results/ns3\n"
      "  aifabric validate my.yaml --set switch.buffer=16MiB\n"
      "  aifabric workload examples/gpt3-175b-1024gpu.yaml\n"
      "  aifabric list --markdown");
  const Command run = add_run(app);
  const std::vector<Command> others{add_validate(app), add_collective(app), add_sweep(app),
                                    add_report(app),   add_compare(app),    add_workload(app),
                                    add_list(app),     add_plan(app)};
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : kBadInput;
  }
  for (const Command& c : others) {
    if (c.app->parsed()) return c.run();
  }
  return run.run();  // `run`, or no command at all
}

}  // namespace

// Nothing escapes as an abort: what the commands do not catch becomes one line.
int main(int argc, char** argv) {
  try {
    return run_main(argc, argv);
  } catch (const std::bad_alloc&) {
    std::cerr << "aifabric: out of memory: the run needs more than this machine gives it "
                 "(the estimate checked before running is set by AIFABRIC_MEMORY_BUDGET)\n";
    return aifabric::cli::kBadInput;
  } catch (const std::exception& e) {
    std::cerr << "aifabric: internal error: " << e.what() << "\n";
    return 1;
  } catch (...) {
    std::cerr << "aifabric: internal error\n";
    return 1;
  }
}
