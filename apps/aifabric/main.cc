// The aifabric command line: a thin layer over scenario/ and telemetry/. Exit status:
// 0 success, 1 the run could not write its results, 2 bad input (nothing written).
#include <fmt/format.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>

#include "aifabric/scenario/collective_bench.h"
#include "aifabric/scenario/describe.h"
#include "aifabric/scenario/run.h"
#include "aifabric/scenario/scenario.h"
#include "aifabric/telemetry/report/compare.h"
#include "aifabric/telemetry/report/report_html.h"
#include "aifabric/telemetry/results_files.h"
#include "aifabric/workload/llm/plan.h"

namespace {

using namespace aifabric;

constexpr int kBadInput = 2;

int bad_input(const std::string& msg) {
  std::cerr << "aifabric: " << msg << "\n";
  return kBadInput;
}

// Progress on stderr for runs longer than about two seconds, only on a terminal.
class TerminalProgress final : public RunObserver {
 public:
  explicit TerminalProgress(Time stop) : stop_(stop), start_(std::chrono::steady_clock::now()) {}
  void progress(const Simulator& sim, size_t done, size_t total) override {
    const auto now = std::chrono::steady_clock::now();
    const double wall = std::chrono::duration<double>(now - start_).count();
    if (wall < 2.0 || std::chrono::duration<double>(now - last_).count() < 0.5) return;
    last_ = now;
    const double frac = total > 0 ? static_cast<double>(done) / static_cast<double>(total) : 0;
    const double eta = frac > 0 ? wall * (1 - frac) / frac : 0;
    std::fprintf(stderr,
                 "\r  simulated %.3f ms of at most %.3f ms | flows %zu/%zu (%.0f%%) | %.1f M ev/s "
                 "| ETA %.0f s   ",
                 sim.now().to_ms(), stop_.to_ms(), done, total, 100 * frac,
                 static_cast<double>(sim.events_processed()) / wall / 1e6, eta);
    shown_ = true;
  }
  ~TerminalProgress() override {
    if (shown_) std::fprintf(stderr, "\r%100s\r", "");
  }

