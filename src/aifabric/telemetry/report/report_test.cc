// The report pages for people: numbers in the units their size calls for, a headline per
// kind of run (with the run's own name, overrides and verdict, or the fallback of old
// folders), the analytic backend's missing fabric, the faults section, and the sweep
// comparison files.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "aifabric/scenario/outputs.h"
#include "aifabric/scenario/scenario.h"
#include "aifabric/scenario/simulate.h"
#include "aifabric/telemetry/report/report_format.h"
#include "aifabric/telemetry/report/report_headline.h"
#include "aifabric/telemetry/report/report_html.h"
#include "aifabric/telemetry/report/sweep_report.h"
#include "aifabric/telemetry/sinks/sqlite/sqlite_store.h"

namespace aifabric {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool has_card(const report::RunInfo& r, const std::string& label, const std::string& value) {
  for (const auto& c : r.cards) {
    if (c.label == label && (value.empty() || c.value == value)) return true;
  }
  return false;
}

TEST(ReportFormat, ValuesInTheUnitTheirSizeCallsFor) {
  EXPECT_EQ(report::seconds(1.2345e-3), "1.23 ms");
  EXPECT_EQ(report::seconds(348.3e-6), "348 µs");
  EXPECT_EQ(report::seconds(13.13e-3), "13.1 ms");
  EXPECT_EQ(report::seconds(999.9e-6), "1.00 ms");  // not "1,000 µs"
  EXPECT_EQ(report::seconds(850e-12), "850 ps");
  EXPECT_EQ(report::seconds(8.4), "8.40 s");
  EXPECT_EQ(report::data_size(64.0 * 1024 * 1024), "64 MiB");
  EXPECT_EQ(report::data_size(29243391), "27.9 MiB");
  EXPECT_EQ(report::rate_bps(4e11), "400 Gbps");
  EXPECT_EQ(report::bandwidth_GBps(46.79), "46.8 GB/s");
  EXPECT_EQ(report::count(1234567), "1,234,567");
  EXPECT_EQ(report::count(0), "0");
  EXPECT_EQ(report::percent(0.20234), "20.2 %");
  EXPECT_EQ(report::percent(0.0035), "0.35 %");
  EXPECT_EQ(report::ratio(11.5898), "11.6×");
  EXPECT_EQ(report::sig3(0.012345), "0.0123");
  EXPECT_EQ(report::script_json(json{{"a", "</script>"}}), R"({"a":"\u003c/script>"})");
}

// Today's summary.json of a flow run: the top-level scenario and seed, no run or verdict.
json old_flow_summary() {
  return json::parse(R"({"scenario": "default", "seed": 7, "aifabric_version": "0.1.0",
    "topology": {"hosts": 32, "switches": 8, "links": 48},
    "time": {"simulated_s": 0.0131, "makespan_s": 0.0131, "stopped_at_stop_time": false},
    "flows": {"total": 48, "completed": 48, "failed": 0, "unfinished": 0,
              "fct_us": {"p50": 2511.6, "p99": 13131.4, "max": 13131.4},
              "slowdown": {"p50": 11.59, "p99": 53.16, "fraction_at_least_2x": 0.79}},
    "drops": {"packets": 0}, "pfc": {"pause_frames": 462, "paused_time_us_total": 3246.6,
    "ports_paused": 9}})");
}

TEST(ReportHeadline, FlowRunFirstAndOldFoldersFallBack) {
  const report::RunInfo r = report::run_info(old_flow_summary());
  EXPECT_EQ(r.kind, report::RunKind::kFlows);
  EXPECT_EQ(r.name, "default");
  EXPECT_EQ(r.seed, "7");
  EXPECT_TRUE(r.overrides.empty());
  EXPECT_EQ(r.status, "completed");
  EXPECT_NE(r.verdict.find("All 48 flows completed within 13.1 ms"), std::string::npos)
      << r.verdict;
  EXPECT_TRUE(has_card(r, "Flows completed", "48 of 48"));
  EXPECT_TRUE(has_card(r, "Makespan", "13.1 ms"));
  EXPECT_TRUE(has_card(r, "FCT p50", "2.51 ms"));
  EXPECT_TRUE(has_card(r, "FCT p99", "13.1 ms"));
  EXPECT_TRUE(has_card(r, "Slowdown p50", "11.6×"));
  EXPECT_TRUE(has_card(r, "Slowdown p99", "53.2×"));
  EXPECT_TRUE(has_card(r, "Drops", "0"));
  EXPECT_TRUE(has_card(r, "PFC paused time", "3.25 ms"));
  EXPECT_EQ(r.cards.front().label, "Flows completed");  // the headline, not the version
  const std::string html = report::header_html(r);
  EXPECT_NE(html.find("id=\"headline\""), std::string::npos);
  EXPECT_NE(html.find("seed 7"), std::string::npos);
}

