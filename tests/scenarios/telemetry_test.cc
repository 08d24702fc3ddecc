// The telemetry store answers operators' questions with plain SQL, and its counters
// agree with the per-flow records.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "aifabric/scenario/outputs.h"
#include "aifabric/scenario/scenario.h"
#include "aifabric/scenario/simulate.h"
#include "aifabric/telemetry/sinks/flows_csv/flows_csv.h"
#include "aifabric/telemetry/sinks/summary_json/summary_json.h"
#include "aifabric/telemetry/stats.h"
#include "tests/fingerprint.h"

namespace aifabric {
namespace {

namespace fs = std::filesystem;

// The incast example: 16 senders two switch hops behind a 400 Gbps bottleneck, PFC on.
constexpr const char* kIncast = R"(
name: incast-telemetry
topology: {type: leaf_spine, leaves: 2, spines: 1, hosts_per_leaf: 17, fabric_link: {rate: 6.4Tbps}}
cc: {algorithm: none}
telemetry: {interval: 20us}
traffic:
  - {type: incast, receiver: 17, senders: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15], size: 2MiB}
)";

struct DiskRun {
  fs::path dir;
  std::unique_ptr<Scenario> scenario;
  PreparedRun prepared;
  std::unique_ptr<Simulation> sim;
};

DiskRun run_to_disk(const std::string& name) {
  DiskRun r;
  r.dir =
      fs::temp_directory_path() / ("aifabric_telemetry_" + name + "_" + std::to_string(getpid()));
  fs::remove_all(r.dir);
  auto s = load_scenario_text(kIncast, "incast", {});
  EXPECT_TRUE(s.is_ok()) << s.status().message();
  r.scenario = std::move(s).value();
  auto p = prepare_run(*r.scenario);
  EXPECT_TRUE(p.is_ok());
  r.prepared = std::move(p).value();
  auto sim = simulate(r.prepared, nullptr);
  EXPECT_TRUE(sim.is_ok());
  r.sim = std::move(sim).value();
  testing::expect_report_fingerprint(r.sim->report);
  EXPECT_TRUE(write_results(r.dir.string(), *r.sim, r.prepared).is_ok());
  return r;
}

// Runs `sql` and returns the rows as strings.
std::vector<std::vector<std::string>> query(const fs::path& db_path, const std::string& sql) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
  std::vector<std::vector<std::string>> rows;
  while (sqlite3_step(st) == SQLITE_ROW) {
    std::vector<std::string> row;
    for (int i = 0; i < sqlite3_column_count(st); ++i) {
      const auto* t = sqlite3_column_text(st, i);
      row.emplace_back(t != nullptr ? reinterpret_cast<const char*>(t) : "");
    }
    rows.push_back(row);
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
  return rows;
}

// "Which port paused longest, how long, and when?" in plain SQL over the pause
// episodes. Cross-checked against an independent source, each port's own paused-time
// counter (ports.csv / PortRow.paused), and against the physics: the transmitter next
// to the bottleneck — the spine's port toward leaf1 — is paused longest.
TEST(Telemetry, SqlFindsTheLongestPausedPort) {
  DiskRun r = run_to_disk("pause");
  const auto rows = query(r.dir / "telemetry.sqlite", R"sql(
    SELECT n.name, peer.name, SUM(e.end_ps - e.start_ps) AS paused_ps,
           MIN(e.start_ps) AS first_ps, MAX(e.end_ps) AS last_ps, COUNT(*) AS episodes
    FROM events e
    JOIN ports p ON p.run_id = e.run_id AND p.port_id = e.port_id
    JOIN nodes n ON n.run_id = p.run_id AND n.node_id = p.node_id
    JOIN nodes peer ON peer.run_id = p.run_id AND peer.node_id = p.peer_node_id
    WHERE e.kind = 'pfc_pause'
    GROUP BY e.port_id ORDER BY paused_ps DESC LIMIT 1)sql");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0][0], "spine0");
  EXPECT_EQ(rows[0][1], "leaf1");
  const int64_t paused_ps = std::stoll(rows[0][2]);
  Time longest;
  for (const PortRow& p : r.sim->report.ports) longest = std::max(longest, p.paused);
  EXPECT_EQ(paused_ps, longest.ps());
  EXPECT_GT(std::stoll(rows[0][4]), std::stoll(rows[0][3]));  // "when": first start, last end
  // Per priority: all of it is the lossless data class, 3.
  const auto by_prio =
      query(r.dir / "telemetry.sqlite",
            "SELECT priority, MAX(paused_ps) FROM queue_samples GROUP BY priority");
  ASSERT_EQ(by_prio.size(), 1u);
  EXPECT_EQ(by_prio[0][0], "3");
  EXPECT_EQ(std::stoll(by_prio[0][1]), paused_ps);
  fs::remove_all(r.dir);
}

