#include "aifabric/telemetry/sinks/sqlite/sqlite_store.h"

#include <sqlite3.h>

#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <vector>

#include "aifabric/telemetry/sinks/summary_json/summary_json.h"

namespace aifabric {
namespace {

// Indexes are built after the rows are in: one sort per index instead of a B-tree
// insert per row. The sample tables need none: each is stored in the order of its key
// (WITHOUT ROWID), and their rows arrive in that order (Sampler::finish).
constexpr const char* kIndexes = R"sql(
CREATE INDEX ports_id ON ports(run_id, port_id);
CREATE INDEX ports_node ON ports(run_id, node_id);
CREATE INDEX nodes_id ON nodes(run_id, node_id);
CREATE INDEX flows_id ON flows(run_id, flow_id);
CREATE INDEX events_kind ON events(run_id, kind, start_ps);
CREATE INDEX tasks_rank ON tasks(run_id, rank, start_ps);
)sql";

// Only in runs with a `faults:` schedule: one row per scheduled fault (FaultRow). Times
// after the fault are in µs from its `at`, NULL where the step did not happen.
constexpr const char* kFaultSchema = R"sql(
CREATE TABLE faults(run_id INTEGER, fault_id INTEGER, at_ps INTEGER, at_s REAL, kind TEXT,
                    element TEXT, happened INTEGER, recovery_mode TEXT, detection TEXT,
                    detection_us REAL, local_repair_us REAL, notices_done_us REAL,
                    control_plane_us REAL, reweighted_us REAL, notices INTEGER,
                    blackholed_packets INTEGER, blackholed_bytes INTEGER,
                    flows_affected INTEGER, flows_failed INTEGER,
                    PRIMARY KEY(run_id, fault_id)) WITHOUT ROWID;
)sql";

constexpr const char* kSchema = R"sql(
CREATE TABLE runs(run_id INTEGER PRIMARY KEY, scenario TEXT, seed INTEGER,
                  simulated_ps INTEGER, summary_json TEXT, aifabric_version TEXT,
                  command TEXT, overrides_json TEXT, scenario_yaml TEXT);
CREATE TABLE nodes(run_id INTEGER, node_id INTEGER, name TEXT, kind TEXT, tier INTEGER);
CREATE TABLE ports(run_id INTEGER, port_id INTEGER, node_id INTEGER, port_index INTEGER,
                   peer_node_id INTEGER, rate_bps INTEGER, delay_ps INTEGER);
CREATE TABLE samples(run_id INTEGER, port_id INTEGER, t_ps INTEGER, out_octets INTEGER,
                     out_payload_octets INTEGER,
                     out_pkts INTEGER, queue_bytes INTEGER, ecn_marked INTEGER,
                     pause_tx INTEGER, pause_rx INTEGER, paused_ps INTEGER, drops INTEGER,
                     link_errors INTEGER, PRIMARY KEY(run_id, port_id, t_ps)) WITHOUT ROWID;
CREATE TABLE qp_samples(run_id INTEGER, flow_id INTEGER, t_ps INTEGER, rate_bps INTEGER,
                        window_bytes INTEGER, rtt_ps INTEGER, retx_packets INTEGER,
                        payload_sent INTEGER, PRIMARY KEY(run_id, flow_id, t_ps))
                        WITHOUT ROWID;
CREATE TABLE flows(run_id INTEGER, flow_id INTEGER, src TEXT, dst TEXT, size_bytes INTEGER,
                   start_ps INTEGER, fct_ps INTEGER, ideal_fct_ps INTEGER, slowdown REAL,
                   retx_packets INTEGER, status TEXT);
CREATE TABLE events(run_id INTEGER, kind TEXT, port_id INTEGER, priority INTEGER,
                    start_ps INTEGER, end_ps INTEGER, detail TEXT);
CREATE TABLE queue_samples(run_id INTEGER, port_id INTEGER, priority INTEGER, t_ps INTEGER,
                           depth_bytes INTEGER, paused_ps INTEGER,
                           PRIMARY KEY(run_id, port_id, priority, t_ps)) WITHOUT ROWID;
CREATE TABLE tasks(run_id INTEGER, task_id INTEGER, rank INTEGER, kind TEXT, grp TEXT,
                   start_ps INTEGER, end_ps INTEGER);
)sql";

struct DbCloser {
  void operator()(sqlite3* db) const { sqlite3_close(db); }
};
struct StmtCloser {
  void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
};
using Db = std::unique_ptr<sqlite3, DbCloser>;
using Stmt = std::unique_ptr<sqlite3_stmt, StmtCloser>;

// A training job's executed tasks of one replica, for the `tasks` table (the job
// timeline).
struct TaskRecord {
  uint32_t task;
  uint32_t rank;
  std::string kind;   // "compute" or the group's kind (allreduce, pp_send, ...)
  std::string group;  // the group's name
  Time start;
  Time end;
};

