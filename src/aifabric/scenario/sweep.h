// `aifabric sweep`: one scenario run once per value of one key; the values parsed from
// --vary and the comparison table (one row per value, columns by what the scenario
// runs: a training iteration, a collective, or a traffic list).
#pragma once

#include <string>
#include <vector>

#include "aifabric/core/status.h"
#include "aifabric/scenario/outputs.h"
#include "aifabric/scenario/scenario.h"
#include "aifabric/telemetry/run_record.h"

namespace aifabric {

struct Vary {
  std::string key;
  std::vector<std::string> values;  // YAML text, as --set takes it
  std::vector<std::string> labels;  // what points and tables call each value
};
// "KEY=V1,V2,..."; errors quote the option (an empty value is refused). A value
// "@FILE" is the YAML file's whole text (a section: --vary topology=@a.yaml,@b.yaml
// compares whole topologies), labelled by the file's stem; an unreadable file is
// refused naming it.
Result<Vary> parse_vary(const std::string& text);

// Every combination of the axes' values, the first axis varying slowest.
std::vector<std::vector<std::string>> sweep_grid(const std::vector<Vary>& axes);

// A point's label ("k1=v1,k2=v2") as one folder name: path separators and other
// characters a folder name should not hold become '_', and it is never "." or "..".
std::string safe_folder_name(const std::string& label);

struct SweepRow {
  std::string label;   // "k1=v1,k2=v2"
  std::string folder;  // inside the sweep's folder
  const RunReport* report;
  // The first column of the terminal table: the value alone for a one-key sweep.
  std::string label_for_table(size_t axes) const;
};

// Writes one point's results folder, OUT/<folder>/, inside the sweep's staging folder.
Status write_point(OutputFolder& sweep, const std::string& folder, const Simulation& sim,
                   const PreparedRun& run);
// sweep.csv and sweep.html beside the points.
Status write_sweep_files(OutputFolder& sweep, const std::vector<SweepRow>& rows);

// The header for runs like `first` (a training iteration, a collective, or flows).
std::string sweep_header(const std::string& key, const RunReport& first);
std::string sweep_row(const std::string& value, const RunReport& r);

}  // namespace aifabric
