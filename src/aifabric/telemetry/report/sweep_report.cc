// sweep.csv and sweep.html from the points' results folders (sweep_report.h).
#include "aifabric/telemetry/report/sweep_report.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>

#include "aifabric/telemetry/report/report_db.h"
#include "aifabric/telemetry/report/report_format.h"
#include "aifabric/telemetry/report/report_headline.h"
#include "aifabric/telemetry/report/report_page.h"
#include "aifabric/telemetry/report/report_sections.h"

namespace aifabric {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using report::number_at;
using report::RunKind;
constexpr double kNone = std::numeric_limits<double>::quiet_NaN();

// One point's headline numbers (NaN where they do not apply to its kind of run).
struct Point {
  SweepPoint where;
  std::string key, value;
  report::RunInfo info;
  std::vector<double> fct_s, slowdown;  // completed flows
  double makespan_s = kNone, iteration_s = kNone, collective_s = kNone, comm_share = kNone;
  double fct50_s = kNone, fct99_s = kNone, sd50 = kNone, sd99 = kNone, busbw_GBps = kNone;
  double max_over_mean = kNone, drops = kNone, pause_frames = kNone, paused_s = kNone;
  double primary() const {
    return info.kind == RunKind::kJob          ? iteration_s
           : info.kind == RunKind::kCollective ? collective_s
                                               : makespan_s;
  }
};

const char* primary_name(RunKind k) {
  return k == RunKind::kJob          ? "iteration time"
         : k == RunKind::kCollective ? "collective time"
                                     : "makespan";
}

Result<Point> load(const SweepPoint& p) {
  Point pt;
  pt.where = p;
  // "k1=v1,k2=v2" (a grid point): the keys and the values, each joined by commas.
  for (size_t b = 0; b <= p.label.size();) {
    const size_t e = std::min(p.label.find(',', b), p.label.size());
    const std::string pair = p.label.substr(b, e - b);
    const size_t at = pair.find('=');
    pt.key += (pt.key.empty() ? "" : ",") +
              (at == std::string::npos ? std::string() : pair.substr(0, at));
    pt.value +=
        (pt.value.empty() ? "" : ",") + (at == std::string::npos ? pair : pair.substr(at + 1));
    b = e + 1;
  }
  json s;
  auto db = report::ReportDb::open(p.dir);
  if (db) {
    s = (*db)->summary();
    for (const auto& r :
         (*db)->rows("SELECT fct_ps * 1e-12, slowdown FROM flows WHERE fct_ps >= 0")) {
      pt.fct_s.push_back(r[0]);
      pt.slowdown.push_back(r[1]);
    }
  } else {
    std::ifstream in(fs::path(p.dir) / "summary.json");
    if (in) s = json::parse(in, nullptr, false);
    if (!s.is_object()) {
      return Status::error(p.label + ": " + p.dir +
                           ": cannot read summary.json (not a results folder?)");
    }
  }
  pt.info = report::run_info(s);
  const bool fabric = !pt.info.analytic;
  // An analytic job ran nothing on the fabric: no makespan of flows.
  const double makespan = number_at(s, "/time/makespan_s", kNone);
  if (makespan > 0) pt.makespan_s = makespan;
  if (pt.info.kind == RunKind::kJob) {
    pt.iteration_s = number_at(s, "/workload/iteration_s", kNone);
    pt.comm_share = number_at(s, "/workload/communication_share", kNone);
    // The job's largest collective in all (mean time x instances): its bus bandwidth.
    double longest = -1;
    if (s["workload"].contains("collectives")) {
      for (const auto& c : s["workload"]["collectives"]) {
        const double t = c.value("mean_time_us", 0.0) * c.value("instances", 0.0);
        if (t > longest) {
          longest = t;
          pt.busbw_GBps = c.value("busbw_GBps", kNone);
        }
      }
    }
  }
  if (pt.info.kind == RunKind::kCollective) {
    pt.collective_s = number_at(s, "/collective/time_us", kNone) * 1e-6;
    pt.busbw_GBps = number_at(s, "/collective/busbw_GBps", kNone);
  }
  if (number_at(s, "/flows/completed", 0) > 0) {
    pt.fct50_s = number_at(s, "/flows/fct_us/p50", kNone) * 1e-6;
    pt.fct99_s = number_at(s, "/flows/fct_us/p99", kNone) * 1e-6;
    pt.sd50 = number_at(s, "/flows/slowdown/p50", kNone);
    pt.sd99 = number_at(s, "/flows/slowdown/p99", kNone);
  }
  if (fabric) {
    if (number_at(s, "/fabric_link_imbalance/links", 0) > 0) {
      pt.max_over_mean = number_at(s, "/fabric_link_imbalance/max_over_mean", kNone);
    }
    pt.drops = number_at(s, "/drops/packets", kNone);
    pt.pause_frames = number_at(s, "/pfc/pause_frames", kNone);
    pt.paused_s = number_at(s, "/pfc/paused_time_us_total", kNone) * 1e-6;
  }
  return pt;
}

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string q = "\"";
  for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}

