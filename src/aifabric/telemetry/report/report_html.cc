#include "aifabric/telemetry/report/report_html.h"

#include <fmt/format.h>
#include <sqlite3.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <vector>

namespace aifabric {
namespace {

struct DbCloser {
  void operator()(sqlite3* db) const { sqlite3_close(db); }
};

// Runs a query and returns every row as doubles (text columns are skipped).
class Db {
 public:
  explicit Db(sqlite3* db) : db_(db) {}
  std::vector<std::vector<double>> rows(const std::string& sql) const {
    std::vector<std::vector<double>> out;
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db_.get(), sql.c_str(), -1, &st, nullptr) != SQLITE_OK) return out;
    while (sqlite3_step(st) == SQLITE_ROW) {
      const int columns = sqlite3_column_count(st);
      std::vector<double> row(static_cast<size_t>(columns));
      for (int i = 0; i < columns; ++i) row[static_cast<size_t>(i)] = sqlite3_column_double(st, i);
      out.push_back(std::move(row));
    }
    sqlite3_finalize(st);
    return out;
  }
  std::vector<std::string> texts(const std::string& sql) const {
    std::vector<std::string> out;
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db_.get(), sql.c_str(), -1, &st, nullptr) != SQLITE_OK) return out;
    while (sqlite3_step(st) == SQLITE_ROW) {
      const auto* t = sqlite3_column_text(st, 0);
      out.emplace_back(t != nullptr ? reinterpret_cast<const char*>(t) : "");
    }
    sqlite3_finalize(st);
    return out;
  }

 private:
  std::unique_ptr<sqlite3, DbCloser> db_;
};

std::string esc(const std::string& s) {
  std::string o;
  for (char c : s) {
    switch (c) {
      case '<':
        o += "&lt;";
        break;
      case '>':
        o += "&gt;";
        break;
      case '&':
        o += "&amp;";
        break;
      case '"':
        o += "&quot;";
        break;
      default:
        o += c;
    }
  }
  return o;
}

constexpr const char* kColors[] = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e",
                                   "#9467bd", "#8c564b", "#e377c2", "#17becf"};

struct Series {
  std::string name;
  std::vector<std::pair<double, double>> points;
};

// A line chart with axes, ticks and a legend; `data-points` counts what was drawn.
std::string line_chart(const std::string& title, const std::string& xlabel,
                       const std::string& ylabel, const std::vector<Series>& series) {
  const double w = 640, h = 300, l = 70, r = 150, t = 30, b = 45;
  double x0 = 1e300, x1 = -1e300, y0 = 0, y1 = -1e300;
  size_t points = 0;
  for (const auto& s : series) {
    for (auto [x, y] : s.points) {
      x0 = std::min(x0, x);
      x1 = std::max(x1, x);
      y1 = std::max(y1, y);
      ++points;
    }
  }
  if (points == 0) {
    return fmt::format(
        "<figure><figcaption>{}</figcaption><p class=\"empty\">no data</p></figure>\n", esc(title));
  }
  if (x1 <= x0) x1 = x0 + 1;
  if (y1 <= y0) y1 = y0 + 1;
  auto px = [&](double x) { return l + (x - x0) / (x1 - x0) * (w - l - r); };
  auto py = [&](double y) { return h - b - (y - y0) / (y1 - y0) * (h - t - b); };
  std::string svg = fmt::format(
      "<figure><figcaption>{}</figcaption><svg class=\"plot\" data-points=\"{}\" width=\"{}\" "
      "height=\"{}\" viewBox=\"0 0 {} {}\" role=\"img\">\n",
      esc(title), points, w, h, w, h);
  svg += fmt::format("<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" class=\"axis\"/>", l, h - b,
                     w - r, h - b);
  svg += fmt::format("<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" class=\"axis\"/>\n", l, t, l,
                     h - b);
  for (int i = 0; i <= 4; ++i) {
    const double xv = x0 + (x1 - x0) * i / 4;
    const double yv = y0 + (y1 - y0) * i / 4;
    svg += fmt::format(
        "<text x=\"{:.1f}\" y=\"{}\" class=\"tick\" text-anchor=\"middle\">{:.4g}</text>", px(xv),
        h - b + 16, xv);
    svg += fmt::format(
        "<text x=\"{}\" y=\"{:.1f}\" class=\"tick\" text-anchor=\"end\">{:.4g}</text>\n", l - 6,
        py(yv) + 4, yv);
  }
  svg += fmt::format("<text x=\"{}\" y=\"{}\" class=\"label\" text-anchor=\"middle\">{}</text>",
                     (l + w - r) / 2, h - 6, esc(xlabel));
  svg += fmt::format(
      "<text x=\"14\" y=\"{}\" class=\"label\" text-anchor=\"middle\" transform=\"rotate(-90 14 "
      "{})\">{}</text>\n",
      (t + h - b) / 2, (t + h - b) / 2, esc(ylabel));
  for (size_t i = 0; i < series.size(); ++i) {
    const char* color = kColors[i % std::size(kColors)];
    std::string pts;
    for (auto [x, y] : series[i].points) pts += fmt::format("{:.1f},{:.1f} ", px(x), py(y));
    svg += fmt::format(
        "<polyline fill=\"none\" stroke=\"{}\" stroke-width=\"1.5\" points=\"{}\"/>\n", color, pts);
    svg += fmt::format(
        "<rect x=\"{}\" y=\"{}\" width=\"10\" height=\"10\" fill=\"{}\"/>"
        "<text x=\"{}\" y=\"{}\" class=\"tick\">{}</text>\n",
        w - r + 10, t + 16 * i, color, w - r + 24, t + 16 * i + 9, esc(series[i].name));
  }
  return svg + "</svg></figure>\n";
}

