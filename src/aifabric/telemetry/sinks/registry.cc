// Every output file, one line each, in the order they are written.
#include <filesystem>
#include <fstream>

#include "aifabric/telemetry/report/report_html.h"
#include "aifabric/telemetry/sinks/faults_csv/faults_csv.h"
#include "aifabric/telemetry/sinks/fct_txt/fct_txt.h"
#include "aifabric/telemetry/sinks/flows_csv/flows_csv.h"
#include "aifabric/telemetry/sinks/openmetrics/openmetrics.h"
#include "aifabric/telemetry/sinks/output.h"
#include "aifabric/telemetry/sinks/plan_csv/plan_csv.h"
#include "aifabric/telemetry/sinks/ports_csv/ports_csv.h"
#include "aifabric/telemetry/sinks/sqlite/sqlite_store.h"
#include "aifabric/telemetry/sinks/summary_json/summary_json.h"
#include "aifabric/telemetry/sinks/trace_json/chrome_trace.h"

namespace aifabric {
namespace {

// A text output written through a stream: `Write(out, rec)`.
template <auto Write>
Status to_stream(const RunRecord& rec, const std::string& path) {
  std::ofstream out(path);
  if (!out) return Status::error("cannot write " + std::filesystem::path(path).filename().string());
  Write(out, rec);
  out.flush();
  if (!out) return Status::error("cannot write " + std::filesystem::path(path).filename().string());
  return Status::ok();
}

template <auto Write, auto Applies = nullptr>
OutputFile stream_output(std::string_view file, std::string_view doc) {
  OutputFile o;
  o.name = file;
  o.doc = doc;
  if constexpr (!std::is_same_v<decltype(Applies), std::nullptr_t>) o.applies = Applies;
  o.write = &to_stream<Write>;
  return o;
}

void summary(std::ostream& out, const RunRecord& r) {
  out << summary_json(r.report).dump(2) << "\n";
}
void scenario(std::ostream& out, const RunRecord& r) {
  out << r.report.provenance.scenario_yaml;
}
void flows(std::ostream& out, const RunRecord& r) {
  write_flows_csv(out, r.report, r.graph);
}
void ports(std::ostream& out, const RunRecord& r) {
  write_ports_csv(out, r.report, r.graph);
}
void fct(std::ostream& out, const RunRecord& r) {
  write_fct_txt(out, r.report.flows, r.graph);
}
void plan(std::ostream& out, const RunRecord& r) {
  write_plan_csv(out, *r.report.plan, r.graph);
}
bool has_plan(const RunRecord& r) {
  return r.report.plan.has_value();
}
void faults(std::ostream& out, const RunRecord& r) {
  write_faults_csv(out, *r.report.faults);
}
bool has_faults(const RunRecord& r) {
  return r.report.faults.has_value();
}
void metrics(std::ostream& out, const RunRecord& r) {
  write_openmetrics(out, *r.telemetry, r.graph);
}
bool wants_metrics(const RunRecord& r) {
  return r.telemetry != nullptr && r.openmetrics;
}
// The job timeline: every task, or (scope replica) those of one data-parallel replica;
// thousands of GPUs would make the file huge.
void trace(std::ostream& out, const RunRecord& r) {
  const Job& job = *r.job;
  if (job.trace == TraceScope::kAll) {
    write_chrome_trace(out, job.graph, *r.task_times, job.map);
    return;
  }
  TaskTimes shown = *r.task_times;
  const auto& tasks = job.graph.tasks();
  for (size_t i = 0; i < tasks.size(); ++i) {
    if (!job.in_replica[tasks[i].rank]) shown.finish[i] = Time::max();
  }
  write_chrome_trace(out, job.graph, shown, job.map);
}
bool wants_trace(const RunRecord& r) {
  return r.job != nullptr && r.job->trace != TraceScope::kNone;
}

Status sqlite(const RunRecord& r, const std::string& path) {
  return write_sqlite(path, r);
}
Status report(const RunRecord& /*r*/, const std::string& path) {
  return write_report_html(std::filesystem::path(path).parent_path().string());
}

}  // namespace

const Registry<OutputFile>& output_files() {
  static const Registry<OutputFile> kAll(
      "output",
      {
          stream_output<&summary>("summary.json", "the run's headline numbers"),
          stream_output<&scenario>("scenario.yaml",
                                   "the fully resolved scenario: every key, re-runnable as is"),
          stream_output<&flows>("flows.csv", "one row per flow"),
          stream_output<&ports>("ports.csv", "one row per transmitting port"),
          stream_output<&fct>("fct.txt", "the ns-3 RDMA simulator's per-flow layout"),
          stream_output<&plan, &has_plan>("plan.csv", "planned paths: the deployable plan"),
          stream_output<&faults, &has_faults>(
              "faults.csv", "per fault: detection, each recovery step, blackholed, flows hit"),
          OutputFile{{"telemetry.sqlite", "samples, pauses, flows, tasks: query with SQL"},
                     nullptr,
                     &sqlite},
          stream_output<&metrics, &wants_metrics>("metrics.prom",
                                                  "final port counters, OpenMetrics text"),
          OutputFile{{"report.html", "one self-contained page for people"}, nullptr, &report},
          stream_output<&trace, &wants_trace>("trace.json",
                                              "per-GPU timeline, Chrome trace format"),
      });
  return kAll;
}

Result<std::vector<std::string>> write_outputs(const std::string& dir, const RunRecord& rec) {
  std::vector<std::string> written;
  for (const OutputFile& o : output_files().all()) {
    if (o.applies != nullptr && !o.applies(rec)) continue;
    const std::string path = (std::filesystem::path(dir) / std::string(o.name)).string();
    if (Status s = o.write(rec, path); !s) return s;
    written.emplace_back(o.name);
  }
  return written;
}

}  // namespace aifabric