// A sender's egress octets at every sample equal what its queue pair had sent by then:
// payload plus 82 bytes of headers, preamble and gap per packet (it sends no ACKs; it
// only receives them). Exact, since both are read at the same instant.
TEST(Telemetry, PortCountersAgreeWithFlows) {
  DiskRun r = run_to_disk("counters");
  const auto rows = query(r.dir / "telemetry.sqlite", R"sql(
    SELECT s.t_ps, s.out_octets, q.payload_sent
    FROM samples s
    JOIN ports p ON p.run_id = s.run_id AND p.port_id = s.port_id
    JOIN nodes n ON n.run_id = p.run_id AND n.node_id = p.node_id
    JOIN flows f ON f.run_id = s.run_id AND f.src = n.name
    JOIN qp_samples q ON q.run_id = s.run_id AND q.flow_id = f.flow_id AND q.t_ps = s.t_ps
    WHERE n.name = 'host3')sql");
  ASSERT_GT(rows.size(), 5u);
  for (const auto& row : rows) {
    const int64_t octets = std::stoll(row[1]);
    const int64_t payload = std::stoll(row[2]);
    const int64_t packets = (payload + 4095) / 4096;
    EXPECT_EQ(octets, payload + packets * 82) << "at t=" << row[0];
  }
  // And the total: the flow's bytes arrive as the final counter.
  const auto total =
      query(r.dir / "telemetry.sqlite",
            "SELECT MAX(out_octets) FROM samples s JOIN ports p USING(run_id, port_id) "
            "JOIN nodes n ON n.run_id = p.run_id AND n.node_id = p.node_id "
            "WHERE n.name = 'host3'");
  EXPECT_EQ(std::stoll(total[0][0]), 2 * 1024 * 1024 + 512 * 82);
  fs::remove_all(r.dir);
}

}  // namespace
}  // namespace aifabric

