// The faults section of report.html: the fabric's throughput over time with a marker at
// each link state change, and a table of the faults with their detection, each recovery
// step's time and what they cost (report_sections.h). Read from the store's faults and
// events tables; a run without faults has no faults table and no section.
#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "aifabric/telemetry/report/report_format.h"
#include "aifabric/telemetry/report/report_page.h"
#include "aifabric/telemetry/report/report_sections.h"

namespace aifabric::report {
namespace {

using nlohmann::json;

json rounded(const std::vector<double>& v, int digits) {
  json out = json::array();
  for (double x : v) out.push_back(round_sig(x, digits));
  return out;
}

// The data payload every sampled port sent, summed, per interval between the times any
// port was sampled (bps at the interval's end). A port's rows between two kept samples
// were equal (the sampler drops repeats), so its rate over a gap is the difference of its
// two kept rows over the gap's length: each port's rate is spread over the intervals it
// spans, never read from a time at which it has no row.
void fabric_payload_rate(const ReportDb& db, std::vector<double>& t, std::vector<double>& bps) {
  const auto s =
      db.rows(fmt::format("SELECT port_id, t_ps, out_payload_octets FROM samples WHERE run_id = {} "
                          "ORDER BY port_id, t_ps",
                          db.run_id()));
  std::vector<double> grid;
  grid.reserve(s.size());
  for (const auto& r : s) grid.push_back(r[1]);
  std::sort(grid.begin(), grid.end());
  grid.erase(std::unique(grid.begin(), grid.end()), grid.end());
  if (grid.size() < 2) return;
  auto index = [&](double x) {
    return static_cast<size_t>(std::lower_bound(grid.begin(), grid.end(), x) - grid.begin());
  };
  std::vector<double> delta(grid.size(), 0.0);
  for (size_t i = 1; i < s.size(); ++i) {
    if (s[i][0] != s[i - 1][0]) continue;
    const double dt = (s[i][1] - s[i - 1][1]) * 1e-12;
    if (dt <= 0) continue;
    const double rate = (s[i][2] - s[i - 1][2]) * 8 / dt;
    delta[index(s[i - 1][1])] += rate;
    delta[index(s[i][1])] -= rate;
  }
  double now = 0;
  for (size_t k = 0; k + 1 < grid.size(); ++k) {
    now += delta[k];
    t.push_back(grid[k + 1] * 1e-12);
    bps.push_back(std::max(0.0, now));
  }
}

const char* event_colour(const std::string& kind) {
  if (kind == "link_down") return "#e15759";
  if (kind == "link_up") return "#59a14f";
  return "#b07aa1";  // link_rate, link_ber
}

// One marker per time at which links changed: "link_down leaf0–spine1" (+N more when a
// device's links changed together). At most 60.
json link_markers(const ReportDb& db) {
  const auto ev = db.text_rows(fmt::format(
      "SELECT e.start_ps, e.kind, n.name, peer.name, e.detail FROM events e "
      "JOIN ports p ON p.run_id = e.run_id AND p.port_id = e.port_id "
      "JOIN nodes n ON n.run_id = p.run_id AND n.node_id = p.node_id "
      "JOIN nodes peer ON peer.run_id = p.run_id AND peer.node_id = p.peer_node_id "
      "WHERE e.run_id = {} AND e.kind IN ('link_down', 'link_up', 'link_rate', 'link_ber') "
      "ORDER BY e.start_ps, e.rowid",
      db.run_id()));
  json markers = json::array();
  for (size_t i = 0; i < ev.size() && markers.size() < 60;) {
    size_t j = i + 1;
    while (j < ev.size() && ev[j][0] == ev[i][0]) ++j;
    std::string label = ev[i][1] + " " + ev[i][2] + "–" + ev[i][3];
    if (!ev[i][4].empty()) label += " (" + ev[i][4] + ")";
    if (j - i > 1) label += fmt::format(" +{} more", j - i - 1);
    markers.push_back({{"x", round_sig(std::stod(ev[i][0]) * 1e-12, 9)},
                       {"label", label},
                       {"color", event_colour(ev[i][1])}});
    i = j;
  }
  return markers;
}

// A step's time after its fault, or a dash where it did not happen (NULL).
std::string after(const std::string& us) {
  return us.empty() ? std::string("<span title=\"did not happen\">–</span>") : sig3(std::stod(us));
}

std::string faults_table(const std::vector<std::vector<std::string>>& rows) {
  std::string out =
      "<table class=\"t faults\"><tr><th>fault</th><th>element</th><th>at (µs)</th>"
      "<th>detection (µs)</th><th>local repair (µs)</th><th>notices done (µs)</th>"
      "<th>control plane (µs)</th><th>re-weighted (µs)</th><th>notices</th>"
      "<th>blackholed (packets)</th><th>blackholed payload (bytes)</th>"
      "<th>flows affected</th><th>flows failed</th></tr>\n";
  for (const auto& r : rows) {
    // kind, element, at_s, happened, detection_us ... reweighted_us, notices, packets,
    // bytes, affected, failed
    const bool happened = r[3] == "1";
    out += fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td>", esc(r[0]), esc(r[1]),
                       sig3(std::stod(r[2]) * 1e6));
    if (!happened) {
      out += "<td colspan=\"10\">the run ended before its time</td></tr>\n";
      continue;
    }
    for (size_t c = 4; c <= 8; ++c) out += "<td>" + after(r[c]) + "</td>";
    for (size_t c = 9; c <= 13; ++c) out += "<td>" + count(std::stoll(r[c])) + "</td>";
    out += "</tr>\n";
  }
  return out + "</table>\n";
}

bool has_faults(const ReportDb& db) {
  const auto has = db.rows("SELECT COUNT(*) FROM sqlite_master WHERE name = 'faults'");
  return !has.empty() && has[0][0] > 0;
}

}  // namespace