// Rows = ports, columns = sample intervals, colour = utilization (0..100 %).
std::string heatmap(const std::string& title, const std::vector<std::string>& rows,
                    const std::vector<std::vector<double>>& cells, double t_end_us) {
  if (rows.empty() || cells.empty() || cells[0].empty()) {
    return fmt::format(
        "<figure><figcaption>{}</figcaption><p class=\"empty\">no data</p></figure>\n", esc(title));
  }
  const double l = 150, cw = std::max(2.0, 480.0 / static_cast<double>(cells[0].size())), ch = 12;
  const double w = l + cw * static_cast<double>(cells[0].size()) + 20;
  const double h = ch * static_cast<double>(rows.size()) + 40;
  size_t points = 0;
  std::string svg;
  for (size_t r = 0; r < rows.size(); ++r) {
    svg += fmt::format("<text x=\"{}\" y=\"{:.1f}\" class=\"tick\" text-anchor=\"end\">{}</text>",
                       l - 4, ch * static_cast<double>(r) + 10, esc(rows[r]));
    for (size_t c = 0; c < cells[r].size(); ++c) {
      const double u = std::clamp(cells[r][c], 0.0, 1.0);
      const int red = static_cast<int>(255 * u);
      const int blue = static_cast<int>(255 * (1 - u));
      svg += fmt::format(
          "<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{}\" "
          "fill=\"rgb({},{},{})\"><title>{} {:.0f} %</title></rect>",
          l + cw * static_cast<double>(c), ch * static_cast<double>(r), cw + 0.5, ch - 1, red, 60,
          blue, esc(rows[r]), 100 * u);
      ++points;
    }
    svg += "\n";
  }
  svg += fmt::format(
      "<text x=\"{}\" y=\"{:.1f}\" class=\"label\">time 0 .. {:.4g} us; colour: utilization (blue "
      "0 %, red 100 %)</text>",
      l, h - 12, t_end_us);
  return fmt::format(
             "<figure><figcaption>{}</figcaption><svg class=\"plot\" data-points=\"{}\" "
             "width=\"{:.0f}\" height=\"{:.0f}\" viewBox=\"0 0 {:.0f} {:.0f}\">\n",
             esc(title), points, w, h, w, h) +
         svg + "</svg></figure>\n";
}

Series cdf(const std::string& name, std::vector<double> v) {
  Series s{name, {}};
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  const size_t step = std::max<size_t>(1, n / 400);  // at most ~400 points drawn
  for (size_t i = 0; i < n; i += step)
    s.points.emplace_back(v[i], static_cast<double>(i + 1) / static_cast<double>(n));
  if (n > 0) s.points.emplace_back(v.back(), 1.0);
  return s;
}

}  // namespace