std::string csv_number(double v) {
  return std::isfinite(v) ? fmt::format("{}", v) : "";
}

Status write_csv(const fs::path& path, const std::vector<Point>& points) {
  std::error_code ec;
  std::ofstream out(path);
  if (!out) return Status::error(path.string() + ": cannot write");
  out << "point,key,value,run_kind,makespan_us,iteration_s,collective_time_us,"
         "communication_share_fraction,fct_p50_us,fct_p99_us,slowdown_p50_ratio,"
         "slowdown_p99_ratio,busbw_GBps,link_util_max_over_mean_ratio,drops_packets,"
         "pfc_pause_frames,pfc_paused_time_us,results_dir\n";
  for (const Point& p : points) {
    const char* kind = p.info.kind == RunKind::kJob          ? "job"
                       : p.info.kind == RunKind::kCollective ? "collective"
                                                             : "flows";
    out << csv_field(p.where.label) << ',' << csv_field(p.key) << ',' << csv_field(p.value) << ','
        << kind << ',' << csv_number(p.makespan_s * 1e6) << ',' << csv_number(p.iteration_s) << ','
        << csv_number(p.collective_s * 1e6) << ',' << csv_number(p.comm_share) << ','
        << csv_number(p.fct50_s * 1e6) << ',' << csv_number(p.fct99_s * 1e6) << ','
        << csv_number(p.sd50) << ',' << csv_number(p.sd99) << ',' << csv_number(p.busbw_GBps) << ','
        << csv_number(p.max_over_mean) << ',' << csv_number(p.drops) << ','
        << csv_number(p.pause_frames) << ',' << csv_number(p.paused_s * 1e6) << ','
        << csv_field(fs::relative(p.where.dir, path.parent_path(), ec).string()) << '\n';
  }
  out.close();
  if (!out) return Status::error(path.string() + ": cannot write");
  return Status::ok();
}

struct Column {
  const char* header;
  std::function<double(const Point&)> value;
  std::function<std::string(double)> show;
};

