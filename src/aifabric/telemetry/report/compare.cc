#include "aifabric/telemetry/report/compare.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

namespace aifabric {

namespace {

// scenario.yaml as written by aifabric (two-space indentation, "- " list items, one
// "key: value" per line) flattened to "a.b.c" -> value; list items get their index.
std::map<std::string, std::string> flatten_scenario(std::istream& in) {
  std::map<std::string, std::string> out;
  std::vector<std::pair<size_t, std::string>> stack;  // (indent, path) of open maps
  std::map<std::string, int> items;                   // list path -> items seen
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    size_t indent = line.find_first_not_of(' ');
    if (indent == std::string::npos) continue;
    std::string body = line.substr(indent);
    bool item = false;
    if (body.rfind("- ", 0) == 0) {
      item = true;
      body = body.substr(2);
      indent += 2;
    }
    while (!stack.empty() && stack.back().first >= indent &&
           !(item && stack.back().first == indent)) {
      stack.pop_back();
    }
    if (item) {
      while (!stack.empty() && stack.back().first >= indent) stack.pop_back();
      const std::string list = stack.empty() ? "" : stack.back().second;
      const int n = items[list]++;
      stack.emplace_back(indent, list + "." + std::to_string(n));
    }
    const size_t colon = body.find(':');
    if (colon == std::string::npos) continue;
    const std::string key = body.substr(0, colon);
    const std::string value = colon + 1 < body.size() ? body.substr(colon + 2) : "";
    const std::string base = stack.empty() ? "" : stack.back().second;
    const std::string path = base.empty() ? key : base + "." + key;
    if (value.empty()) {
      stack.emplace_back(indent + 1, path);  // a section: its keys are indented more
    } else {
      out[path] = value;
    }
  }
  return out;
}

}  // namespace

Result<std::string> compare_runs(const std::vector<std::string>& dirs) {
  if (dirs.empty()) return Status::error("compare: name at least one results folder");
  std::vector<nlohmann::json> runs;
  std::vector<std::map<std::string, std::string>> scenarios;
  for (const auto& d : dirs) {
    const auto path = std::filesystem::path(d) / "summary.json";
    std::ifstream in(path);
    if (!in) return Status::error(path.string() + ": cannot read (not a results folder?)");
    nlohmann::json j = nlohmann::json::parse(in, nullptr, false);
    if (j.is_discarded() || !j.is_object()) {
      return Status::error("corrupt results store: " + path.string() + " is not a JSON object");
    }
    runs.push_back(std::move(j));
    std::ifstream sy(std::filesystem::path(d) / "scenario.yaml");
    scenarios.push_back(sy ? flatten_scenario(sy) : std::map<std::string, std::string>{});
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
  // A table of label and one cell per run, laid out once every cell is known so that no
  // name, override or value is cut short.
  std::vector<std::vector<std::string>> table;
  std::vector<std::string> head{""};
  for (const auto& d : dirs) head.push_back(std::filesystem::path(d).filename().string());
  table.push_back(head);
  // What each run is: its name and the overrides it ran with.
  std::vector<std::string> names{"run (name + overrides)"};
  for (const auto& j : runs) {
    std::string label = j.contains("run") && j["run"].is_object()
                            ? j["run"].value("name", std::string("?"))
                            : j.value("scenario", std::string("?"));
    if (j.contains("run") && j["run"].is_object() && j["run"].contains("overrides") &&
        j["run"]["overrides"].is_array()) {
      for (const auto& o : j["run"]["overrides"]) {
        if (o.is_string()) label += " " + o.get<std::string>();
      }
    }
    names.push_back(label);
  }
  table.push_back(names);
  // The keys of the resolved scenarios in which the runs differ.
  std::set<std::string> keys;
  for (const auto& sc : scenarios) {
    for (const auto& [k, v] : sc) keys.insert(k);
  }
  for (const auto& k : keys) {
    std::vector<std::string> line{"differs: " + k};
    for (const auto& sc : scenarios) {
      const auto it = sc.find(k);
      line.push_back(it == sc.end() ? std::string("-") : it->second);
    }
    const bool differ =
        std::any_of(line.begin() + 2, line.end(), [&](const auto& v) { return v != line[1]; });
    if (differ && k != "name") table.push_back(line);
  }
  for (const auto& [label, ptr] : rows) {
    bool any = false;
    std::vector<std::string> line{label};
    for (const auto& j : runs) {
      const nlohmann::json::json_pointer p(ptr);
      // contains() throws on a path through a non-object (a corrupt summary): look safely.
      std::string cell = "-";
      bool has = false;
      try {
        has = j.contains(p);
      } catch (const nlohmann::json::exception&) {
      }
      if (has) {
        any = true;
        const auto& v = j.at(p);
        double scale = std::string(label) == "makespan (us)" ? 1e6 : 1.0;
        if (v.is_number_float()) {
          cell = fmt::format("{:.6g}", v.get<double>() * scale);
        } else if (v.is_number()) {
          cell = std::to_string(v.get<int64_t>());
        } else if (v.is_string()) {
          cell = v.get<std::string>();
        } else {
          cell = v.dump();
        }
      }
      line.push_back(cell);
    }
    if (any) table.push_back(line);
  }
  // Columns as wide as their widest cell (at most 60 characters; longer cells end in "...").
  constexpr size_t kMaxWidth = 60;
  std::vector<size_t> width(head.size(), 0);
  for (const auto& line : table) {
    for (size_t c = 0; c < line.size(); ++c) {
      width[c] = std::min(kMaxWidth, std::max(width[c], line[c].size()));
    }
  }
  std::string out;
  for (const auto& line : table) {
    for (size_t c = 0; c < line.size(); ++c) {
      std::string cell = line[c];
      if (cell.size() > kMaxWidth) cell = cell.substr(0, kMaxWidth - 3) + "...";
      out +=
          c == 0 ? fmt::format("{:<{}}", cell, width[c]) : fmt::format("  {:>{}}", cell, width[c]);
    }
    out += "\n";
  }
  return out;
}

}  // namespace aifabric
