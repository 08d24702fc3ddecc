// The job sections of report.html: a training job's collectives and the per-GPU timeline
// of one data-parallel replica; and the run's details (report_sections.h).
#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "aifabric/telemetry/report/report_format.h"
#include "aifabric/telemetry/report/report_page.h"
#include "aifabric/telemetry/report/report_sections.h"

namespace aifabric::report {
namespace {

using nlohmann::json;

// Task kinds in the order the legend lists them, with their colours.
const char* kind_colour(const std::string& kind) {
  static const std::map<std::string, const char*> kColours = {
      {"compute", "#4e79a7"},    {"pp_send", "#f28e2b"},       {"allreduce", "#e15759"},
      {"all_reduce", "#e15759"}, {"all_to_all", "#59a14f"},    {"allgather", "#b07aa1"},
      {"all_gather", "#b07aa1"}, {"reduce_scatter", "#76b7b2"}};
  const auto it = kColours.find(kind);
  return it != kColours.end() ? it->second : "#9c755f";
}

std::string collectives_table(const json& summary) {
  if (!summary.contains("workload") || !summary["workload"].contains("collectives")) return "";
  std::string out =
      "<table class=\"t\"><tr><th>collective</th><th>kind</th><th>ranks</th><th>size</th>"
      "<th>instances</th><th>mean time</th><th>algbw</th><th>busbw</th></tr>\n";
  for (const auto& c : summary["workload"]["collectives"]) {
    out += fmt::format(
        "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>"
        "<td>{}</td></tr>\n",
        esc(c.value("name", std::string())), esc(c.value("kind", std::string())),
        c.value("ranks", 0), data_size(c.value("bytes", 0.0)), count(c.value("instances", 0)),
        seconds(c.value("mean_time_us", 0.0) * 1e-6), bandwidth_GBps(c.value("algbw_GBps", 0.0)),
        bandwidth_GBps(c.value("busbw_GBps", 0.0)));
  }
  return out + "</table>\n";
}

}  // namespace

std::string job_section(const ReportDb& db, const RunInfo& run) {
  const std::string table = collectives_table(db.summary());
  const auto ranks = db.rows("SELECT DISTINCT rank FROM tasks ORDER BY rank LIMIT 64");
  if (ranks.empty() && table.empty()) return "";
  std::string content = table;
  if (!ranks.empty()) {
    std::map<int64_t, size_t> row_of;
    json rows = json::array();
    for (size_t i = 0; i < ranks.size(); ++i) {
      row_of[static_cast<int64_t>(ranks[i][0])] = i;
      rows.push_back((run.kind == RunKind::kCollective ? "rank " : "GPU ") +
                     std::to_string(static_cast<int64_t>(ranks[i][0])));
    }
    std::map<std::string, size_t> kind_of, group_of;
    json kinds = json::array(), groups = json::array(), segs = json::array();
    const auto tasks = db.text_rows(
        fmt::format("SELECT rank, start_ps, end_ps, kind, grp FROM tasks WHERE rank <= {} "
                    "ORDER BY start_ps LIMIT 40000",
                    static_cast<int64_t>(ranks.back()[0])));
    for (const auto& t : tasks) {
      const auto row = row_of.find(std::stoll(t[0]));
      if (row == row_of.end()) continue;
      auto [k, new_kind] = kind_of.try_emplace(t[3], kind_of.size());
      if (new_kind) kinds.push_back({{"name", t[3]}, {"color", kind_colour(t[3])}});
      auto [g, new_group] = group_of.try_emplace(t[4], group_of.size());
      if (new_group) groups.push_back(t[4]);
      segs.push_back({row->second, round_sig(std::stod(t[1]) * 1e-12, 8),
                      round_sig(std::stod(t[2]) * 1e-12, 8), k->second, g->second});
    }
    Figure f{"Per-GPU timeline",
             run.kind == RunKind::kCollective
                 ? "Each row one rank; each bar one task of the collective."
                 : "Each row one GPU of data-parallel replica 0; each bar one task: compute, "
                   "pipeline sends, gradient all-reduce.",
             {{"type", "timeline"},
              {"rows", rows},
              {"kinds", kinds},
              {"groups", groups},
              {"segs", segs}},
             segs.size()};
    f.wide = true;
    content += figure(f);
  }
  return section("job", run.kind == RunKind::kCollective ? "Collective" : "Training job",
                 run.kind == RunKind::kCollective
                     ? ""
                     : "The iteration's collectives (bus bandwidth in the nccl-tests "
                       "convention) and what each GPU did when.",
                 content);
}

std::string details_section(const ReportDb& db, const RunInfo& run) {
  std::string content = "<p class=\"lead\">";
  if (!run.command.empty()) content += "Command: <code>" + esc(run.command) + "</code>. ";
  content +=
      "This folder also holds <a href=\"summary.json\">summary.json</a>, "
      "<a href=\"flows.csv\">flows.csv</a> and <a href=\"ports.csv\">ports.csv</a>; "
      "<code>telemetry.sqlite</code> answers SQL (docs/telemetry.md). "
      "<code>aifabric report DIR</code> rebuilds this page.</p>\n";
  content +=
      "<details class=\"raw\"><summary>summary.json: every number of the run</summary><pre>" +
      esc(db.summary().dump(2)) + "</pre></details>\n";
  return section("details", "Run details", "", content);
}

}  // namespace aifabric::report