std::string table_html(const fs::path& sweep_dir, const std::vector<Point>& points, size_t best) {
  const std::vector<Column> columns = {
      {"makespan",
       [](const Point& p) { return p.info.kind == RunKind::kFlows ? p.makespan_s : kNone; },
       report::seconds},
      {"iteration", [](const Point& p) { return p.iteration_s; }, report::seconds},
      {"communication share", [](const Point& p) { return p.comm_share; }, report::percent},
      {"collective time", [](const Point& p) { return p.collective_s; }, report::seconds},
      {"FCT p50", [](const Point& p) { return p.fct50_s; }, report::seconds},
      {"FCT p99", [](const Point& p) { return p.fct99_s; }, report::seconds},
      {"slowdown p50", [](const Point& p) { return p.sd50; }, report::ratio},
      {"slowdown p99", [](const Point& p) { return p.sd99; }, report::ratio},
      {"busbw", [](const Point& p) { return p.busbw_GBps; }, report::bandwidth_GBps},
      {"link util max / mean", [](const Point& p) { return p.max_over_mean; },
       [](double v) { return fmt::format("{:.2f}", v); }},
      {"drops", [](const Point& p) { return p.drops; },
       [](double v) { return report::count(std::llround(v)); }},
      {"PFC paused time", [](const Point& p) { return p.paused_s; },
       [](double v) { return v > 0 ? report::seconds(v) : std::string("none"); }},
  };
  std::vector<const Column*> shown;
  for (const auto& c : columns) {
    if (std::any_of(points.begin(), points.end(),
                    [&](const Point& p) { return std::isfinite(c.value(p)); })) {
      shown.push_back(&c);
    }
  }
  std::string out = "<table class=\"t\"><tr><th>point</th><th>outcome</th>";
  for (const Column* c : shown) out += fmt::format("<th>{}</th>", c->header);
  out += "</tr>\n";
  for (size_t i = 0; i < points.size(); ++i) {
    const Point& p = points[i];
    const fs::path page = fs::path(p.where.dir) / "report.html";
    std::string name = report::esc(p.where.label);
    if (fs::exists(page)) {
      std::error_code ec;
      const fs::path rel = fs::relative(page, sweep_dir, ec);
      name = fmt::format("<a href=\"{}\">{}</a>", report::esc(ec ? page.string() : rel.string()),
                         name);
    }
    const char* mark = p.info.status == "completed" ? "✓" : p.info.status == "failed" ? "✗" : "⏱";
    out += fmt::format("<tr{}><td>{}</td><td title=\"{}\">{} {}</td>",
                       i == best ? " class=\"best\"" : "", name, report::esc(p.info.verdict), mark,
                       report::esc(p.info.status));
    for (const Column* c : shown) {
      const double v = c->value(p);
      out += "<td>" + (std::isfinite(v) ? report::esc(c->show(v)) : std::string("-")) + "</td>";
    }
    out += "</tr>\n";
  }
  return out + "</table>\n";
}

std::string charts_html(const std::vector<Point>& points) {
  using report::Figure;
  std::string figures;
  json slow = json::array(), fct = json::array();
  size_t slow_points = 0;
  for (const Point& p : points) {
    if (p.info.kind != RunKind::kFlows || p.slowdown.empty()) continue;
    slow.push_back(report::cdf_series(p.value, p.slowdown));
    fct.push_back(report::cdf_series(p.value, p.fct_s));
    slow_points += p.slowdown.size();
  }
  if (slow_points > 0) {
    figures += report::figure(
        Figure{"Slowdown per point (CDF)",
               "FCT ÷ the FCT the flow would have alone on an idle fabric, one curve per point.",
               {{"type", "line"},
                {"step", true},
                {"x", {{"q", "ratio"}, {"label", "slowdown"}, {"min", 1}, {"extend", true}}},
                {"y", {{"q", "fraction"}, {"label", "flows"}, {"min", 0}, {"max", 1}}},
                {"series", slow}},
               slow_points,
               false,
               340});
    figures += report::figure(Figure{
        "Flow completion time per point (CDF)",
        "",
        {{"type", "line"},
         {"step", true},
         {"x", {{"q", "time"}, {"label", "flow completion time"}, {"min", 0}, {"extend", true}}},
         {"y", {{"q", "fraction"}, {"label", "flows finished"}, {"min", 0}, {"max", 1}}},
         {"series", fct}},
        slow_points,
        false,
        340});
  }
  // Jobs and collectives: their headline time per point, as bars.
  for (RunKind kind : {RunKind::kJob, RunKind::kCollective}) {
    json labels = json::array(), times = json::array(), bw = json::array();
    size_t n = 0;
    for (const Point& p : points) {
      if (p.info.kind != kind || !std::isfinite(p.primary())) continue;
      labels.push_back(p.value);
      times.push_back(report::round_sig(p.primary(), 6));
      bw.push_back(std::isfinite(p.busbw_GBps) ? report::round_sig(p.busbw_GBps * 1e9, 6) : 0.0);
      ++n;
    }
    if (n == 0) continue;
    const std::string what = primary_name(kind);
    figures += report::figure(Figure{
        fmt::format("{}{} per point", static_cast<char>(std::toupper(what[0])), what.substr(1)),
        kind == RunKind::kJob ? "One training iteration."
                              : "The collective, first send to last receive.",
        {{"type", "bar"},
         {"labels", labels},
         {"y", {{"q", "time"}, {"label", what}, {"min", 0}}},
         {"series", json::array({{{"name", what}, {"y", times}}})}},
        n,
        false,
        320});
    figures += report::figure(Figure{
        "Bus bandwidth per point",
        kind == RunKind::kJob ? "Of the job's largest collective (mean time × instances)." : "",
        {{"type", "bar"},
         {"labels", labels},
         {"y", {{"q", "bw"}, {"label", "busbw"}, {"min", 0}}},
         {"series", json::array({{{"name", "busbw"}, {"y", bw}}})}},
        n,
        false,
        320});
  }
  return figures.empty() ? "" : report::grid(figures);
}

}  // namespace

