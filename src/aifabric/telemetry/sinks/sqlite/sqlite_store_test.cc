// telemetry.sqlite of a hand-built run record: a run with faults has one faults row per
// FaultRow with its values (NULL for the steps that did not happen) and its link events
// in the events table; a run without faults has no faults table.
#include "aifabric/telemetry/sinks/sqlite/sqlite_store.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

namespace aifabric {
namespace {

namespace fs = std::filesystem;

// Every column of every row of `sql` as text, NULL as "NULL".
std::vector<std::vector<std::string>> query(const fs::path& db, const std::string& sql) {
  std::vector<std::vector<std::string>> out;
  sqlite3* raw = nullptr;
  EXPECT_EQ(sqlite3_open_v2(db.c_str(), &raw, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(raw, sql.c_str(), -1, &st, nullptr) == SQLITE_OK) {
    while (sqlite3_step(st) == SQLITE_ROW) {
      std::vector<std::string> row;
      for (int i = 0; i < sqlite3_column_count(st); ++i) {
        const auto* t = sqlite3_column_text(st, i);
        row.emplace_back(t != nullptr ? reinterpret_cast<const char*>(t) : "NULL");
      }
      out.push_back(std::move(row));
    }
  }
  sqlite3_finalize(st);
  sqlite3_close(raw);
  return out;
}

// host0 - leaf0 - spine0 - leaf1 - host1; telemetry on leaf0's port toward spine0.
struct Fixture {
  TopologyGraph graph;
  TelemetryRecord tel;
  RunReport report;
  Fixture() {
    const uint32_t h0 = graph.add_node(NodeKind::kHost, "host0", 0);
    const uint32_t h1 = graph.add_node(NodeKind::kHost, "host1", 0);
    const uint32_t l0 = graph.add_node(NodeKind::kSwitch, "leaf0", 1);
    const uint32_t l1 = graph.add_node(NodeKind::kSwitch, "leaf1", 1);
    const uint32_t s0 = graph.add_node(NodeKind::kSwitch, "spine0", 2);
    graph.add_link(h0, l0, LinkParams{});
    graph.add_link(h1, l1, LinkParams{});
    graph.add_link(l0, s0, LinkParams{});
    graph.add_link(l1, s0, LinkParams{});
    tel.node_of_port = {l0};
    tel.index_of_port = {1};  // leaf0's second link: toward spine0
    tel.samples.push_back(PortSample{0, Time::us(0), 0, 0, 0, 0, 0, 0, 0, Time(), 0, 0});
    tel.samples.push_back(PortSample{0, Time::us(10), 1000, 900, 1, 0, 0, 0, 0, Time(), 0, 0});
    report.scenario = "faulty";
    report.hosts = 2;
    report.switches = 3;
    report.links = 4;
    report.sim_end = Time::us(10);
  }
  void add_faults() {
    FaultRecord f;
    f.mode = "remote";
    f.detection = "los";
    FaultRow down;
    down.at = Time::us(500);
    down.kind = "link_down";
    down.element = "leaf0-spine0";
    down.happened = true;
    down.detected = Time::us(5);
    down.local_repair = Time::us(5);
    down.notices_done = Time::ns(7002);
    down.control_plane_done = Time::us(98005);
    down.notices = 7;
    down.blackholed_packets = 117;
    down.blackholed_bytes = 450560;
    down.flows_affected = 3;
    down.flows_failed = 1;
    FaultRow late;  // the run ended before its time: every step NULL
    late.at = Time::ms(20);
    late.kind = "link_up";
    late.element = "leaf0-spine0";
    f.rows = {down, late};
    f.events.push_back(LinkEvent{Time::us(500), "link_down", 2, 4, 1, ""});
    report.faults = f;
    tel.events.push_back(TelemetryEvent{"link_down", 0, -1, Time::us(500), Time::us(500), ""});
  }
  fs::path write(const std::string& name) {
    const fs::path dir =
        fs::temp_directory_path() / ("aifabric_sqlite_" + name + std::to_string(getpid()));
    fs::create_directories(dir);
    const fs::path db = dir / "telemetry.sqlite";
    EXPECT_TRUE(write_sqlite(db.string(), RunRecord{report, graph, &tel}).is_ok());
    return db;
  }
};

TEST(SqliteStore, FaultsTableHasOneRowPerFaultWithNullForStepsNotTaken) {
  Fixture fx;
  fx.add_faults();
  const fs::path db = fx.write("faults");
  const auto rows = query(db,
                          "SELECT fault_id, at_ps, at_s, kind, element, happened, recovery_mode, "
                          "detection, detection_us, local_repair_us, notices_done_us, "
                          "control_plane_us, reweighted_us, notices, blackholed_packets, "
                          "blackholed_bytes, flows_affected, flows_failed FROM faults "
                          "ORDER BY fault_id");
  ASSERT_EQ(rows.size(), 2u);
  const std::vector<std::string> first = {
      "0",   "500000000", "0.0005", "link_down", "leaf0-spine0", "1",    "remote",
      "los", "5.0",       "5.0",    "7.002",     "98005.0",      "NULL", "7",
      "117", "450560",    "3",      "1"};
  EXPECT_EQ(rows[0], first);
  const std::vector<std::string> second = {"1",    "20000000000", "0.02", "link_up", "leaf0-spine0",
                                           "0",    "remote",      "los",  "NULL",    "NULL",
                                           "NULL", "NULL",        "NULL", "0",       "0",
                                           "0",    "0",           "0"};
  EXPECT_EQ(rows[1], second);
  // The link event sits in the events table at its port, at the fault's time.
  const auto ev = query(db,
                        "SELECT e.kind, n.name, peer.name, e.start_ps, e.end_ps FROM events e "
                        "JOIN ports p USING (run_id, port_id) "
                        "JOIN nodes n ON n.run_id = p.run_id AND n.node_id = p.node_id "
                        "JOIN nodes peer ON peer.run_id = p.run_id AND peer.node_id = "
                        "p.peer_node_id WHERE e.kind LIKE 'link_%'");
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0],
            (std::vector<std::string>{"link_down", "leaf0", "spine0", "500000000", "500000000"}));
  fs::remove_all(db.parent_path());
}

TEST(SqliteStore, RunWithoutFaultsHasNoFaultsTable) {
  Fixture fx;
  const fs::path db = fx.write("nofaults");
  EXPECT_TRUE(query(db, "SELECT name FROM sqlite_master WHERE name = 'faults'").empty());
  EXPECT_EQ(query(db, "SELECT COUNT(*) FROM samples")[0][0], "2");
  EXPECT_EQ(query(db, "SELECT COUNT(*) FROM events")[0][0], "0");
  fs::remove_all(db.parent_path());
}

}  // namespace
}  // namespace aifabric
