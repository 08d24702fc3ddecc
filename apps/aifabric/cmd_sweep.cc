// `aifabric sweep`: the scenario once per point of a grid of values (one or several
// --vary keys); each point's results go to OUT/<key=value,...>/, one table compares them
// (and sweep.csv, sweep.html beside the points). Every point is checked before any runs,
// so bad input writes nothing; points run --jobs at a time.
#include <atomic>
#include <iostream>
#include <mutex>
#include <thread>
#include <utility>

#include "aifabric/scenario/outputs.h"
#include "aifabric/scenario/sweep.h"
#include "cli.h"

namespace aifabric::cli {
namespace {

struct SweepCli {
  std::vector<std::string> vary;
  int64_t jobs = 1;
  std::string shard;  // "I/N": this process runs points I, I+N, I+2N, ... (0-based)
};

// "I/N" with 0 <= I < N; {0, 1} when not given.
Result<std::pair<size_t, size_t>> parse_shard(const std::string& text) {
  if (text.empty()) return std::pair<size_t, size_t>{0, 1};
  const auto bad = [&text] {
    return Status::error("--shard '" + text +
                         "': give I/N with 0 <= I < N, e.g. "
                         "--shard $SLURM_ARRAY_TASK_ID/$SLURM_ARRAY_TASK_COUNT");
  };
  const size_t slash = text.find('/');
  if (slash == std::string::npos) return bad();
  const auto number = [](const std::string& t, size_t& out) {
    if (t.empty() || t.size() > 6 || t.find_first_not_of("0123456789") != std::string::npos) {
      return false;
    }
    out = std::stoul(t);
    return true;
  };
  size_t i = 0, n = 0;
  if (!number(text.substr(0, slash), i) || !number(text.substr(slash + 1), n) || n == 0 || i >= n) {
    return bad();
  }
  return std::pair<size_t, size_t>{i, n};
}

struct Point {
  std::string label;   // "k1=v1,k2=v2"
  std::string folder;  // its folder name inside --out (made safe)
  PreparedRun run;
  std::unique_ptr<Simulation> sim;
  Status status;
};

int sweep(const CommonOptions& o, const OutputOptions& oo, const SweepCli& c) {
  if (c.vary.empty()) return bad_input("--vary: give at least one KEY=V1,V2,...");
  std::vector<Vary> axes;
  for (const auto& text : c.vary) {
    auto v = parse_vary(text);
    if (!v) return bad_input(v.status().message());
    axes.push_back(std::move(v).value());
  }
  const auto shard = parse_shard(c.shard);
  if (!shard) return bad_input(shard.status().message());
  const auto [shard_i, shard_n] = *shard;
  std::vector<Point> points;
  std::vector<Vary> indices = axes;  // the grid of value indices, to find labels
  for (Vary& a : indices) {
    for (size_t i = 0; i < a.values.size(); ++i) a.values[i] = std::to_string(i);
  }
  const auto grid = sweep_grid(indices);
  if (shard_n > grid.size()) {
    return bad_input("--shard " + c.shard + ": the grid has only " + std::to_string(grid.size()) +
                     " points, fewer than " + std::to_string(shard_n) + " shards");
  }
  // Every point is checked in every shard (bad input fails all of them alike); a shard
  // keeps the points of its residue class, so the shards partition the grid.
  for (size_t g = 0; g < grid.size(); ++g) {
    const auto& combo = grid[g];
    CommonOptions one = o;
    Point p;
    for (size_t a = 0; a < axes.size(); ++a) {
      const auto i = static_cast<size_t>(std::stoul(combo[a]));
      one.sets.push_back(axes[a].key + "=" + axes[a].values[i]);
      p.label += (a ? "," : "") + axes[a].key + "=" + axes[a].labels[i];
    }
    p.folder = safe_folder_name(p.label);
    auto s = load(one);
    if (!s) return bad_input(s.status().message());
    auto prepared = prepare_checked(**s, o.allow_large);
    if (!prepared) return bad_input(prepared.status().message());
    p.run = std::move(prepared).value();
    if (g % shard_n == shard_i) points.push_back(std::move(p));
  }
  if (!oo.quiet) {
    for (const auto& p : points) print_notes(p.run);
  }
  std::string out = oo.out.empty() ? "results/" + points[0].run.scenario->name + "-sweep" : oo.out;
  if (oo.out.empty() && shard_n > 1) {
    out += "-shard" + std::to_string(shard_i) + "of" + std::to_string(shard_n);
  }
  auto folder = OutputFolder::claim(out, oo.force);
  if (!folder) return bad_input(folder.status().message());
  catch_interrupts();
  // Points run `jobs` at a time; each writes its own folder inside the sweep's staging.
  std::atomic<size_t> next{0};
  std::mutex print;
  size_t done = 0;
  auto worker = [&] {
    for (size_t i = next++; i < points.size(); i = next++) {
      Point& p = points[i];
      if (interrupted() != 0) return;
      Progress progress(false, "");
      auto sim = simulate(p.run, &progress);
      if (!sim) {
        p.status = sim.status();
        continue;
      }
      p.sim = std::move(sim).value();
      p.status = write_point(**folder, p.folder, *p.sim, p.run);
      std::lock_guard<std::mutex> lock(print);
      ++done;
      if (!oo.quiet) {
        std::cerr << "aifabric: sweep: " << done << "/" << points.size() << " " << p.label << ": "
                  << p.sim->report.verdict.text << "\n";
      }
    }
  };
  const auto jobs =
      static_cast<size_t>(std::min<int64_t>(c.jobs, static_cast<int64_t>(points.size())));
  std::vector<std::thread> threads;
  for (size_t j = 1; j < jobs; ++j) threads.emplace_back(worker);
  worker();
  for (auto& t : threads) t.join();
  if (const int sig = interrupted(); sig != 0) {
    std::cerr << "aifabric: interrupted; nothing written to " << out << "\n";
    return kInterruptedBase + sig;
  }
  for (const Point& p : points) {
    if (!p.status) return p.sim ? write_failed(p.status.message()) : bad_input(p.status.message());
  }
  std::vector<SweepRow> rows;
  rows.reserve(points.size());
  for (const Point& p : points) rows.push_back({p.label, p.folder, &p.sim->report});
  if (auto st = write_sweep_files(**folder, rows); !st) return write_failed(st.message());
  if (auto st = (*folder)->commit(); !st) return write_failed(st.message());
  if (!oo.quiet) {
    std::string table = sweep_header(axes.size() == 1 ? axes[0].key : "point", *rows[0].report);
    for (const SweepRow& r : rows) table += sweep_row(r.label_for_table(axes.size()), *r.report);
    std::cout << table << "results       " << out << "/<point>/ and " << out
              << "/sweep.csv, sweep.html\n";
  }
  bool all_completed = true;
  for (const Point& p : points) {
    all_completed = all_completed && p.sim->report.verdict.status == Verdict::Status::kCompleted;
  }
  return all_completed ? 0 : kIncomplete;
}

}  // namespace

Command add_sweep(CLI::App& app) {
  auto o = std::make_shared<CommonOptions>();
  auto oo = std::make_shared<OutputOptions>();
  auto c = std::make_shared<SweepCli>();
  auto* cmd = app.add_subcommand(
      "sweep", "run a scenario once per point of a grid of key values; one comparison table");
  add_common(cmd, *o);
  cmd->add_option("--vary", c->vary,
                  "KEY=V1,V2,... a key and its values; repeat for a grid (every combination)")
      ->required();
  cmd->add_option("--jobs,-j", c->jobs, "points run at once (threads)")
      ->check(CLI::Range(int64_t{1}, int64_t{256}));
  cmd->add_option("--shard", c->shard,
                  "I/N: run only points I, I+N, I+2N, ... of the grid (0 <= I < N), for a job "
                  "array or one process per machine; default OUT gains -shardIofN");
  add_output(cmd, *oo, "results/<name>-sweep");
  cmd->footer(
      "Writes OUT/<key=value,...>/ per point (a results folder each) and OUT/sweep.csv and\n"
      "OUT/sweep.html comparing them. Exit status as for run (3: some point did not "
      "complete).\n"
      "Example: aifabric sweep examples/bandwidth-sweep.yaml "
      "--vary topology.host_link.rate=25Gbps,50Gbps,100Gbps,200Gbps,400Gbps\n"
      "On a cluster (Slurm job array, docs/performance.md \"Sweeps on a cluster\"):\n"
      "  sbatch --array=0-3 --wrap 'aifabric sweep S.yaml --vary ... "
      "--shard $SLURM_ARRAY_TASK_ID/4'");
  return {cmd, [o, oo, c] { return sweep(*o, *oo, *c); }};
}

}  // namespace aifabric::cli
