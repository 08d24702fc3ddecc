// The telemetry store answers operators' questions with plain SQL, and its counters
// agree with the per-flow records.
#include <gtest/gtest.h>
#include <sqlite3.h>

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

// report.html is self-contained (nothing to fetch or run) and every plot has data.
// With Chromium on the machine, it also renders headless to a screenshot.
TEST(Telemetry, ReportIsSelfContainedAndEveryPlotHasData) {
  DiskRun r = run_to_disk("report");
  std::ifstream in(r.dir / "report.html");
  ASSERT_TRUE(in.good());
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string html = ss.str();
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("http://"), std::string::npos);
  EXPECT_EQ(html.find("https://"), std::string::npos);
  size_t plots = 0;
  for (size_t at = html.find("data-points=\""); at != std::string::npos;
       at = html.find("data-points=\"", at + 1)) {
    ++plots;
    EXPECT_GT(std::stoll(html.substr(at + 13)), 0) << "an empty plot";
  }
  EXPECT_GE(plots, 9u);  // 2 CDFs, 4 heatmaps (tier pairs), queues, pauses, throughput
  EXPECT_EQ(html.find("no data"), std::string::npos);
  if (std::system("command -v chromium >/dev/null 2>&1") != 0) {
    GTEST_SKIP() << "chromium is not installed (make test installs it): the headless render is "
                    "skipped";
  }
  const std::string flags =
      "--headless --no-sandbox --disable-gpu --disable-quic --no-first-run "
      "--disable-background-networking --disable-component-update --disable-sync "
      "--disable-dev-shm-usage --user-data-dir=" +
      (r.dir / "chromium").string();
  if (std::system(
          ("timeout 60 chromium " + flags + " --dump-dom about:blank >/dev/null 2>&1").c_str()) !=
      0) {
    GTEST_SKIP() << "chromium is installed but cannot start on this machine: render skipped";
  }
  // The page must load without console errors (it has no scripts, so any console
  // message would come from a resource it failed to load) and render to a screenshot.
  const fs::path shot = r.dir / "report.png";
  const fs::path log = r.dir / "chromium.log";
  const std::string cmd =
      "timeout 60 chromium " + flags +
      " --enable-logging=stderr --v=0 --window-size=1400,2400 --screenshot=" + shot.string() +
      " file://" + (r.dir / "report.html").string() + " 2>" + log.string() + " >/dev/null";
  EXPECT_EQ(std::system(cmd.c_str()), 0);
  std::ifstream lin(log);
  std::stringstream logtext;
  logtext << lin.rdbuf();
  EXPECT_EQ(logtext.str().find("CONSOLE"), std::string::npos) << logtext.str();
  // Kept as a test artifact in the folder the tests run in (the build folder).
  fs::copy_file(shot, fs::current_path() / "report-render.png",
                fs::copy_options::overwrite_existing);
  EXPECT_GT(fs::file_size(shot), 10000u);
  fs::remove_all(r.dir);
}

}  // namespace
}  // namespace aifabric

namespace aifabric {
namespace {

// A training job's report carries its timeline: one replica's tasks in the store and
// drawn per GPU.
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
  std::ifstream in(dir / "report.html");
  std::stringstream html;
  html << in.rdbuf();
  const size_t at = html.str().find("Per-GPU timeline");
  ASSERT_NE(at, std::string::npos);
  const size_t dp = html.str().find("data-points=\"", at);
  EXPECT_GT(std::stoll(html.str().substr(dp + 13)), 30);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace aifabric