TEST(ReportHeadline, RunBlockNamesTheTitleAndTheVerdictSpeaks) {
  json s = old_flow_summary();
  s["run"] = {{"name", "incast-study"},
              {"seed", 3},
              {"aifabric_version", "0.2.0"},
              {"command", "aifabric run incast.yaml --set cc.algorithm=none"},
              {"overrides", {"cc.algorithm=none", "switch.buffer=16MiB"}},
              {"scenario_file", "examples/incast.yaml"}};
  s["verdict"] = {{"status", "stop_time"}, {"text", "Stopped at 1 s with 40 of 48 flows done."}};
  const report::RunInfo r = report::run_info(s);
  EXPECT_EQ(report::title_text(r), "incast-study · cc.algorithm=none · switch.buffer=16MiB");
  EXPECT_EQ(r.seed, "3");
  EXPECT_EQ(r.status, "stop_time");
  EXPECT_EQ(r.verdict, "Stopped at 1 s with 40 of 48 flows done.");
  const std::string html = report::header_html(r);
  EXPECT_NE(html.find("<span class=\"override\">switch.buffer=16MiB</span>"), std::string::npos);
  EXPECT_NE(html.find("verdict stop_time"), std::string::npos);
  EXPECT_NE(html.find("examples/incast.yaml"), std::string::npos);
  EXPECT_NE(html.find("aifabric 0.2.0"), std::string::npos);
}

TEST(ReportHeadline, TrainingJobAndCollectiveHaveTheirOwnNumbers) {
  json job = old_flow_summary();
  job["workload"] = json::parse(R"({"backend": "analytic", "iteration_s": 0.0098168,
    "compute_s": 0.00684, "pipeline_bubble_s": 0.000991, "exposed_communication_s": 0.001986,
    "communication_share": 0.2023, "tasks": 384, "collectives": [
      {"name": "pp.activations", "kind": "pp_send", "ranks": 2, "bytes": 2097152,
       "instances": 32, "mean_time_us": 47.67, "algbw_GBps": 43.99, "busbw_GBps": 43.99},
      {"name": "dp.allreduce", "kind": "allreduce", "ranks": 4, "bytes": 29243391,
       "instances": 8, "mean_time_us": 937.3, "algbw_GBps": 31.2, "busbw_GBps": 46.8}]})");
  const report::RunInfo j = report::run_info(job);
  EXPECT_EQ(j.kind, report::RunKind::kJob);
  EXPECT_TRUE(j.analytic);
  EXPECT_EQ(j.cards.front().label, "Iteration time");
  EXPECT_EQ(j.cards.front().value, "9.82 ms");
  EXPECT_TRUE(has_card(j, "Communication share", "20.2 %"));
  EXPECT_TRUE(has_card(j, "Pipeline bubble", "991 µs"));
  // The collective that took longest in all comes first.
  EXPECT_EQ(j.cards[4].label, "busbw · dp.allreduce");
  EXPECT_EQ(j.cards[4].value, "46.8 GB/s");
  EXPECT_TRUE(has_card(j, "busbw · pp.activations", "44.0 GB/s"));

  json coll = old_flow_summary();
  coll["collective"] = json::parse(R"({"op": "all_reduce", "algorithm": "ring", "ranks": 8,
    "bytes": 4194304, "finished": true, "time_us": 419.33, "algbw_GBps": 10.0,
    "busbw_GBps": 17.5, "nic_line_rate_GBps": 50.0, "busbw_over_line_rate": 0.35})");
  const report::RunInfo c = report::run_info(coll);
  EXPECT_EQ(c.kind, report::RunKind::kCollective);
  EXPECT_FALSE(c.analytic);
  EXPECT_TRUE(has_card(c, "Collective time", "419 µs"));
  EXPECT_TRUE(has_card(c, "algbw", "10.0 GB/s"));
  EXPECT_TRUE(has_card(c, "busbw", "17.5 GB/s"));
  EXPECT_TRUE(has_card(c, "busbw / line rate", "35.0 %"));
  EXPECT_NE(c.verdict.find("all_reduce (ring), 8 ranks × 4 MiB took 419 µs"), std::string::npos)
      << c.verdict;
}