std::string faults_headline(const ReportDb& db) {
  if (!has_faults(db)) return "";
  const auto r = db.text_rows(fmt::format(
      "SELECT COUNT(*), SUM(happened), MIN(recovery_mode), SUM(blackholed_packets), "
      "SUM(flows_affected), SUM(flows_failed), MAX(detection_us), MAX(local_repair_us), "
      "MAX(notices_done_us), MAX(control_plane_us), MAX(reweighted_us) FROM faults "
      "WHERE run_id = {}",
      db.run_id()));
  if (r.empty() || r[0][0] == "0") return "";
  const auto& v = r[0];
  const int64_t scheduled = std::stoll(v[0]);
  const int64_t happened = v[1].empty() ? 0 : std::stoll(v[1]);
  auto plural = [](int64_t n, const char* what) {
    return fmt::format("{} {}{}", count(n), what, n == 1 ? "" : "s");
  };
  if (happened == 0) {
    return fmt::format("{} scheduled ({}); none happened before the run ended",
                       plural(scheduled, "fault"), v[2]);
  }
  std::string line = plural(happened, "fault");
  if (happened != scheduled) line += fmt::format(" of {} scheduled", count(scheduled));
  line += fmt::format(" ({}): {} blackholed, {} affected", v[2], plural(std::stoll(v[3]), "packet"),
                      plural(std::stoll(v[4]), "flow"));
  if (std::stoll(v[5]) > 0) line += fmt::format(", {} failed", count(std::stoll(v[5])));
  std::string steps;
  const char* const names[] = {"detection", "local repair", "notices done", "control plane",
                               "re-weighted"};
  for (size_t i = 0; i < 5; ++i) {
    if (v[6 + i].empty()) continue;
    steps += fmt::format("{}{} {}", steps.empty() ? "" : ", ", names[i],
                         seconds(std::stod(v[6 + i]) * 1e-6));
  }
  if (steps.empty()) return line + "; not detected";
  return line + "; " + (happened > 1 ? "slowest " : "") + steps + " after the fault";
}

std::string faults_section(const ReportDb& db) {
  if (!has_faults(db)) return "";
  const auto rows = db.text_rows(fmt::format(
      "SELECT kind, element, at_s, happened, detection_us, local_repair_us, notices_done_us, "
      "control_plane_us, reweighted_us, notices, blackholed_packets, blackholed_bytes, "
      "flows_affected, flows_failed FROM faults WHERE run_id = {} ORDER BY fault_id",
      db.run_id()));
  if (rows.empty()) return "";
  const auto mode =
      db.texts(fmt::format("SELECT recovery_mode || ', detection ' || detection FROM faults "
                           "WHERE run_id = {} LIMIT 1",
                           db.run_id()));

  std::vector<double> t, bps;
  fabric_payload_rate(db, t, bps);
  const json markers = link_markers(db);
  Figure f{"Fabric throughput and link events",
           "Data payload sent by every sampled port, summed (a byte counts once per hop), per "
           "sample interval; a dashed line at each link state change.",
           {{"type", "line"},
            {"x", {{"q", "time"}, {"label", "time"}, {"min", 0}}},
            {"y", {{"q", "rate"}, {"label", "fabric throughput"}, {"min", 0}}},
            {"series", json::array({{{"name", "payload, all sampled ports"},
                                     {"x", rounded(t, 7)},
                                     {"y", rounded(bps, 5)}}})},
            {"markers", markers}},
           t.size()};
  f.wide = true;
  f.height = 300;
  f.empty = "No port samples in this run (telemetry off?).";
  const std::string lead = fmt::format(
      "What each scheduled fault did (recovery mode {}): times after the fault are measured "
      "from its start; a dash marks a step that did not happen. Blackholed: frames lost on "
      "its links while they were down.",
      mode.empty() ? std::string("?") : esc(mode[0]));
  return section("faults", "Faults", lead, figure(f) + faults_table(rows));
}

}  // namespace aifabric::report