namespace aifabric {
namespace {

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The value of attribute `name` in the start tag `tag` ("" when absent).
std::string attr(const std::string& tag, const std::string& name) {
  const std::string key = " " + name + "=\"";
  const size_t at = tag.find(key);
  if (at == std::string::npos) return "";
  const size_t from = at + key.size();
  return tag.substr(from, tag.find('"', from) - from);
}

// Every <figure ...> start tag of `html`.
std::vector<std::string> figure_tags(const std::string& html) {
  std::vector<std::string> tags;
  for (size_t at = html.find("<figure"); at != std::string::npos;
       at = html.find("<figure", at + 1)) {
    tags.push_back(html.substr(at, html.find('>', at) - at));
  }
  return tags;
}

// The page holds everything it shows: no file or script to fetch, no external link.
void expect_self_contained(const std::string& html) {
  for (const char* external : {"<script src", " src=\"", " src='", "<link", "@import", "url(",
                               "href=\"http", "href=\"//", "<iframe"}) {
    EXPECT_EQ(html.find(external), std::string::npos) << external;
  }
  EXPECT_NE(html.find("Chart.js v"), std::string::npos) << "the charting library is inlined";
}

// An axis's tick labels: 1-2-5 steps, one notation (no exponents, one number of
// decimals), and for quantities with units at most three digits before the point.
void expect_nice_ticks(const std::string& figure, const std::string& labels,
                       const std::string& quantity, const std::string& unit) {
  std::vector<std::string> ticks(1);
  for (char c : labels) {
    if (c == '|') {
      ticks.emplace_back();
    } else if (c != ',') {
      ticks.back() += c;
    }
  }
  ASSERT_GE(ticks.size(), 2u) << figure << ": " << labels;
  const size_t dot = ticks[0].find('.');
  const size_t decimals = dot == std::string::npos ? 0 : ticks[0].size() - dot - 1;
  std::vector<double> v;
  for (const auto& t : ticks) {
    EXPECT_EQ(t.find_first_of("eE"), std::string::npos) << figure << ": " << labels;
    const size_t d = t.find('.');
    EXPECT_EQ(d == std::string::npos ? 0 : t.size() - d - 1, decimals) << figure << ": " << labels;
    v.push_back(std::stod(t));
  }
  const double step = v[1] - v[0];
  ASSERT_GT(step, 0) << figure << ": " << labels;
  for (size_t i = 1; i < v.size(); ++i) {
    EXPECT_NEAR(v[i] - v[i - 1], step, step * 1e-6) << figure << ": " << labels;
  }
  const double mantissa = step / std::pow(10.0, std::floor(std::log10(step) + 1e-9));
  EXPECT_TRUE(std::abs(mantissa - 1) < 1e-6 || std::abs(mantissa - 2) < 1e-6 ||
              std::abs(mantissa - 5) < 1e-6)
      << figure << ": step " << step << " in " << labels;
  if (quantity == "time" || quantity == "bytes" || quantity == "rate" || quantity == "bw") {
    EXPECT_LT(std::max(std::abs(v.front()), std::abs(v.back())), 1000.0)
        << figure << ": the unit " << unit << " does not suit " << labels;
    const std::vector<std::string> units = {"ps",   "ns",  "µs",   "ms",   "s",    "B",    "KB",
                                            "MB",   "GB",  "TB",   "bps",  "Kbps", "Mbps", "Gbps",
                                            "Tbps", "B/s", "KB/s", "MB/s", "GB/s", "TB/s"};
    EXPECT_NE(std::find(units.begin(), units.end(), unit), units.end()) << figure << ": " << unit;
  }
}

const std::string kChromiumFlags =
    "--headless --no-sandbox --disable-gpu --disable-quic --no-first-run "
    "--disable-background-networking --disable-component-update --disable-sync "
    "--disable-dev-shm-usage --hide-scrollbars --virtual-time-budget=10000 "
    "--run-all-compositor-stages-before-draw";

// Whether Chromium can render here; the reason to skip when not.
std::string chromium_missing(const fs::path& profile) {
  if (std::system("command -v chromium >/dev/null 2>&1") != 0) {
    return "chromium is not installed (make test installs it): the headless render is skipped";
  }
  const std::string cmd = "timeout 60 chromium " + kChromiumFlags +
                          " --user-data-dir=" + profile.string() +
                          " --dump-dom about:blank >/dev/null 2>&1";
  if (std::system(cmd.c_str()) != 0) {
    return "chromium is installed but cannot start on this machine: render skipped";
  }
  return "";
}

// Renders `dir`/report.html headless at 1400x900 as a person first sees it: it loads
// without a console message, report.js draws every figure with nice ticks, and the
// headline lies within the first screen. Leaves report.png (the first screen) in `dir`.
void expect_renders_for_people(const fs::path& dir) {
  const std::string flags = kChromiumFlags + " --user-data-dir=" + (dir / "chromium").string() +
                            " --window-size=1400,900 ";
  const std::string url = "file://" + (dir / "report.html").string();
  const fs::path shot = dir / "report.png";
  const fs::path log = dir / "chromium.log";
  const std::string screenshot = "timeout 60 chromium " + flags +
                                 "--enable-logging=stderr --v=0 --screenshot=" + shot.string() +
                                 " " + url + " 2>" + log.string() + " >/dev/null";
  EXPECT_EQ(std::system(screenshot.c_str()), 0);
  // Any console message is an error of report.js or a resource the page failed to load.
  EXPECT_EQ(slurp(log).find("CONSOLE"), std::string::npos) << slurp(log);
  EXPECT_GT(fs::file_size(shot), 10000u);
  const fs::path dom_file = dir / "dom.html";
  const std::string dump =
      "timeout 60 chromium " + flags + "--dump-dom " + url + " 2>/dev/null >" + dom_file.string();
  ASSERT_EQ(std::system(dump.c_str()), 0);
  const std::string dom = slurp(dom_file);
  const size_t html_at = dom.find("<html");
  ASSERT_NE(html_at, std::string::npos);
  const std::string root = dom.substr(html_at, dom.find('>', html_at) - html_at);
  ASSERT_EQ(attr(root, "data-ready"), "1") << "report.js did not finish";
  EXPECT_EQ(attr(root, "data-failed"), "0");
  // The headline (verdict and numbers) is on the first screen, without scrolling.
  ASSERT_FALSE(attr(root, "data-headline-bottom").empty());
  EXPECT_LE(std::stoi(attr(root, "data-headline-bottom")), 900);
  EXPECT_LE(std::stoi(attr(root, "data-headline-right")), 1400);
  for (const std::string& tag : figure_tags(dom)) {
    if (attr(tag, "class").rfind("fig", 0) != 0) continue;
    const std::string id = attr(tag, "id");
    EXPECT_EQ(attr(tag, "data-error"), "") << id;
    ASSERT_FALSE(attr(tag, "data-rendered").empty()) << id << " was not drawn";
    EXPECT_GT(std::stoll(attr(tag, "data-rendered")), 0) << id << " drew nothing";
    for (const char* axis : {"x", "y", "c"}) {
      const std::string labels = attr(tag, std::string("data-ticks-") + axis);
      if (labels.empty()) continue;
      expect_nice_ticks(id + " " + axis, labels, attr(tag, std::string("data-quantity-") + axis),
                        attr(tag, std::string("data-unit-") + axis));
    }
    // Heatmaps carry a time axis and a colour bar from 0 to 100 %.
    if (attr(tag, "data-kind") == "heatmap") {
      EXPECT_EQ(attr(tag, "data-quantity-x"), "time") << id;
      const std::string bar = attr(tag, "data-ticks-c");
      EXPECT_EQ(bar.substr(0, 2), "0|") << id;
      EXPECT_EQ(bar.substr(bar.size() - 3), "100") << id;
      EXPECT_EQ(attr(tag, "data-unit-c"), "%") << id;
    }
  }
}

// The JSON spec of the figure titled `title`.
nlohmann::json figure_spec(const std::string& html, const std::string& title) {
  const size_t at = html.find(">" + title + "<");
  if (at == std::string::npos) return nullptr;
  const std::string open = "class=\"spec\">";
  const size_t spec = html.find(open, at);
  if (spec == std::string::npos) return nullptr;
  const size_t from = spec + open.size();
  return nlohmann::json::parse(html.substr(from, html.find("</script>", from) - from), nullptr,
                               false);
}

// report.html is for people: the run's name and headline first, every plot with data,
// goodput apart from the wire, self-contained (Chart.js inlined, nothing fetched). With
// Chromium on the machine it renders headless with nice ticks and the headline on screen.
TEST(Telemetry, ReportIsSelfContainedAndEveryPlotHasData) {
  DiskRun r = run_to_disk("report");
  const std::string html = slurp(r.dir / "report.html");
  ASSERT_FALSE(html.empty());
  expect_self_contained(html);
  EXPECT_NE(html.find("<title>aifabric: incast-telemetry</title>"), std::string::npos);
  // The headline comes before any section, and starts with the flows' completion.
  const size_t headline = html.find("id=\"headline\"");
  ASSERT_NE(headline, std::string::npos);
  EXPECT_LT(headline, html.find("<section class=\"part\""));
  EXPECT_LT(html.find("verdict completed"), html.find("Flows completed"));
  EXPECT_NE(html.find("<div class=\"v\">16 of 16</div>"), std::string::npos);
  EXPECT_LT(html.find("Flows completed"), html.find("summary.json: every number"));
  size_t plots = 0;
  for (const std::string& tag : figure_tags(html)) {
    if (attr(tag, "class").rfind("fig", 0) != 0) continue;
    ++plots;
    EXPECT_GT(std::stoll(attr(tag, "data-points")), 0) << "an empty plot: " << tag;
  }
  EXPECT_GE(plots, 9u);  // 2 CDFs, 4 heatmaps (tier pairs), queues, pauses, throughput
  EXPECT_EQ(html.find("no data"), std::string::npos);
  // Goodput and the wire are two series; the wire also carries headers, ACKs and pauses.
  const nlohmann::json tput = figure_spec(html, "Throughput delivered to hosts");
  ASSERT_TRUE(tput.is_object());
  ASSERT_EQ(tput["series"].size(), 2u);
  EXPECT_EQ(tput["series"][0]["name"].get<std::string>().rfind("goodput", 0), 0u);
  EXPECT_EQ(tput["series"][1]["name"].get<std::string>().rfind("wire", 0), 0u);
  double good = 0, wire = 0;
  for (double v : tput["series"][0]["y"]) good += v;
  for (double v : tput["series"][1]["y"]) wire += v;
  EXPECT_GT(good, 0);
  EXPECT_GT(wire, good);
  EXPECT_LT(wire, good * 1.1);  // 82 B of headers per 4 KiB, and ACKs

  if (const std::string why = chromium_missing(r.dir / "chromium"); !why.empty()) {
    GTEST_SKIP() << why;
  }
  expect_renders_for_people(r.dir);
  // Kept as test artifacts in the folder the tests run in (the build folder).
  fs::copy_file(r.dir / "report.png", fs::current_path() / "report-render.png",
                fs::copy_options::overwrite_existing);
  fs::remove_all(r.dir);
}

}  // namespace
}  // namespace aifabric