// Runs `yaml` with `overrides` into `dir` through the library, as `aifabric run` does.
void run_into(const std::string& yaml, const std::vector<std::string>& overrides,
              const fs::path& dir) {
  auto s = load_scenario_text(yaml, "sweep-test", overrides);
  ASSERT_TRUE(s.is_ok()) << s.status().message();
  auto p = prepare_run(**s);
  ASSERT_TRUE(p.is_ok()) << p.status().message();
  auto sim = simulate(*p, nullptr);
  ASSERT_TRUE(sim.is_ok()) << sim.status().message();
  ASSERT_TRUE(write_results(dir.string(), **sim, *p).is_ok());
}

// A hand-built run (two switches, two sampled ports) written as telemetry.sqlite, and
// its report.html; with `faults`, a link_down of leaf0-spine0 at 2 µs.
std::string fault_report(const std::string& name, bool faults) {
  TopologyGraph g;
  const uint32_t h0 = g.add_node(NodeKind::kHost, "host0", 0);
  const uint32_t l0 = g.add_node(NodeKind::kSwitch, "leaf0", 1);
  const uint32_t s0 = g.add_node(NodeKind::kSwitch, "spine0", 2);
  g.add_link(h0, l0, LinkParams{});
  g.add_link(l0, s0, LinkParams{});
  TelemetryRecord tel;
  tel.node_of_port = {l0, s0};
  tel.index_of_port = {1, 0};
  auto sample = [&](uint32_t port, int64_t us, int64_t payload) {
    tel.samples.push_back(
        PortSample{port, Time::us(us), payload, payload, 0, 0, 0, 0, 0, Time(), 0, 0});
  };
  // Port 0 sends 1000 B per µs throughout (8 Gbps); port 1 is idle until 2 µs (its
  // repeated row at 1 µs was not kept), then sends at 8 Gbps.
  for (int64_t t = 0; t <= 3; ++t) sample(0, t, 1000 * t);
  sample(1, 0, 0);
  sample(1, 2, 0);
  sample(1, 3, 1000);
  RunReport r;
  r.scenario = name;
  r.hosts = 1;
  r.switches = 2;
  r.links = 2;
  r.sim_end = Time::us(3);
  if (faults) {
    FaultRecord f;
    f.mode = "remote";
    f.detection = "los";
    FaultRow row;
    row.at = Time::us(2);
    row.kind = "link_down";
    row.element = "leaf0-spine0";
    row.happened = true;
    row.detected = Time::us(5);
    row.notices_done = Time::ns(7002);
    row.notices = 7;
    row.blackholed_packets = 117;
    row.blackholed_bytes = 450560;
    row.flows_affected = 3;
    row.flows_failed = 1;
    f.rows = {row};
    f.blackholed_packets = 117;
    r.faults = f;
    tel.events.push_back(TelemetryEvent{"link_down", 0, -1, Time::us(2), Time::us(2), ""});
  }
  const fs::path dir = fs::temp_directory_path() / ("aifabric_" + name + std::to_string(getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  EXPECT_TRUE(write_sqlite((dir / "telemetry.sqlite").string(), RunRecord{r, g, &tel}).is_ok());
  EXPECT_TRUE(write_report_html(dir.string()).is_ok());
  std::string html = slurp(dir / "report.html");
  fs::remove_all(dir);
  return html;
}

// The JSON spec of the figure with id `id` in `html` (null when absent).
json figure_spec(const std::string& html, const std::string& id) {
  const size_t at = html.find("id=\"" + id + "\"");
  if (at == std::string::npos) return nullptr;
  const size_t start = html.find('>', html.find("class=\"spec\"", at)) + 1;
  return json::parse(html.substr(start, html.find("</script>", start) - start), nullptr, false);
}

TEST(ReportFaults, FaultRunHasTheSectionItsTableMarkersAndHeadline) {
  const std::string html = fault_report("faulty", true);
  EXPECT_NE(html.find("<section class=\"part\" id=\"faults\"><h2>Faults</h2>"), std::string::npos);
  EXPECT_NE(html.find("<a href=\"#faults\">Faults</a>"), std::string::npos);
  // The table: units in the headers, the row's values, a dash for the steps not taken.
  for (const char* h :
       {"at (µs)", "detection (µs)", "local repair (µs)", "notices done (µs)", "control plane (µs)",
        "blackholed (packets)", "blackholed payload (bytes)", "flows affected", "flows failed"}) {
    EXPECT_NE(html.find(std::string("<th>") + h + "</th>"), std::string::npos) << h;
  }
  EXPECT_NE(html.find("<tr><td>link_down</td><td>leaf0-spine0</td><td>2.00</td><td>5.00</td>"
                      "<td><span title=\"did not happen\">–</span></td><td>7.00</td>"),
            std::string::npos);
  EXPECT_NE(html.find("<td>7</td><td>117</td><td>450,560</td><td>3</td><td>1</td></tr>"),
            std::string::npos);
  // The headline line, from the store's faults table.
  EXPECT_NE(html.find("<div class=\"faultline\">⚡ 1 fault (remote): 117 packets blackholed, "
                      "3 flows affected, 1 failed; detection 5.00 µs, notices done 7.00 µs "
                      "after the fault</div>"),
            std::string::npos);
  // The timeline: both ports' payload summed per interval, port 1's gap spread over it
  // (8, 8, then 16 Gbps), and a marker at the link_down.
  const json spec = figure_spec(html, "fabric-throughput-and-link-events");
  ASSERT_TRUE(spec.is_object());
  const json& s = spec["series"][0];
  const std::vector<double> x = {1e-6, 2e-6, 3e-6}, gbps = {8, 8, 16};
  ASSERT_EQ(s["x"].size(), x.size());
  ASSERT_EQ(s["y"].size(), x.size());
  for (size_t i = 0; i < x.size(); ++i) {
    EXPECT_NEAR(s["x"][i].get<double>(), x[i], 1e-12) << i;
    EXPECT_NEAR(s["y"][i].get<double>() * 1e-9, gbps[i], 1e-6) << i;
  }
  ASSERT_EQ(spec["markers"].size(), 1u);
  EXPECT_EQ(spec["markers"][0]["label"], "link_down leaf0–spine0");
  EXPECT_DOUBLE_EQ(spec["markers"][0]["x"].get<double>(), 2e-6);
}

TEST(ReportFaults, RunWithoutFaultsHasNoFaultsSection) {
  const std::string html = fault_report("healthy", false);
  EXPECT_NE(html.find("id=\"headline\""), std::string::npos);
  EXPECT_EQ(html.find("id=\"faults\""), std::string::npos);
  EXPECT_EQ(html.find("faultline\">"), std::string::npos);
  EXPECT_EQ(html.find("Fabric throughput and link events"), std::string::npos);
}

std::vector<std::string> split(const std::string& line) {
  std::vector<std::string> out(1);
  for (char c : line) {
    if (c == ',') {
      out.emplace_back();
    } else {
      out.back() += c;
    }
  }
  return out;
}

TEST(SweepReport, FlowRunsSideBySideWithTheirSlowdownCdfs) {
  const fs::path root = fs::temp_directory_path() / ("aifabric_sweep_" + std::to_string(getpid()));
  fs::remove_all(root);
  constexpr const char* kYaml = R"(
name: sweep-flows
topology: {type: leaf_spine, leaves: 4, spines: 4, hosts_per_leaf: 4}
traffic:
  - {type: permutation, size: 1MiB}
)";
  const std::vector<SweepPoint> points = {{"lb.algorithm=ecmp", (root / "ecmp").string()},
                                          {"lb.algorithm=planned", (root / "planned").string()}};
  run_into(kYaml, {"lb.algorithm=ecmp"}, points[0].dir);
  run_into(kYaml, {"lb.algorithm=planned"}, points[1].dir);
  ASSERT_TRUE(write_sweep_report(root.string(), points).is_ok());

  std::istringstream csv(slurp(root / "sweep.csv"));
  std::string header, row;
  ASSERT_TRUE(std::getline(csv, header));
  const auto columns = split(header);
  for (const char* c :
       {"makespan_us", "iteration_s", "collective_time_us", "fct_p50_us", "fct_p99_us",
        "slowdown_p50_ratio", "slowdown_p99_ratio", "busbw_GBps", "link_util_max_over_mean_ratio",
        "drops_packets", "pfc_pause_frames", "pfc_paused_time_us"}) {
    EXPECT_NE(std::find(columns.begin(), columns.end(), c), columns.end()) << c;
  }
  auto at = [&](const std::vector<std::string>& r, const std::string& c) {
    return r[static_cast<size_t>(std::find(columns.begin(), columns.end(), c) - columns.begin())];
  };
  std::vector<std::vector<std::string>> rows;
  while (std::getline(csv, row)) rows.push_back(split(row));
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(at(rows[0], "point"), "lb.algorithm=ecmp");
  EXPECT_EQ(at(rows[0], "key"), "lb.algorithm");
  EXPECT_EQ(at(rows[1], "value"), "planned");
  for (const auto& r : rows) {
    EXPECT_EQ(r.size(), columns.size());
    EXPECT_EQ(at(r, "run_kind"), "flows");
    EXPECT_GT(std::stod(at(r, "makespan_us")), 0);
    EXPECT_GE(std::stod(at(r, "slowdown_p99_ratio")), std::stod(at(r, "slowdown_p50_ratio")));
    EXPECT_GE(std::stod(at(r, "slowdown_p50_ratio")), 1.0);
    EXPECT_GE(std::stod(at(r, "link_util_max_over_mean_ratio")), 1.0);
    EXPECT_EQ(at(r, "iteration_s"), "");  // not a training job
  }

  const std::string html = slurp(root / "sweep.html");
  EXPECT_NE(html.find("lb.algorithm=planned"), std::string::npos);
  EXPECT_NE(html.find("href=\"ecmp/report.html\""), std::string::npos);
  const size_t cdf = html.find("Slowdown per point (CDF)");
  ASSERT_NE(cdf, std::string::npos);
  // Both points' curves are in the figure's spec.
  const size_t spec = html.find("class=\"spec\"", cdf);
  ASSERT_NE(spec, std::string::npos);
  const std::string figure = html.substr(spec, html.find("</script>", spec) - spec);
  EXPECT_NE(figure.find("\"name\":\"ecmp\""), std::string::npos);
  EXPECT_NE(figure.find("\"name\":\"planned\""), std::string::npos);
  EXPECT_EQ(html.find("<script src"), std::string::npos);
  EXPECT_EQ(html.find("src=\"http"), std::string::npos);
  fs::remove_all(root);
}

TEST(SweepReport, TrainingJobsAsBarsAndAnalyticRunsShowNoFabric) {
  const fs::path root =
      fs::temp_directory_path() / ("aifabric_sweep_job_" + std::to_string(getpid()));
  fs::remove_all(root);
  constexpr const char* kYaml = R"(
name: sweep-job
topology: {type: leaf_spine, leaves: 1, spines: 1, hosts_per_leaf: 16}
workload:
  type: llm
  model: {layers: 4, hidden: 1024, heads: 16, seq_len: 1024, vocab: 32000}
  parallel: {tp: 2, pp: 2, dp: 4, global_batch: 16}
  cluster: {gpus_per_node: 2}
)";
  const std::vector<SweepPoint> points = {
      {"topology.host_link.rate=100Gbps", (root / "p0").string()},
      {"topology.host_link.rate=400Gbps", (root / "p1").string()}};
  run_into(kYaml, {"topology.host_link.rate=100Gbps"}, points[0].dir);
  run_into(kYaml, {"topology.host_link.rate=400Gbps"}, points[1].dir);
  ASSERT_TRUE(write_sweep_report(root.string(), points).is_ok());
  std::istringstream csv(slurp(root / "sweep.csv"));
  std::string header, r0, r1;
  ASSERT_TRUE(std::getline(csv, header) && std::getline(csv, r0) && std::getline(csv, r1));
  const auto columns = split(header);
  const auto iteration = static_cast<size_t>(
      std::find(columns.begin(), columns.end(), "iteration_s") - columns.begin());
  const auto busbw = static_cast<size_t>(std::find(columns.begin(), columns.end(), "busbw_GBps") -
                                         columns.begin());
  // Four times the NIC bandwidth: a shorter iteration and a higher bus bandwidth.
  EXPECT_GT(std::stod(split(r0)[iteration]), std::stod(split(r1)[iteration]));
  EXPECT_LT(std::stod(split(r0)[busbw]), std::stod(split(r1)[busbw]));
  EXPECT_EQ(split(r0)[3], "job");
  const std::string html = slurp(root / "sweep.html");
  EXPECT_NE(html.find("Iteration time per point"), std::string::npos);
  EXPECT_NE(html.find("data-kind=\"bar\""), std::string::npos);
  EXPECT_EQ(html.find("Slowdown per point"), std::string::npos);  // no flows on the fabric

  // The analytic backend ran nothing on the fabric: its report says so instead of zeros.
  const std::string report = slurp(root / "p0" / "report.html");
  EXPECT_NE(report.find("Not modelled by the analytic backend"), std::string::npos);
  EXPECT_EQ(report.find("data-kind=\"heatmap\""), std::string::npos);
  EXPECT_EQ(report.find("Egress queue depth"), std::string::npos);
  EXPECT_EQ(report.find("min util (%)"), std::string::npos);
  EXPECT_NE(report.find("Iteration time"), std::string::npos);
  fs::remove_all(root);
}

TEST(SweepReport, UnreadablePointIsNamed) {
  const Status st = write_sweep_report((fs::temp_directory_path() / "aifabric_sweep_bad").string(),
                                       {{"x=1", "/nonexistent/aifabric/results"}});
  ASSERT_FALSE(st.is_ok());
  EXPECT_NE(st.message().find("x=1"), std::string::npos) << st.message();
}

}  // namespace
}  // namespace aifabric