Status write_report_html(const std::string& dir) {
  const std::string path = (std::filesystem::path(dir) / "telemetry.sqlite").string();
  sqlite3* raw = nullptr;
  if (sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    sqlite3_close(raw);
    return Status::error(path + ": cannot read the results store");
  }
  Db db(raw);
  const auto summary_text = db.texts("SELECT summary_json FROM runs LIMIT 1");
  if (summary_text.empty()) return Status::error(path + ": no run in the results store");
  const nlohmann::json summary = nlohmann::json::parse(summary_text[0], nullptr, false);
  const std::string name = summary.value("scenario", std::string("run"));

  std::string body;
  body += "<h1>aifabric: " + esc(name) + "</h1>\n";
  body += "<h2>Summary</h2>\n<pre class=\"summary\">" + esc(summary.dump(2)) + "</pre>\n";

  // FCT and slowdown CDFs.
  std::vector<double> fct, slow;
  for (const auto& r : db.rows("SELECT fct_ps / 1e6, slowdown FROM flows WHERE fct_ps >= 0")) {
    fct.push_back(r[0]);
    slow.push_back(r[1]);
  }
  body += "<h2>Flows</h2>\n<div class=\"row\">";
  body +=
      line_chart("Flow completion time CDF", "FCT (us)", "fraction of flows", {cdf("FCT", fct)});
  body += line_chart("Slowdown CDF (FCT / ideal FCT on an idle fabric)", "slowdown",
                     "fraction of flows", {cdf("slowdown", slow)});
  body += "</div>\n";

  // Utilization heatmaps per tier pair, from out_octets differences between samples.
  const auto times = db.rows("SELECT DISTINCT t_ps FROM samples ORDER BY t_ps");
  const double t_end_us = times.empty() ? 0 : times.back()[0] / 1e6;
  body += "<h2>Links</h2>\n";
  // Load balance: how evenly each tier direction's links were used over the run.
  if (summary.contains("link_imbalance_by_tier") && summary["link_imbalance_by_tier"].is_object()) {
    body +=
        "<table class=\"lb\"><tr><th>direction</th><th>links</th><th>min (%)</th>"
        "<th>mean (%)</th><th>max (%)</th><th>max/min</th><th>max/mean</th>"
        "<th>(max-min)/mean</th><th>CV</th></tr>\n";
    for (const auto& [tiers, t] : summary["link_imbalance_by_tier"].items()) {
      const std::string ratio = t["max_over_min"].is_number()
                                    ? fmt::format("{:.2f}", t["max_over_min"].get<double>())
                                    : std::string("idle link");
      body += fmt::format(
          "<tr><td>{}</td><td>{}</td><td>{:.1f}</td><td>{:.1f}</td><td>{:.1f}</td><td>{}</td>"
          "<td>{:.2f}</td><td>{:.2f}</td><td>{:.3f}</td></tr>\n",
          esc(tiers), t.value("links", 0), t.value("min_pct", 0.0), t.value("mean_pct", 0.0),
          t.value("max_pct", 0.0), ratio, t.value("max_over_mean", 0.0),
          t.value("max_minus_min_over_mean", 0.0), t.value("coefficient_of_variation", 0.0));
    }
    body += "</table>\n";
  }
  const auto tiers = db.rows(
      "SELECT DISTINCT n.tier, peer.tier FROM ports p JOIN nodes n ON n.run_id = p.run_id AND "
      "n.node_id = p.node_id "
      "JOIN nodes peer ON peer.run_id = p.run_id AND peer.node_id = p.peer_node_id ORDER BY 1, 2");
  for (const auto& tp : tiers) {
    const int a = static_cast<int>(tp[0]);
    const int b = static_cast<int>(tp[1]);
    const std::string where = fmt::format(
        "FROM ports p JOIN nodes n ON n.run_id = p.run_id AND n.node_id = p.node_id "
        "JOIN nodes peer ON peer.run_id = p.run_id AND peer.node_id = p.peer_node_id "
        "WHERE n.tier = {} AND peer.tier = {}",
        a, b);
    const auto ports =
        db.rows("SELECT p.port_id, p.rate_bps " + where + " ORDER BY p.port_id LIMIT 64");
    const auto names =
        db.texts("SELECT n.name || ' > ' || peer.name " + where + " ORDER BY p.port_id LIMIT 64");
    std::vector<std::vector<double>> cells;
    for (const auto& p : ports) {
      const auto s = db.rows(fmt::format(
          "SELECT t_ps, out_octets FROM samples WHERE run_id = 1 AND port_id = {} ORDER BY t_ps",
          static_cast<int64_t>(p[0])));
      // At most 120 columns: each spans whole sample intervals.
      std::vector<double> row;
      const size_t intervals = s.size() > 1 ? s.size() - 1 : 0;
      const size_t per = std::max<size_t>(1, (intervals + 119) / 120);
      for (size_t i = 0; i + 1 < s.size(); i += per) {
        const size_t j = std::min(i + per, s.size() - 1);
        const double dt = (s[j][0] - s[i][0]) * 1e-12;
        row.push_back(dt > 0 ? (s[j][1] - s[i][1]) * 8 / (p[1] * dt) : 0);
      }
      cells.push_back(row);
    }
    body += heatmap(fmt::format("Utilization, tier {} to tier {} (0 = hosts){}", a, b,
                                ports.size() == 64 ? ", first 64 ports" : ""),
                    names, cells, t_end_us);
  }

  // Queue depth and paused time of the busiest ports.
  auto busiest = [&](const std::string& column, const std::string& title, const std::string& unit,
                     double scale) {
    const auto top = db.rows("SELECT port_id, MAX(" + column +
                             ") AS m FROM samples GROUP BY port_id "
                             "HAVING m > 0 ORDER BY m DESC LIMIT 5");
    std::vector<Series> series;
    for (const auto& p : top) {
      const auto id = static_cast<int64_t>(p[0]);
      const auto label =
          db.texts(fmt::format("SELECT n.name || ' > ' || peer.name FROM ports p JOIN nodes n ON "
                               "n.run_id = p.run_id AND "
                               "n.node_id = p.node_id JOIN nodes peer ON peer.run_id = p.run_id "
                               "AND peer.node_id = p.peer_node_id "
                               "WHERE p.run_id = 1 AND p.port_id = {}",
                               id));
      Series s{label.empty() ? std::to_string(id) : label[0], {}};
      for (const auto& r : db.rows(fmt::format(
               "SELECT t_ps, {} FROM samples WHERE run_id = 1 AND port_id = {} ORDER BY t_ps",
               column, id))) {
        s.points.emplace_back(r[0] / 1e6, r[1] * scale);
      }
      series.push_back(std::move(s));
    }
    return line_chart(title, "time (us)", unit, series);
  };
  body += "<div class=\"row\">";
  body += busiest("queue_bytes", "Egress queue depth, deepest 5 ports", "queue (KB)", 1e-3);
  body += busiest("paused_ps", "Cumulative paused time, 5 most paused transmitters", "paused (us)",
                  1e-6);
  body += "</div>\n";

  // Training job: the timeline of one data-parallel replica (each row a GPU).
  const auto ranks = db.rows("SELECT DISTINCT rank FROM tasks ORDER BY rank LIMIT 64");
  if (!ranks.empty()) {
    const double max_rank = ranks.back()[0];
    const auto span = db.rows("SELECT MIN(start_ps), MAX(end_ps) FROM tasks");
    const double t0 = span[0][0], t1 = std::max(span[0][1], span[0][0] + 1);
    const double l = 70, w = 900, rh = 10;
    const double h = rh * static_cast<double>(ranks.size()) + 40;
    std::map<int64_t, size_t> row_of;
    for (size_t i = 0; i < ranks.size(); ++i) row_of[static_cast<int64_t>(ranks[i][0])] = i;
    std::string svg;
    size_t points = 0;
    const auto tasks = db.texts(
        fmt::format("SELECT rank || ' ' || start_ps || ' ' || end_ps || ' ' || kind FROM tasks "
                    "WHERE rank <= {} ORDER BY start_ps LIMIT 40000",
                    static_cast<int64_t>(max_rank)));
    for (const auto& line : tasks) {
      int64_t rank = 0;
      double a = 0, b = 0;
      char kind[32] = {0};
      if (std::sscanf(line.c_str(), "%ld %lf %lf %31s", &rank, &a, &b, kind) != 4) continue;
      const auto it = row_of.find(rank);
      if (it == row_of.end()) continue;
      const std::string k = kind;
      const char* color = k == "compute"     ? "#1f77b4"
                          : k == "pp_send"   ? "#ff7f0e"
                          : k == "allreduce" ? "#d62728"
                                             : "#2ca02c";
      svg += fmt::format(
          "<rect x=\"{:.2f}\" y=\"{:.1f}\" width=\"{:.2f}\" height=\"{}\" fill=\"{}\"/>",
          l + (a - t0) / (t1 - t0) * (w - l), rh * static_cast<double>(it->second),
          std::max(0.3, (b - a) / (t1 - t0) * (w - l)), rh - 2, color);
      ++points;
    }
    for (size_t i = 0; i < ranks.size(); i += std::max<size_t>(1, ranks.size() / 16)) {
      svg += fmt::format(
          "<text x=\"{}\" y=\"{:.1f}\" class=\"tick\" text-anchor=\"end\">GPU {}</text>", l - 4,
          rh * static_cast<double>(i) + 8, static_cast<int64_t>(ranks[i][0]));
    }
    svg += fmt::format(
        "<text x=\"{}\" y=\"{:.1f}\" class=\"label\">0 .. {:.4g} ms; blue compute, orange pipeline "
        "sends, red gradient all-reduce, green all-to-all</text>",
        l, h - 12, (t1 - t0) / 1e9);
    body += "<h2>Job timeline (one data-parallel replica)</h2>\n";
    body += fmt::format(
                "<figure><figcaption>Per-GPU timeline</figcaption><svg class=\"plot\" "
                "data-points=\"{}\" width=\"{}\" height=\"{:.0f}\" viewBox=\"0 0 {} {:.0f}\">\n",
                points, w, h, w, h) +
            svg + "</svg></figure>\n";
  }

  // Throughput into the hosts over time (switch-to-host ports).
  Series tput{"to hosts", {}};
  const auto host_in = db.rows(
      "SELECT s.t_ps, SUM(s.out_octets) FROM samples s JOIN ports p ON p.run_id = s.run_id AND "
      "p.port_id = s.port_id "
      "JOIN nodes peer ON peer.run_id = p.run_id AND peer.node_id = p.peer_node_id WHERE peer.kind "
      "= 'host' "
      "GROUP BY s.t_ps ORDER BY s.t_ps");
  for (size_t i = 1; i < host_in.size(); ++i) {
    const double dt = (host_in[i][0] - host_in[i - 1][0]) * 1e-12;
    if (dt > 0)
      tput.points.emplace_back(host_in[i][0] / 1e6,
                               (host_in[i][1] - host_in[i - 1][1]) * 8 / dt / 1e9);
  }
  body += line_chart("Fabric throughput delivered to hosts", "time (us)", "Gbps", {tput});

  const std::string html = R"(<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>aifabric report</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222}
h1{font-size:22px} h2{font-size:17px;margin-top:28px;border-bottom:1px solid #ddd}
figure{display:inline-block;margin:8px 16px 8px 0;vertical-align:top}
figcaption{font-weight:600;margin-bottom:4px}
.axis{stroke:#444} .tick{font-size:11px;fill:#444} .label{font-size:12px;fill:#222}
pre.summary{background:#f6f6f6;padding:8px;max-height:320px;overflow:auto;font-size:12px}
table.lb{border-collapse:collapse;font-size:13px;margin:4px 0 12px}
table.lb td,table.lb th{border:1px solid #ccc;padding:2px 8px;text-align:right}
.empty{color:#888}
</style></head><body>
)" + body + "</body></html>\n";
  std::ofstream out(std::filesystem::path(dir) / "report.html");
  if (!out) return Status::error(dir + ": cannot write report.html");
  out << html;
  return Status::ok();
}

}  // namespace aifabric