namespace aifabric {
namespace {

// A training job's report carries its timeline: one replica's tasks in the store and
// drawn per GPU. On the analytic backend nothing ran on the fabric, and the report says
// so rather than showing an idle network.
TEST(Telemetry, WorkloadTimelineInStoreAndReport) {
  const fs::path dir =
      fs::temp_directory_path() / ("aifabric_timeline_" + std::to_string(getpid()));
  fs::remove_all(dir);
  auto s = load_scenario_text(R"(
topology: {type: leaf_spine, leaves: 1, spines: 1, hosts_per_leaf: 16}
workload:
  type: llm
  model: {layers: 4, hidden: 1024, heads: 16, seq_len: 1024, vocab: 32000}
  parallel: {tp: 2, pp: 2, dp: 4, global_batch: 16}
  cluster: {gpus_per_node: 2}
)",
                              "job", {});
  ASSERT_TRUE(s.is_ok()) << s.status().message();
  auto p = prepare_run(**s);
  ASSERT_TRUE(p.is_ok());
  auto sim = simulate(*p, nullptr);
  ASSERT_TRUE(sim.is_ok());
  testing::expect_report_fingerprint((*sim)->report);
  ASSERT_TRUE(write_results(dir.string(), **sim, *p).is_ok());
  // Replica 0 is tp 2 x pp 2 = 4 GPUs, each with 2 x 4 micro-batch passes at least.
  const auto rows = query(dir / "telemetry.sqlite",
                          "SELECT COUNT(DISTINCT rank), SUM(kind = 'compute') FROM tasks");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0][0], "4");
  EXPECT_GE(std::stoll(rows[0][1]), 4 * 2 * 4);
  const std::string html = slurp(dir / "report.html");
  const size_t at = html.find("Per-GPU timeline");
  ASSERT_NE(at, std::string::npos);
  const size_t dp = html.find("data-points=\"", html.rfind("<figure", at));
  EXPECT_GT(std::stoll(html.substr(dp + 13)), 30);
  // The headline is the iteration; the fabric is "not modelled", not a table of zeros.
  EXPECT_LT(html.find("Iteration time"), html.find("<section class=\"part\""));
  EXPECT_NE(html.find("Communication share"), std::string::npos);
  EXPECT_NE(html.find("busbw · dp.allreduce"), std::string::npos);
  EXPECT_NE(html.find("Not modelled by the analytic backend"), std::string::npos);
  EXPECT_EQ(html.find("data-kind=\"heatmap\""), std::string::npos);
  EXPECT_EQ(html.find("Throughput delivered to hosts"), std::string::npos);
  expect_self_contained(html);
  if (const std::string why = chromium_missing(dir / "chromium"); !why.empty()) {
    GTEST_SKIP() << why;
  }
  expect_renders_for_people(dir);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace aifabric
