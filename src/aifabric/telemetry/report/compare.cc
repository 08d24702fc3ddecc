#include "aifabric/telemetry/report/compare.h"

#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

namespace aifabric {

Result<std::string> compare_runs(const std::vector<std::string>& dirs) {
  if (dirs.empty()) return Status::error("compare: name at least one results folder");
  std::vector<nlohmann::json> runs;
  for (const auto& d : dirs) {
    const auto path = std::filesystem::path(d) / "summary.json";
    std::ifstream in(path);
    if (!in) return Status::error(path.string() + ": cannot read (not a results folder?)");
    nlohmann::json j = nlohmann::json::parse(in, nullptr, false);
    if (j.is_discarded()) return Status::error(path.string() + ": not valid JSON");
    runs.push_back(std::move(j));
  }
  // Rows: label and JSON pointer into summary.json.
  const std::pair<const char*, const char*> rows[] = {
      {"scenario", "/scenario"},
      {"seed", "/seed"},
      {"hosts", "/topology/hosts"},
      {"makespan (us)", "/time/makespan_s"},
      {"flows completed", "/flows/completed"},
      {"flows total", "/flows/total"},
      {"FCT p50 (us)", "/flows/fct_us/p50"},
      {"FCT p99 (us)", "/flows/fct_us/p99"},
      {"slowdown p50", "/flows/slowdown/p50"},
      {"slowdown p99", "/flows/slowdown/p99"},
      {"retransmitted packets", "/flows/retransmitted_packets"},
      {"drops (packets)", "/drops/packets"},
      {"PFC pause frames", "/pfc/pause_frames"},
      {"paused time total (us)", "/pfc/paused_time_us_total"},
      {"ECN-marked packets", "/ecn/marked_packets"},
      {"fabric util max (%)", "/fabric_link_utilization_pct/max"},
      {"fabric util max/mean", "/fabric_link_utilization_pct/max_over_mean"},
      {"iteration (s)", "/workload/iteration_s"},
      {"communication share", "/workload/communication_share"},
      {"engine packet-hops/s", "/engine/packet_hops_per_s"},
  };
  std::string out = fmt::format("{:<26}", "");
  for (const auto& d : dirs)
    out += fmt::format(" {:>20}", std::filesystem::path(d).filename().string().substr(0, 20));
  out += "\n";
  for (const auto& [label, ptr] : rows) {
    bool any = false;
    std::string line = fmt::format("{:<26}", label);
    for (const auto& j : runs) {
      const nlohmann::json::json_pointer p(ptr);
      std::string cell = "-";
      if (j.contains(p)) {
        any = true;
        const auto& v = j.at(p);
        double scale = std::string(label) == "makespan (us)" ? 1e6 : 1.0;
        if (v.is_number_float()) {
          cell = fmt::format("{:.6g}", v.get<double>() * scale);
        } else if (v.is_number()) {
          cell = std::to_string(v.get<int64_t>());
        } else if (v.is_string()) {
          cell = v.get<std::string>().substr(0, 20);
        } else {
          cell = v.dump().substr(0, 20);
        }
      }
      line += fmt::format(" {:>20}", cell);
    }
    if (any) out += line + "\n";
  }
  return out;
}

}  // namespace aifabric