std::vector<TaskRecord> task_records(const RunRecord& rec) {
  std::vector<TaskRecord> tasks;
  if (rec.job == nullptr) return tasks;
  const TaskGraph& tg = rec.job->graph;
  const TaskTimes& times = *rec.task_times;
  for (size_t i = 0; i < tg.size(); ++i) {
    const Task& t = tg.tasks()[i];
    if (!rec.job->in_replica[t.rank] || times.finish[i] == Time::max()) continue;
    if (t.kind == TaskKind::kCompute && t.duration == Time::zero()) continue;  // joins
    const TaskGroup& grp = tg.groups()[t.group];
    tasks.push_back(TaskRecord{static_cast<uint32_t>(i), t.rank, grp.kind, grp.name, times.start[i],
                               times.finish[i]});
  }
  return tasks;
}

class Writer {
 public:
  explicit Writer(sqlite3* db) : db_(db) {}
  Status exec(const char* sql) {
    char* err = nullptr;
    if (sqlite3_exec(db_, sql, nullptr, nullptr, &err) != SQLITE_OK) {
      std::string msg = err != nullptr ? err : "unknown error";
      sqlite3_free(err);
      return Status::error("telemetry.sqlite: " + msg);
    }
    return Status::ok();
  }
  Result<Stmt> prepare(const char* sql) {
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v2(db_, sql, -1, &s, nullptr) != SQLITE_OK) {
      return Status::error(std::string("telemetry.sqlite: ") + sqlite3_errmsg(db_));
    }
    return Stmt(s);
  }
  // Binds the values in order and runs the statement once.
  template <class... Args>
  Status row(sqlite3_stmt* s, const Args&... args) {
    int i = 1;
    (bind(s, i++, args), ...);
    const int rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc != SQLITE_DONE)
      return Status::error(std::string("telemetry.sqlite: ") + sqlite3_errmsg(db_));
    return Status::ok();
  }

 private:
  static void bind(sqlite3_stmt* s, int i, int64_t v) { sqlite3_bind_int64(s, i, v); }
  static void bind(sqlite3_stmt* s, int i, double v) { sqlite3_bind_double(s, i, v); }
  static void bind(sqlite3_stmt* s, int i, std::optional<double> v) {
    if (v) {
      sqlite3_bind_double(s, i, *v);
    } else {
      sqlite3_bind_null(s, i);
    }
  }
  static void bind(sqlite3_stmt* s, int i, const std::string& v) {
    sqlite3_bind_text(s, i, v.c_str(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
  }
  sqlite3* db_;
};

// A step's time after its fault in µs, or nothing (NULL) where it did not happen.
std::optional<double> after_us(Time t) {
  if (t == Time::max()) return std::nullopt;
  return t.to_us();
}

Status write_faults(Writer& w, int64_t run, const FaultRecord& f) {
  if (auto s = w.exec(kFaultSchema); !s) return s;
  auto stmt = w.prepare("INSERT INTO faults VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
  if (!stmt) return stmt.status();
  Status st = Status::ok();
  for (size_t i = 0; st && i < f.rows.size(); ++i) {
    const FaultRow& r = f.rows[i];
    st = w.row(stmt->get(), run, static_cast<int64_t>(i), r.at.ps(), r.at.ps() * 1e-12, r.kind,
               r.element, int64_t{r.happened ? 1 : 0}, f.mode, f.detection, after_us(r.detected),
               after_us(r.local_repair), after_us(r.notices_done), after_us(r.control_plane_done),
               after_us(r.reweighted), r.notices, r.blackholed_packets, r.blackholed_bytes,
               int64_t{r.flows_affected}, int64_t{r.flows_failed});
  }
  return st;
}

}  // namespace

Status write_sqlite(const std::string& path, const RunRecord& rec) {
  const RunReport& r = rec.report;
  const TopologyGraph& g = rec.graph;
  const TelemetryRecord* tel = rec.telemetry;
  const std::string summary = summary_json(r).dump(2);
  const std::vector<TaskRecord> tasks = task_records(rec);
  std::remove(path.c_str());
  sqlite3* raw = nullptr;
  if (sqlite3_open(path.c_str(), &raw) != SQLITE_OK) {
    sqlite3_close(raw);
    return Status::error(path + ": cannot create the database");
  }
  Db db(raw);
  Writer w(db.get());
  if (auto s = w.exec("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; BEGIN;"); !s) return s;
  if (auto s = w.exec(kSchema); !s) return s;
  const int64_t run = 1;
  const char* const kInserts[] = {
      "INSERT INTO runs VALUES(?,?,?,?,?,?,?,?,?)",
      "INSERT INTO nodes VALUES(?,?,?,?,?)",
      "INSERT INTO ports VALUES(?,?,?,?,?,?,?)",
      "INSERT INTO samples VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?)",
      "INSERT INTO qp_samples VALUES(?,?,?,?,?,?,?,?)",
      "INSERT INTO flows VALUES(?,?,?,?,?,?,?,?,?,?,?)",
      "INSERT INTO events VALUES(?,?,?,?,?,?,?)",
      "INSERT INTO tasks VALUES(?,?,?,?,?,?,?)",
      "INSERT INTO queue_samples VALUES(?,?,?,?,?,?)",
  };
  std::vector<Stmt> stmts;
  for (const char* sql : kInserts) {
    auto st = w.prepare(sql);
    if (!st) return st.status();
    stmts.push_back(std::move(st).value());
  }
  sqlite3_stmt* runs = stmts[0].get();
  sqlite3_stmt* nodes = stmts[1].get();
  sqlite3_stmt* ports = stmts[2].get();
  sqlite3_stmt* samples = stmts[3].get();
  sqlite3_stmt* qps = stmts[4].get();
  sqlite3_stmt* flows = stmts[5].get();
  sqlite3_stmt* events = stmts[6].get();
  sqlite3_stmt* task_rows = stmts[7].get();
  sqlite3_stmt* queue_rows = stmts[8].get();
  Status st = w.row(runs, run, r.scenario, static_cast<int64_t>(r.seed), r.sim_end.ps(), summary,
                    r.provenance.version, r.provenance.command,
                    nlohmann::json(r.provenance.overrides).dump(), r.provenance.scenario_yaml);
  for (uint32_t id = 0; st && id < g.nodes().size(); ++id) {
    const TopoNode& n = g.nodes()[id];
    st = w.row(nodes, run, int64_t{id}, n.name,
               std::string(n.kind == NodeKind::kHost ? "host" : "switch"), int64_t{n.tier});
  }
  if (tel != nullptr) {
    const auto& node = tel->node_of_port;
    const auto& index = tel->index_of_port;
    for (size_t i = 0; st && i < node.size(); ++i) {
      const Adjacent& a = g.adjacent(node[i])[index[i]];
      const LinkParams& l = g.links()[a.link].params;
      st = w.row(ports, run, static_cast<int64_t>(i), int64_t{node[i]}, int64_t{index[i]},
                 int64_t{a.peer}, l.rate.bits_per_second(), l.delay.ps());
    }
    for (const PortSample& s : tel->samples) {
      if (!st) break;
      st = w.row(samples, run, int64_t{s.port}, s.t.ps(), s.out_octets, s.out_payload_octets,
                 s.out_pkts, s.queue_bytes, s.ecn_marked, s.pause_tx, s.pause_rx, s.paused.ps(),
                 s.drops, s.link_errors);
    }
    for (const QpSample& q : tel->qp_samples) {
      if (!st) break;
      st = w.row(qps, run, int64_t{q.flow}, q.t.ps(), q.rate_bps, q.window_bytes, q.rtt.ps(),
                 q.retx_packets, q.payload_sent);
    }
    for (const QueueSample& q : tel->queue_samples) {
      if (!st) break;
      st = w.row(queue_rows, run, int64_t{q.port}, int64_t{q.priority}, q.t.ps(), q.depth_bytes,
                 q.paused.ps());
    }
    for (const TelemetryEvent& e : tel->events) {
      if (!st) break;
      st = w.row(events, run, e.kind, int64_t{e.port}, e.priority, e.start.ps(), e.end.ps(),
                 e.detail);
    }
    for (const PauseEpisode& p : tel->pauses) {
      if (!st) break;
      st = w.row(events, run, std::string("pfc_pause"), int64_t{p.port}, int64_t{p.priority},
                 p.start.ps(), p.end.ps(), std::string());
    }
  }
  for (const FlowRow& f : r.flows) {
    if (!st) break;
    const bool done = f.status == FlowRow::Status::kDone;
    st = w.row(flows, run, int64_t{f.spec.id}, g.nodes()[g.hosts()[f.spec.src]].name,
               g.nodes()[g.hosts()[f.spec.dst]].name, f.spec.size, f.spec.start.ps(),
               done ? f.fct.ps() : int64_t{-1}, f.ideal.ps(), done ? f.slowdown : -1.0,
               f.retx_packets, std::string(flow_status_name(f.status)));
  }
  for (const TaskRecord& t : tasks) {
    if (!st) break;
    st = w.row(task_rows, run, int64_t{t.task}, int64_t{t.rank}, t.kind, t.group, t.start.ps(),
               t.end.ps());
  }
  if (st && r.faults) st = write_faults(w, run, *r.faults);
  if (!st) return st;
  if (auto s = w.exec(kIndexes); !s) return s;
  return w.exec("COMMIT;");
}

}  // namespace aifabric