Status write_sweep_report(const std::string& sweep_dir, const std::vector<SweepPoint>& points) {
  if (points.empty()) return Status::error("sweep report: no points");
  std::vector<Point> loaded;
  for (const auto& p : points) {
    auto pt = load(p);
    if (!pt) return pt.status();
    loaded.push_back(std::move(pt).value());
  }
  std::error_code ec;
  fs::create_directories(sweep_dir, ec);
  if (ec) return Status::error(sweep_dir + ": cannot create (" + ec.message() + ")");
  if (auto st = write_csv(fs::path(sweep_dir) / "sweep.csv", loaded); !st) return st;

  // The best point: the shortest headline time among those of the first point's kind.
  const RunKind kind = loaded[0].info.kind;
  size_t best = loaded.size(), worst = loaded.size();
  for (size_t i = 0; i < loaded.size(); ++i) {
    const double t = loaded[i].primary();
    if (loaded[i].info.kind != kind || !std::isfinite(t)) continue;
    if (best == loaded.size() || t < loaded[best].primary()) best = i;
    if (worst == loaded.size() || t > loaded[worst].primary()) worst = i;
  }
  const std::string key = loaded[0].key.empty() ? std::string("sweep") : loaded[0].key;
  const std::string name = loaded[0].info.name;
  std::string lead = fmt::format("{} points of <code>{}</code> on {}.", loaded.size(),
                                 report::esc(key), report::esc(name));
  if (best != loaded.size() && worst != best) {
    lead += fmt::format(
        " Shortest {}: <b>{}</b> ({}); longest: {} ({}, {} as long).", primary_name(kind),
        report::esc(loaded[best].where.label), report::seconds(loaded[best].primary()),
        report::esc(loaded[worst].where.label), report::seconds(loaded[worst].primary()),
        report::ratio(loaded[worst].primary() / loaded[best].primary()));
  }
  std::string body = fmt::format(
      "<header class=\"run\"><h1><span class=\"name\">{}</span><span class=\"override\">{}</span>"
      "<span class=\"kind\">sweep</span></h1><div class=\"facts\">{}</div></header>\n",
      report::esc(name), report::esc(key), lead);
  body += report::section(
      "points", "Points",
      "One row per point; its name opens that point's own report. The "
      "highlighted row has the shortest " +
          std::string(primary_name(kind)) +
          ". The same numbers are in <a href=\"sweep.csv\">sweep.csv</a>.",
      table_html(fs::path(sweep_dir), loaded, loaded.size() > 1 ? best : loaded.size()));
  const std::string charts = charts_html(loaded);
  if (!charts.empty()) body += report::section("compare", "Compared", "", charts);
  const fs::path path = fs::path(sweep_dir) / "sweep.html";
  std::ofstream out(path);
  if (!out) return Status::error(path.string() + ": cannot write");
  out << report::page("aifabric sweep: " + name + " · " + key, body);
  out.close();
  if (!out) return Status::error(path.string() + ": cannot write");
  return Status::ok();
}

}  // namespace aifabric