 private:
  Time stop_;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_;
  bool shown_ = false;
};

struct CommonOptions {
  std::string scenario;
  std::vector<std::string> sets;
  std::string ns3_topology;
  std::string ns3_flows;
  int64_t seed = -1;
};

Result<std::unique_ptr<Scenario>> load(const CommonOptions& o) {
  std::vector<std::string> overrides;
  if (!o.ns3_topology.empty()) {
    overrides.push_back("topology={type: ns3, file: \"" +
                        std::filesystem::absolute(o.ns3_topology).string() + "\"}");
  }
  if (!o.ns3_flows.empty()) {
    overrides.push_back("traffic=[{type: ns3, file: \"" +
                        std::filesystem::absolute(o.ns3_flows).string() + "\"}]");
  }
  if (o.seed >= 0) overrides.push_back("seed=" + std::to_string(o.seed));
  overrides.insert(overrides.end(), o.sets.begin(), o.sets.end());
  auto s = load_scenario(o.scenario, overrides);
  if (s && !o.ns3_topology.empty() && o.scenario.empty()) {
    s.value()->name = std::filesystem::path(o.ns3_topology).stem().string();
  }
  return s;
}

void add_common(CLI::App* cmd, CommonOptions& o) {
  cmd->add_option("scenario", o.scenario, "scenario file (YAML); omit for the built-in default");
  cmd->add_option("--set", o.sets,
                  "override a scenario key, e.g. --set switch.ecn.k_min=50KB (repeatable)")
      ->type_name("KEY=VALUE");
  cmd->add_option("--seed", o.seed, "run seed (overrides the scenario's)");
  cmd->add_option("--ns3-topology", o.ns3_topology,
                  "topology file in the ns-3 RDMA (HPCC/SimAI/ASTRA-sim) format");
  cmd->add_option("--ns3-flows", o.ns3_flows, "flow file in the ns-3 RDMA format");
}

void print_notes(const Scenario& s) {
  for (const auto& n : scenario_notes(s)) std::cerr << "aifabric: note: " << n << "\n";
}

int cmd_run(const CommonOptions& o, std::string out, bool quiet) {
  auto scenario = load(o);
  if (!scenario) return bad_input(scenario.status().message());
  if (!quiet) print_notes(**scenario);
  auto prepared = prepare_run(**scenario);
  if (!prepared) return bad_input(prepared.status().message());
  if (out.empty()) out = "results/" + (*scenario)->name;
  std::unique_ptr<TerminalProgress> progress;
  if (!quiet && isatty(STDERR_FILENO))
    progress = std::make_unique<TerminalProgress>((*scenario)->stop_time);
  auto sim = simulate(*prepared, progress.get());
  progress.reset();
  if (!sim) return bad_input(sim.status().message());
  if (auto st = write_results(out, **sim, *prepared); !st) {
    std::cerr << "aifabric: " << st.message() << "\n";
    return 1;
  }
  if (!quiet) {
    std::cout << summary_text((*sim)->report);
    std::cout << "results       " << out
              << "/ (summary.json, flows.csv, ports.csv, fct.txt, telemetry.sqlite, report.html"
              << ((*prepared).iteration ? ", trace.json" : "")
              << ((*sim)->report.plan ? ", plan.csv" : "") << ")\n";
  }
  return 0;
}

int cmd_validate(const CommonOptions& o) {
  auto scenario = load(o);
  if (!scenario) return bad_input(scenario.status().message());
  auto prepared = prepare_run(**scenario);
  if (!prepared) return bad_input(prepared.status().message());
  print_notes(**scenario);
  std::cout << fmt::format("ok: {} ({} hosts, {} switches, {} links, {} flows)\n",
                           (*scenario)->name, prepared->graph.hosts().size(),
                           prepared->graph.switch_count(), prepared->graph.links().size(),
                           prepared->flows.size());
  return 0;
}

// Runs the scenario once per value of one key and prints the headline numbers side by
// side; each run's results go to OUT/<key>=<value>/.
// The sweep's table: one row per value, columns by what the scenario runs.
std::string sweep_header(const std::string& key, const Scenario& s) {
  if (s.workload.is_llm()) {
    return fmt::format("{:<24} {:>14} {:>14} {:>14} {:>10}\n", key, "iteration(s)", "compute(s)",
                       "exposed(s)", "comm(%)");
  }
  const std::string common = fmt::format("{:>14} {:>9} {:>9} {:>8} {:>8} {:>8}\n", "util max/min",
                                         "max/mean", "util CV", "retx", "ooo pkts", "pauses");
  if (s.workload.is_collective()) {
    return fmt::format("{:<24} {:>12} {:>12} {:>10} ", key, "time(us)", "busbw(GB/s)", "busbw(%)") +
           common;
  }
  return fmt::format("{:<24} {:>12} {:>10} {:>10} {:>9} ", key, "makespan(us)", "p50 slowdn",
                     "p99 slowdn", ">=1.5x(%)") +
         common;
}

std::string sweep_row(const std::string& value, const RunReport& r) {
  if (r.workload) {
    const WorkloadReport& w = *r.workload;
    return fmt::format("{:<24} {:>14.4f} {:>14.4f} {:>14.4f} {:>10.1f}\n", value,
                       w.iteration.to_seconds(), w.compute.to_seconds(),
                       w.exposed_comm.to_seconds(), 100 * w.comm_share);
  }
  int64_t retx = 0, ooo = 0;
  std::vector<double> sd;
  for (const auto& f : r.flows) {
    retx += f.retx_packets;
    ooo += f.ooo_packets;
    if (f.status == FlowRow::Status::kDone) sd.push_back(f.slowdown);
  }
  const Imbalance& u = r.fabric_imbalance;
  const std::string common = fmt::format(
      "{:>14} {:>9.2f} {:>9.3f} {:>8} {:>8} {:>8}\n",
      std::isfinite(u.max_over_min) ? fmt::format("{:.2f}", u.max_over_min) : std::string("inf"),
      u.max_over_mean, u.cv, retx, ooo, r.pause_frames);
  if (r.collective && !r.collective->finished()) {
    return fmt::format("{:<24} {:>12} {:>12} {:>10} ", value, "unfinished", "-", "-") + common;
  }
  if (r.collective) {
    const CollectiveReport& c = *r.collective;
    return fmt::format("{:<24} {:>12.1f} {:>12.2f} {:>10.1f} ", value, c.time.to_us(), c.busbw_gbs,
                       100 * c.busbw_gbs / c.line_rate_gbs) +
           common;
  }
  const double slow_pct = 100.0 * share_at_least(sd, 1.5);
  const Percentiles p = percentiles(sd);
  return fmt::format("{:<24} {:>12.1f} {:>10.3f} {:>10.3f} {:>9.1f} ", value, r.makespan.to_us(),
                     p.p50, p.p99, slow_pct) +
         common;
}

int cmd_sweep(const CommonOptions& o, const std::string& vary, std::string out, bool quiet) {
  const size_t eq = vary.find('=');
  if (eq == std::string::npos || eq == 0 || eq + 1 == vary.size()) {
    return bad_input("--vary '" + vary + "': expected KEY=V1,V2,...");
  }
  const std::string key = vary.substr(0, eq);
  std::vector<std::string> values;
  for (size_t b = eq + 1; b <= vary.size();) {
    const size_t e = vary.find(',', b);
    values.push_back(vary.substr(b, e == std::string::npos ? std::string::npos : e - b));
    if (e == std::string::npos) break;
    b = e + 1;
  }
  // Check every variant before running any, so bad input writes nothing.
  std::vector<std::unique_ptr<Scenario>> scenarios;
  std::vector<PreparedRun> runs;
  for (const auto& v : values) {
    CommonOptions one = o;
    one.sets.push_back(key + "=" + v);
    auto s = load(one);
    if (!s) return bad_input(s.status().message());
    scenarios.push_back(std::move(s).value());
  }
  if (!quiet) {
    for (const auto& s : scenarios) print_notes(*s);
  }
  for (const auto& s : scenarios) {
    auto p = prepare_run(*s);
    if (!p) return bad_input(p.status().message());
    runs.push_back(std::move(p).value());
  }
  if (out.empty()) out = "results/" + scenarios[0]->name + "-sweep";
  std::string table = sweep_header(key, *scenarios[0]);
  for (size_t i = 0; i < runs.size(); ++i) {
    auto sim = simulate(runs[i], nullptr);
    if (!sim) return bad_input(sim.status().message());
    const std::string dir = out + "/" + key + "=" + values[i];
    if (auto st = write_results(dir, **sim, runs[i]); !st) {
      std::cerr << "aifabric: " << st.message() << "\n";
      return 1;
    }
    table += sweep_row(values[i], (*sim)->report);
    if (!quiet) std::cerr << "  " << key << "=" << values[i] << " done\n";
  }
  if (!quiet) {
    std::cout << table << "results       " << out << "/<key>=<value>/\n";
  }
  return 0;
}

struct CollectiveCli {
  std::string op = "allreduce";
  std::string algo = "ring";
  uint32_t ranks = 16;
  uint32_t gpus_per_node = 1;
  std::string sizes = "1MiB:64MiB";
  std::string backend = "analytic";
  bool hierarchical = false;
};

int cmd_collective(const CommonOptions& o, const CollectiveCli& c) {
  CollectiveBenchOptions b;
  const std::pair<const char*, CollectiveOp> ops[] = {
      {"allreduce", CollectiveOp::kAllReduce},
      {"reduce_scatter", CollectiveOp::kReduceScatter},
      {"all_gather", CollectiveOp::kAllGather},
      {"all_to_all", CollectiveOp::kAllToAll},
      {"send_recv", CollectiveOp::kSendRecv}};
  const std::pair<const char*, CollectiveAlgo> algos[] = {
      {"ring", CollectiveAlgo::kRing},
      {"tree", CollectiveAlgo::kDoubleBinaryTree},
      {"halving_doubling", CollectiveAlgo::kHalvingDoubling},
      {"pairwise", CollectiveAlgo::kPairwise},
      {"direct", CollectiveAlgo::kDirect}};
  bool found = false;
  for (const auto& [name, op] : ops) {
    if (c.op == name) {
      b.spec.op = op;
      found = true;
    }
  }
  if (!found)
    return bad_input("--op '" + c.op +
                     "': one of allreduce, reduce_scatter, all_gather, all_to_all, send_recv");
  found = false;
  for (const auto& [name, algo] : algos) {
    if (c.algo == name) {
      b.spec.algo = algo;
      found = true;
    }
  }
  if (!found)
    return bad_input("--algo '" + c.algo +
                     "': one of ring, tree, halving_doubling, pairwise, direct");
  if (b.spec.op == CollectiveOp::kAllToAll && c.algo == "ring")
    b.spec.algo = CollectiveAlgo::kPairwise;
  if (c.backend != "analytic" && c.backend != "packet") {
    return bad_input("--backend '" + c.backend + "': analytic or packet");
  }
  b.backend = c.backend == "packet" ? Backend::kPacket : Backend::kAnalytic;
  b.ranks = c.ranks;
  b.gpus_per_node = c.gpus_per_node;
  b.spec.hierarchical = c.hierarchical;
  if (auto st = parse_size_range(c.sizes, b); !st) return bad_input(st.message());
  // Without a scenario: a non-blocking 400 Gbps leaf-spine with one host per rank.
  CommonOptions fabric = o;
  if (fabric.scenario.empty()) {
    const uint32_t per_leaf = std::min<uint32_t>(c.ranks, 32);
    const uint32_t leaves = (c.ranks + per_leaf - 1) / per_leaf;
    fabric.sets.insert(fabric.sets.begin(),
                       {"topology.hosts_per_leaf=" + std::to_string(per_leaf),
                        "topology.leaves=" + std::to_string(leaves),
                        "topology.spines=" + std::to_string(leaves > 1 ? per_leaf : 1)});
  }
  auto s = load(fabric);
  if (!s) return bad_input(s.status().message());
  auto table = collective_bench_table(b, **s);
  if (!table) return bad_input(table.status().message());
  std::cout << *table;
  return 0;
}

int cmd_workload(const CommonOptions& o, bool json) {
  auto scenario = load(o);
  if (!scenario) return bad_input(scenario.status().message());
  if (!(*scenario)->workload.is_llm()) {
    return bad_input((o.scenario.empty() ? std::string("default scenario") : o.scenario) +
                     ": workload.type is not llm (nothing to plan)");
  }
  const LlmWorkloadSpec& w = (*scenario)->workload.llm;
  auto plan = make_plan(w.model, w.parallel, w.cluster);
  if (!plan) return bad_input(plan.status().message());
  if (json) {
    std::cout << plan_json(*plan).dump(2) << "\n";
  } else {
    std::cout << plan_table(*plan);
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"aifabric: a digital twin of AI-training networks (RoCE/Ethernet fabrics)"};
  app.require_subcommand(0, 1);
  app.footer(
      "Examples:\n"
      "  aifabric run                                   # the built-in default scenario\n"
      "  aifabric run examples/incast-pfc.yaml --out results/incast\n"
      "  aifabric run --ns3-topology topo.txt --ns3-flows flow.txt --out results/ns3\n"
      "  aifabric validate my.yaml --set switch.buffer=16MiB\n"
      "  aifabric workload examples/gpt3-175b-1024gpu.yaml\n"
      "  aifabric list --markdown");

  CommonOptions run_opts;
  std::string out;
  bool quiet = false;
  auto* run = app.add_subcommand("run", "simulate a scenario and write a results folder");
  add_common(run, run_opts);
  run->add_option("--out", out, "results folder (default results/<scenario name>)");
  run->add_flag("--quiet,-q", quiet, "print nothing but errors");
  run->footer(
      "Writes summary.json, flows.csv, ports.csv and fct.txt (ns-3 layout) into --out.\n"
      "Example: aifabric run examples/default.yaml --seed 7 --set cc.algorithm=none --out /tmp/r");

  CommonOptions val_opts;
  auto* validate = app.add_subcommand(
      "validate", "check a scenario (and the files it names) without running it");
  add_common(validate, val_opts);
  validate->footer("Example: aifabric validate examples/fat-tree-permutation.yaml");

  CommonOptions coll_opts;
  CollectiveCli coll;
  auto* collective = app.add_subcommand(
      "collective", "time one collective over a range of sizes; nccl-tests' table layout");
  add_common(collective, coll_opts);
  collective->add_option("--op", coll.op,
                         "allreduce, reduce_scatter, all_gather, all_to_all, send_recv");
  collective->add_option("--algo", coll.algo, "ring, tree, halving_doubling, pairwise, direct");
  collective->add_option("--ranks", coll.ranks, "GPUs taking part (rank r uses host r)");
  collective->add_option("--gpus-per-node", coll.gpus_per_node,
                         "ranks per server; ranks of one server use NVLink");
  collective->add_option("--sizes", coll.sizes, "MIN:MAX, doubling (e.g. 1MiB:1GiB)");
  collective->add_option("--backend", coll.backend, "analytic (alpha-beta) or packet");
  collective->add_flag("--hierarchical", coll.hierarchical,
                       "NVLink inside servers, one ring per rail between them");
  collective->footer(
      "Without a scenario the fabric is a non-blocking 400 Gbps leaf-spine with one host per "
      "rank.\n"
      "Example: aifabric collective --op allreduce --ranks 64 --sizes 1MiB:1GiB --backend packet");

  CommonOptions sweep_opts;
  std::string vary;
  std::string sweep_out;
  bool sweep_quiet = false;
  auto* sweep = app.add_subcommand("sweep", "run a scenario once per value of one key; one table");
  add_common(sweep, sweep_opts);
  sweep->add_option("--vary", vary, "KEY=V1,V2,... the key to vary and its values")->required();
  sweep->add_option("--out", sweep_out, "results folder (default results/<name>-sweep)");
  sweep->add_flag("--quiet,-q", sweep_quiet, "print nothing but errors");
  sweep->footer(
      "Example: aifabric sweep examples/bandwidth-sweep.yaml "
      "--vary topology.host_link.rate=25Gbps,50Gbps,100Gbps,200Gbps,400Gbps");

  std::string report_dir;
  auto* report = app.add_subcommand("report", "rebuild report.html of a results folder");
  report->add_option("dir", report_dir, "a results folder written by aifabric run")->required();
  report->footer("Example: aifabric report results/default");

  std::vector<std::string> compare_dirs;
  auto* compare = app.add_subcommand("compare", "put results folders side by side");
  compare->add_option("dirs", compare_dirs, "results folders written by aifabric run")->required();
  compare->footer("Example: aifabric compare results/ecmp results/planned");

  CommonOptions wl_opts;
  bool wl_json = false;
  auto* workload =
      app.add_subcommand("workload",
                         "print a training job's per-iteration plan: parameters, FLOPs, "
                         "traffic per parallelism and per GPU, NVLink or network");
  add_common(workload, wl_opts);
  workload->add_flag("--json", wl_json, "the plan as JSON, for scripts");
  workload->footer(
      "Example: aifabric workload examples/gpt3-175b-1024gpu.yaml --set workload.parallel.dp=32 "
      "--set workload.parallel.global_batch=3072");

  bool markdown = false;
  auto* list =
      app.add_subcommand("list", "print every scenario key with its unit, default and meaning");
  list->add_flag("--markdown", markdown, "Markdown tables (the scenario reference in docs/)");
  list->footer("Example: aifabric list | grep ecn");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : kBadInput;
  }
  if (list->parsed()) {
    Scenario s;
    std::cout << describe_params(s, markdown);
    return 0;
  }
  if (validate->parsed()) return cmd_validate(val_opts);
  if (workload->parsed()) return cmd_workload(wl_opts, wl_json);
  if (compare->parsed()) {
    auto table = compare_runs(compare_dirs);
    if (!table) return bad_input(table.status().message());
    std::cout << *table;
    return 0;
  }
  if (report->parsed()) {
    if (auto st = write_report_html(report_dir); !st) return bad_input(st.message());
    std::cout << report_dir << "/report.html\n";
    return 0;
  }
  if (sweep->parsed()) return cmd_sweep(sweep_opts, vary, sweep_out, sweep_quiet);
  if (collective->parsed()) return cmd_collective(coll_opts, coll);
  if (run->parsed() || app.get_subcommands().empty()) return cmd_run(run_opts, out, quiet);
  return 0;
}
