// The fabric sections of report.html: flow completion, link load and utilization over
// time, queues and PFC pauses, and the throughput delivered to hosts (report_sections.h).
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <map>

#include "aifabric/telemetry/report/report_format.h"
#include "aifabric/telemetry/report/report_page.h"
#include "aifabric/telemetry/report/report_sections.h"

namespace aifabric::report {
namespace {

using nlohmann::json;

constexpr const char* kPortJoin =
    "FROM ports p JOIN nodes n ON n.run_id = p.run_id AND n.node_id = p.node_id "
    "JOIN nodes peer ON peer.run_id = p.run_id AND peer.node_id = p.peer_node_id ";

json axis(const char* q, const char* label) {
  return {{"q", q}, {"label", label}};
}

json rounded(const std::vector<double>& v, int digits) {
  json out = json::array();
  for (double x : v) out.push_back(round_sig(x, digits));
  return out;
}

// A tier's name as its nodes are named: the first node's name without trailing digits.
std::map<int, std::string> tier_names(const ReportDb& db) {
  std::map<int, std::string> names;
  for (const auto& row : db.text_rows("SELECT tier, name FROM nodes ORDER BY node_id")) {
    const int tier = std::stoi(row[0]);
    if (names.count(tier) != 0) continue;
    std::string n = row[1];
    while (!n.empty() && (std::isdigit(static_cast<unsigned char>(n.back())) != 0 ||
                          n.back() == '_' || n.back() == '-' || n.back() == '.')) {
      n.pop_back();
    }
    names[tier] = n.empty() ? "tier" + row[0] : n;
  }
  return names;
}

// The top five ports by the largest value of a samples column, as series over time.
json busiest(const ReportDb& db, const std::string& column, double scale, size_t& points) {
  json series = json::array();
  const auto top = db.rows("SELECT port_id, MAX(" + column +
                           ") AS m FROM samples GROUP BY port_id HAVING m > 0 "
                           "ORDER BY m DESC, port_id LIMIT 5");
  for (const auto& p : top) {
    const auto id = static_cast<int64_t>(p[0]);
    const auto label = db.texts(
        fmt::format("SELECT n.name || ' > ' || peer.name {} WHERE p.port_id = {}", kPortJoin, id));
    std::vector<double> x, y;
    for (const auto& r : db.rows(fmt::format(
             "SELECT t_ps, {} FROM samples WHERE run_id = {} AND port_id = {} ORDER BY t_ps",
             column, db.run_id(), id))) {
      x.push_back(r[0] * 1e-12);
      y.push_back(r[1] * scale);
    }
    points += x.size();
    series.push_back({{"name", label.empty() ? std::to_string(id) : label[0]},
                      {"x", rounded(x, 7)},
                      {"y", rounded(y, 5)}});
  }
  return series;
}

}  // namespace

json cdf_series(const std::string& name, std::vector<double> v) {
  std::sort(v.begin(), v.end());
  std::vector<double> x, y;
  const size_t n = v.size();
  if (n > 0) {
    x.push_back(v[0]);
    y.push_back(0);
  }
  const size_t step = std::max<size_t>(1, n / 400);
  for (size_t i = 0; i < n; i += step) {
    x.push_back(v[i]);
    y.push_back(static_cast<double>(i + 1) / static_cast<double>(n));
  }
  if (n > 0 && y.back() < 1) {
    x.push_back(v.back());
    y.push_back(1);
  }
  return {{"name", name}, {"x", rounded(x, 6)}, {"y", rounded(y, 5)}};
}

std::string flows_section(const ReportDb& db) {
  std::vector<double> fct, slow;
  for (const auto& r : db.rows("SELECT fct_ps * 1e-12, slowdown FROM flows WHERE fct_ps >= 0")) {
    fct.push_back(r[0]);
    slow.push_back(r[1]);
  }
  const auto total = db.rows("SELECT COUNT(*) FROM flows");
  const size_t all = total.empty() ? 0 : static_cast<size_t>(total[0][0]);
  Figure f{"Flow completion time (CDF)",
           "The share of flows that had finished within a given time of their start.",
           {{"type", "line"},
            {"step", true},
            {"x", {{"q", "time"}, {"label", "flow completion time"}, {"min", 0}, {"extend", true}}},
            {"y", {{"q", "fraction"}, {"label", "flows finished"}, {"min", 0}, {"max", 1}}},
            {"series", json::array({cdf_series("FCT", fct)})}},
           fct.size()};
  Figure s{"Slowdown (CDF)",
           "FCT ÷ the FCT the same flow would have alone on an idle fabric (1× = no waiting).",
           {{"type", "line"},
            {"step", true},
            {"x", {{"q", "ratio"}, {"label", "slowdown"}, {"min", 1}, {"extend", true}}},
            {"y", {{"q", "fraction"}, {"label", "flows"}, {"min", 0}, {"max", 1}}},
            {"series", json::array({cdf_series("slowdown", slow)})}},
           slow.size()};
  std::string lead =
      fmt::format("{} of {} flows completed", count(static_cast<int64_t>(fct.size())),
                  count(static_cast<int64_t>(all)));
  lead += fct.size() < all ? "; the unfinished ones are not in the curves." : ".";
  return section("flows", "Flows", esc(lead), grid(figure(f) + figure(s)));
}

std::string links_section(const ReportDb& db) {
  const json& summary = db.summary();
  std::string content;
  if (summary.contains("link_imbalance_by_tier") && summary["link_imbalance_by_tier"].is_object()) {
    content +=
        "<table class=\"t\"><tr><th>direction</th><th>links</th><th>min util (%)</th>"
        "<th>mean util (%)</th><th>max util (%)</th><th>max / mean</th><th>max / min</th>"
        "<th>(max − min) / mean</th><th>CV</th></tr>\n";
    for (const auto& [tiers, t] : summary["link_imbalance_by_tier"].items()) {
      const std::string max_min = t.contains("max_over_min") && t["max_over_min"].is_number()
                                      ? fmt::format("{:.2f}", t["max_over_min"].get<double>())
                                      : std::string("idle link");
      std::string name = tiers;
      if (const size_t at = name.find("->"); at != std::string::npos) name.replace(at, 2, " → ");
      content += fmt::format(
          "<tr><td>{}</td><td>{}</td><td>{:.1f}</td><td>{:.1f}</td><td>{:.1f}</td><td>{:.2f}</td>"
          "<td>{}</td><td>{:.2f}</td><td>{:.3f}</td></tr>\n",
          esc(name), t.value("links", 0), t.value("min_pct", 0.0), t.value("mean_pct", 0.0),
          t.value("max_pct", 0.0), t.value("max_over_mean", 0.0), max_min,
          t.value("max_minus_min_over_mean", 0.0), t.value("coefficient_of_variation", 0.0));
    }
    content += "</table>\n";
  }
  // Utilization heatmaps per tier direction, upward directions first.
  const auto names = tier_names(db);
  auto tiers = db.rows(std::string("SELECT DISTINCT n.tier, peer.tier ") + kPortJoin);
  auto order = [](const std::vector<double>& t) { return t[1] > t[0] ? t[0] : 100 - t[0]; };
  std::sort(tiers.begin(), tiers.end(),
            [&](const auto& a, const auto& b) { return order(a) < order(b); });
  for (const auto& tp : tiers) {
    const int a = static_cast<int>(tp[0]);
    const int b = static_cast<int>(tp[1]);
    const std::string where =
        fmt::format("{} WHERE n.tier = {} AND peer.tier = {}", kPortJoin, a, b);
    const auto all = db.rows("SELECT COUNT(*) " + where);
    const auto ports =
        db.rows("SELECT p.port_id, p.rate_bps " + where + " ORDER BY p.port_id LIMIT 64");
    const auto labels =
        db.texts("SELECT n.name || ' > ' || peer.name " + where + " ORDER BY p.port_id LIMIT 64");
    std::vector<double> edges;
    json cells = json::array();
    size_t points = 0;
    for (const auto& p : ports) {
      const auto s = db.rows(
          fmt::format("SELECT t_ps, out_octets FROM samples WHERE run_id = {} AND port_id = {} "
                      "ORDER BY t_ps",
                      db.run_id(), static_cast<int64_t>(p[0])));
      // At most 120 columns, each whole sample intervals.
      const size_t intervals = s.size() > 1 ? s.size() - 1 : 0;
      const size_t per = std::max<size_t>(1, (intervals + 119) / 120);
      std::vector<double> row;
      std::vector<double> e;
      for (size_t i = 0; i + 1 < s.size(); i += per) {
        const size_t j = std::min(i + per, s.size() - 1);
        const double dt = (s[j][0] - s[i][0]) * 1e-12;
        row.push_back(dt > 0 ? std::clamp((s[j][1] - s[i][1]) * 8 / (p[1] * dt), 0.0, 1.0) : 0);
        if (e.empty()) e.push_back(s[i][0] * 1e-12);
        e.push_back(s[j][0] * 1e-12);
      }
      if (edges.empty()) edges = e;
      row.resize(edges.empty() ? 0 : edges.size() - 1, 0.0);
      points += row.size();
      cells.push_back(rounded(row, 3));
    }
    const std::string from = names.count(a) != 0 ? names.at(a) : std::to_string(a);
    const std::string to = names.count(b) != 0 ? names.at(b) : std::to_string(b);
    const size_t total = all.empty() ? ports.size() : static_cast<size_t>(all[0][0]);
    Figure h{fmt::format("Utilization: {} → {}", from, to),
             fmt::format("Each row one transmitting port ({} of {}), each column {} of time; "
                         "colour: the share of its line rate it sent.",
                         ports.size(), total,
                         edges.size() > 1 ? seconds(edges[1] - edges[0]) : std::string("-")),
             {{"type", "heatmap"},
              {"rows", labels},
              {"edges", rounded(edges, 7)},
              {"cells", cells},
              {"scale", axis("fraction", "utilization")}},
             points};
    h.wide = true;
    content += figure(h);
  }
  return section("links", "Links",
                 "How evenly each tier direction's links were loaded over the whole run "
                 "(utilization = bytes sent ÷ line rate × run time), then each link over time.",
                 content);
}

std::string queues_section(const ReportDb& db) {
  size_t qpoints = 0, ppoints = 0;
  const json queues = busiest(db, "queue_bytes", 1, qpoints);
  const json pauses = busiest(db, "paused_ps", 1e-12, ppoints);
  Figure q{"Egress queue depth: the five deepest ports",
           "Bytes waiting in the port's egress queues (all priorities) at each sample.",
           {{"type", "line"},
            {"x", {{"q", "time"}, {"label", "time"}, {"min", 0}}},
            {"y", {{"q", "bytes"}, {"label", "queue depth"}, {"min", 0}}},
            {"series", queues}},
           qpoints};
  q.empty = "No egress queue held data at any sample.";
  Figure p{"PFC paused time: the five most paused transmitters",
           "Cumulative time each transmitter was paused by its peer's PFC frames.",
           {{"type", "line"},
            {"x", {{"q", "time"}, {"label", "time"}, {"min", 0}}},
            {"y", {{"q", "time"}, {"label", "paused time"}, {"min", 0}}},
            {"series", pauses}},
           ppoints};
  p.empty = "No transmitter was paused by PFC in this run.";
  return section("queues", "Queues and pauses", "", grid(figure(q) + figure(p)));
}

std::string throughput_section(const ReportDb& db) {
  const auto has_payload = db.rows(
      "SELECT COUNT(*) FROM pragma_table_info('samples') WHERE name = 'out_payload_octets'");
  const bool payload = !has_payload.empty() && has_payload[0][0] > 0;
  const auto host_in =
      db.rows(std::string("SELECT s.t_ps, SUM(s.out_octets), ") +
              (payload ? "SUM(s.out_payload_octets)" : "0") +
              " FROM samples s JOIN ports p ON p.run_id = s.run_id AND p.port_id = s.port_id "
              "JOIN nodes peer ON peer.run_id = p.run_id AND peer.node_id = p.peer_node_id "
              "WHERE peer.kind = 'host' GROUP BY s.t_ps ORDER BY s.t_ps");
  std::vector<double> t, wire, good;
  for (size_t i = 1; i < host_in.size(); ++i) {
    const double dt = (host_in[i][0] - host_in[i - 1][0]) * 1e-12;
    if (dt <= 0) continue;
    t.push_back(host_in[i][0] * 1e-12);
    wire.push_back((host_in[i][1] - host_in[i - 1][1]) * 8 / dt);
    good.push_back((host_in[i][2] - host_in[i - 1][2]) * 8 / dt);
  }
  json series = json::array();
  if (payload) {
    series.push_back(
        {{"name", "goodput: data payload"}, {"x", rounded(t, 7)}, {"y", rounded(good, 5)}});
  }
  series.push_back({{"name", "wire: every frame with its headers, ACKs, CNPs and pauses"},
                    {"x", rounded(t, 7)},
                    {"y", rounded(wire, 5)},
                    {"color", "#f28e2b"}});
  Figure f{"Throughput delivered to hosts",
           "Summed over the switch ports toward hosts, per sample interval.",
           {{"type", "line"},
            {"x", {{"q", "time"}, {"label", "time"}, {"min", 0}}},
            {"y", {{"q", "rate"}, {"label", "throughput"}, {"min", 0}}},
            {"series", series}},
           t.size() * series.size()};
  f.wide = true;
  f.height = 280;
  return section("throughput", "Throughput",
                 "Goodput counts only the data the flows carry; the wire also carries "
                 "packet headers and the receivers' ACKs, CNPs and PFC pause frames.",
                 figure(f));
}

std::string not_modelled_section() {
  return section(
      "fabric", "Fabric", "",
      "<div class=\"absent\"><b>Not modelled by the analytic backend.</b> This job ran on the "
      "analytic backend, which times every transfer between servers with an alpha-beta model "
      "of the two NICs: nothing ran on the packet-level fabric, so there are no flow completion "
      "times, link loads, queues, pauses or throughput to show (not an idle network). Run it "
      "with <code>--set workload.backend=packet</code> to see them.</div>\n");
}

}  // namespace aifabric::report
