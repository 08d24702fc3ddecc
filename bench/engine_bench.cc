// Engine benchmark: 128 hosts on a 3-tier k=8 fat-tree of 400 Gbps links, 1 us per
// hop, a permutation of 16 MiB flows, PFC on; once with DCQCN, once with HPCC (INT
// stamped at every switch), once with Swift, once with the zero-queue scheme (xcp: a
// grant computed at every switch port), once without congestion control. Prints wall time,
// simulated time, events/s, packet-hops/s (one data/ACK/NACK/CNP frame crossing one
// link), peak memory, and a fingerprint of the results so that an optimization can be
// checked to leave them unchanged.
//
// Also one training iteration at 128 and 1024 GPUs on each backend (llm-* cases; flow:
// the flow level), the permutation at flow level from 1k to 100k hosts (flow-scale-k), at
// packet level from 128 to 3,456 hosts (packet-scale-k: ns per packet-hop), and
// the fat-tree permutation under each load-balancing scheme with DCQCN and selective
// recovery (lb-<algorithm> cases: what per-packet choices and reordering cost).
//
// Usage: aifabric_bench [dcqcn|hpcc|swift|xcp|none|<any
// cc.algorithm>|llm-analytic-128|llm-analytic-1024|llm-packet-128|
// llm-packet-1024|llm-packet175b-1024|llm-flow-128|llm-flow-1024|llm-flow175b-1024|llm-flow-10240|
// llm-flow-100k|flow-scale-<k>|packet-scale-<k>[-<MiB>][-<cc>]|
// lb-ecmp|lb-wcmp|lb-flowlet|lb-adaptive|lb-spray|lb-planned ...]
// [--repeat N] [--parallel-model P,P,...]; each case runs in its own process so that
// peak memory is its own. --parallel-model watches the packet-level cases' events
// through the window model of a conservative parallel engine split into P partitions
// (engine/packet/parallel_model.h) and prints, per P, its windows, balance, the frames
// that would cross partitions and the projected speedup, with the cost of a two-thread
// spinning barrier measured on this machine first.
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "aifabric/scenario/outputs.h"
#include "aifabric/scenario/scenario.h"
#include "aifabric/scenario/simulate.h"

namespace {

using namespace aifabric;

constexpr const char* kScenario = R"(
name: bench-fat-tree-k8
topology:
  type: fat_tree
  k: 8
  host_link: {rate: 400Gbps, delay: 1us}
  edge_agg_link: {rate: 400Gbps, delay: 1us}
  agg_core_link: {rate: 400Gbps, delay: 1us}
switch: {pfc: {enabled: true}}
traffic:
  - {type: permutation, size: 16MiB}
)";

// One training iteration: GPT-3 175B (analytic) or GPT-3 6.7B (packet) at 128 or 1024
// GPUs on a rail-optimized 400 Gbps fabric.
constexpr const char* kLlm = R"(
name: bench-llm
topology: {type: rail_optimized, nodes: 16, gpus_per_node: 8, nodes_per_leaf: 8, spines: 8}
workload:
  type: llm
  trace: none
  model: {name: gpt3-6.7b, layers: 32, hidden: 4096, heads: 32, seq_len: 2048, vocab: 50257}
  parallel: {tp: 8, pp: 4, dp: 4, global_batch: 32, micro_batch: 1}
)";

std::vector<int> g_parallel_model;  // --parallel-model
double g_barrier_seconds = 0;       // one two-thread barrier, measured when asked for

// One round of a spinning barrier between two threads (each arrives on a shared counter
// and spins until both have): the cheapest synchronisation a windowed engine can have,
// the per-window cost of the parallel model.
double measure_barrier_seconds() {
  constexpr uint64_t kRounds = 200000;
  std::atomic<uint64_t> arrived{0};
  auto rounds = [&arrived] {
    for (uint64_t r = 1; r <= kRounds; ++r) {
      arrived.fetch_add(1, std::memory_order_acq_rel);
      while (arrived.load(std::memory_order_acquire) < 2 * r) {
        __builtin_ia32_pause();
      }
    }
  };
  const auto t0 = std::chrono::steady_clock::now();
  std::thread other(rounds);
  rounds();
  other.join();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() /
         static_cast<double>(kRounds);
}

struct Loaded {
  std::unique_ptr<Scenario> scenario;
  PreparedRun prepared;
  std::unique_ptr<Simulation> sim;  // null on error (printed)
};

Loaded load_and_simulate(const char* yaml, const std::vector<std::string>& sets) {
  Loaded out;
  auto s = load_scenario_text(yaml, "bench", sets);
  if (!s) {
    std::fprintf(stderr, "%s\n", s.status().message().c_str());
    return out;
  }
  out.scenario = std::move(s).value();
  auto prepared = prepare_run(*out.scenario);
  if (!prepared) {
    std::fprintf(stderr, "%s\n", prepared.status().message().c_str());
    return out;
  }
  out.prepared = std::move(prepared).value();
  auto sim = simulate(out.prepared, nullptr, g_parallel_model);
  if (!sim) {
    std::fprintf(stderr, "%s\n", sim.status().message().c_str());
    return out;
  }
  out.sim = std::move(sim).value();
  return out;
}

// The flow level at the report's scales: GPT-3 175B on 10,240 GPUs (DP 160,
// examples/gpt3-175b-10240gpu-flow.yaml) and GPT-3 6.7B on 100,000 GPUs (DP 3125, a k=74
// fat-tree).
constexpr const char* kLlm10k = R"(
name: bench-llm-10240
topology: {type: rail_optimized, nodes: 1280, gpus_per_node: 8, nodes_per_leaf: 32, spines: 32}
switch: {buffer: 512MiB}
telemetry: {enabled: false}
workload:
  type: llm
  backend: flow
  trace: none
  model: {name: gpt3-175b, layers: 96, hidden: 12288, heads: 96, seq_len: 2048, vocab: 50257}
  parallel: {tp: 8, pp: 8, dp: 160, global_batch: 15360, micro_batch: 1, recompute: full}
  cluster: {gpus_per_node: 8, nvlink_rate: 2400Gbps, effective_tflops: 140}
)";
constexpr const char* kLlm100k = R"(
name: bench-llm-100k
topology: {type: fat_tree, k: 74}
switch: {buffer: 256MiB}
telemetry: {enabled: false}
workload:
  type: llm
  backend: flow
  trace: none
  model: {name: gpt3-6.7b, layers: 32, hidden: 4096, heads: 32, seq_len: 2048, vocab: 50257}
  parallel: {tp: 8, pp: 4, dp: 3125, global_batch: 12500, micro_batch: 1}
  cluster: {gpus_per_node: 8, effective_tflops: 140}
)";

// The window model's figures for each partition count (--parallel-model).
void print_parallel_model(const Loaded& run) {
  if (!run.sim->parallel) return;
  const double wall = run.sim->report.wall_seconds;
  for (const ParallelEstimate& e :
       run.sim->parallel->estimates(*run.sim->net, wall, g_barrier_seconds)) {
    std::printf(
        "  parallel model P=%-3d %-7s lookahead %7.3f us | %6zu cut links | "
        "%9llu windows %8.1f events/window | imbalance %.3f | %11lld frames crossed | "
        "%8llu early starts | serial %.2f %% | ideal %5.2fx | "
        "projected %7.3f s %5.2fx (barrier %.3f us x log2 P)\n",
        e.parts, placement_name(e.placement),
        e.lookahead == Time::max() ? 0.0 : e.lookahead.to_us(), e.cut_links,
        static_cast<unsigned long long>(e.windows),
        static_cast<double>(e.events) / static_cast<double>(std::max<uint64_t>(e.windows, 1)),
        e.imbalance, static_cast<long long>(e.messages),
        static_cast<unsigned long long>(e.early_starts),
        100.0 * static_cast<double>(e.serial_events) /
            static_cast<double>(std::max<uint64_t>(e.events, 1)),
        e.ideal_speedup, e.projected_seconds, e.projected_speedup, g_barrier_seconds * 1e6);
  }
  std::fflush(stdout);
}

int run_llm_case(const std::string& name) {
  // llm-flow-*: the packet cases' GPT-3 6.7B at flow level; llm-flow175b-*: the analytic
  // cases' GPT-3 175B at flow level.
  const bool flow = name.find("flow") != std::string::npos;
  const bool packet =
      name.find("packet") != std::string::npos || (flow && name.find("175b") == std::string::npos);
  const bool big = name.find("1024") != std::string::npos;
  std::vector<std::string> sets{std::string("workload.backend=") + (flow     ? "flow"
                                                                    : packet ? "packet"
                                                                             : "analytic")};
  if (big) {
    sets.insert(sets.end(),
                {"topology.nodes=128", "topology.nodes_per_leaf=16", "topology.spines=16",
                 "workload.parallel.dp=32", "workload.parallel.global_batch=256"});
  }
  if (!packet || name.find("175b") != std::string::npos) {
    // The analytic backend times the full GPT-3 175B job (PP 8 needs 8 stages), as do
    // llm-flow175b-1024 and llm-packet175b-1024.
    sets.insert(
        sets.end(),
        {"workload.model.name=gpt3-175b", "workload.model.layers=96", "workload.model.hidden=12288",
         "workload.model.heads=96", "workload.parallel.pp=8",
         big ? "workload.parallel.dp=16" : "workload.parallel.dp=2",
         big ? "workload.parallel.global_batch=1536" : "workload.parallel.global_batch=192"});
  }
  const bool huge = name == "llm-flow-10240" || name == "llm-flow-100k";
  const auto wall0 = std::chrono::steady_clock::now();
  Loaded run = huge ? load_and_simulate(name == "llm-flow-10240" ? kLlm10k : kLlm100k, {})
                    : load_and_simulate(kLlm, sets);
  const double total =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();
  if (!run.sim) return 2;
  const auto* prepared = &run.prepared;
  const auto& sim = run.sim;
  const RunReport& r = sim->report;
  const WorkloadReport& w = *r.workload;
  std::printf(
      "%-18s %s, %lld GPUs | wall %7.3f s (run %7.2f s) | iteration %9.4f s simulated | %8zu "
      "tasks | %9lld packet-hops %6.2f M/s | peak %5.0f MiB\n",
      name.c_str(), prepared->job->plan->model.name.c_str(),
      static_cast<long long>(prepared->job->plan->gpus), r.wall_seconds, total,
      w.iteration.to_seconds(), w.tasks, static_cast<long long>(r.packet_hops),
      static_cast<double>(r.packet_hops) / std::max(r.wall_seconds, 1e-9) / 1e6, r.peak_memory_mib);
  std::fflush(stdout);
  print_parallel_model(run);
  return 0;
}

// flow-scale-<k>: the fat-tree permutation at flow level on a k-ary fat-tree (k^3/4
// hosts: 16 -> 1,024, 34 -> 9,826, 74 -> 101,306), no congestion control; wall time and
// peak memory of the whole run (topology, tables, engine) and the solver's work.
int run_flow_scale_case(const std::string& name) {
  const std::string k = name.substr(std::string("flow-scale-").size());
  const auto wall0 = std::chrono::steady_clock::now();
  Loaded run = load_and_simulate(kScenario, {"engine=flow", "cc.algorithm=none", "topology.k=" + k,
                                             "switch.buffer=256MiB", "telemetry.enabled=false"});
  if (!run.sim) return 2;
  const double total =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();
  const RunReport& r = run.sim->report;
  uint64_t fp = 1469598103934665603ULL;
  for (const auto& f : r.flows) fp = (fp ^ static_cast<uint64_t>(f.fct.ps())) * 1099511628211ULL;
  std::printf(
      "%-16s %7zu hosts | %7zu flows | run %7.2f s (engine %6.2f s) | %9llu events | "
      "simulated %9.3f us | peak %6.0f MiB | makespan %.3f us | fingerprint %016llx\n",
      name.c_str(), r.hosts, r.flows.size(), total, r.wall_seconds,
      static_cast<unsigned long long>(r.events), r.sim_end.to_us(), r.peak_memory_mib,
      r.makespan.to_us(), static_cast<unsigned long long>(fp));
  std::fflush(stdout);
  return 0;
}

// packet-scale-<k>[-<MiB>][-<cc>]: the fat-tree permutation at packet level on a k-ary
// fat-tree (k^3/4 hosts: 8 -> 128, 12 -> 432, 16 -> 1,024, 24 -> 3,456), flows of <MiB>
// MiB (default 4), congestion control <cc> (default none), 256 MiB switch buffers (the
// permutation's ECMP collisions then pause rather than drop; PFC on as in the k=8
// case). What a packet-hop costs as the fabric grows: ns of wall per hop, events per hop.
int run_packet_scale_case(const std::string& name) {
  std::string rest = name.substr(std::string("packet-scale-").size());
  std::vector<std::string> parts;
  for (size_t b = 0; b <= rest.size();) {
    const size_t e = rest.find('-', b);
    parts.push_back(rest.substr(b, e == std::string::npos ? std::string::npos : e - b));
    if (e == std::string::npos) break;
    b = e + 1;
  }
  const std::string k = parts[0];
  const std::string mib = parts.size() > 1 ? parts[1] : "4";
  const std::string cc = parts.size() > 2 ? parts[2] : "none";
  Loaded run = load_and_simulate(
      kScenario, {"cc.algorithm=" + cc, "topology.k=" + k, "traffic.0.size=" + mib + "MiB",
                  "switch.buffer=256MiB", "telemetry.enabled=false"});
  if (!run.sim) return 2;
  const RunReport& r = run.sim->report;
  uint64_t fp = 1469598103934665603ULL;
  for (const auto& f : r.flows) fp = (fp ^ static_cast<uint64_t>(f.fct.ps())) * 1099511628211ULL;
  const double hops = static_cast<double>(std::max<int64_t>(r.packet_hops, 1));
  std::printf(
      "%-24s %6zu hosts | wall %8.3f s | %11lld packet-hops %6.2f M/s %7.1f ns/hop | %.2f "
      "events/hop | peak %6.0f MiB | makespan %.3f us | fingerprint %016llx\n",
      name.c_str(), r.hosts, r.wall_seconds, static_cast<long long>(r.packet_hops),
      hops / r.wall_seconds / 1e6, r.wall_seconds / hops * 1e9,
      static_cast<double>(r.events) / hops, r.peak_memory_mib, r.makespan.to_us(),
      static_cast<unsigned long long>(fp));
  std::fflush(stdout);
  print_parallel_model(run);
  return 0;
}

int run_case(const std::string& cc) {
  if (cc.rfind("llm-", 0) == 0) return run_llm_case(cc);
  if (cc.rfind("packet-scale-", 0) == 0) return run_packet_scale_case(cc);
  if (cc.rfind("flow-scale-", 0) == 0) return run_flow_scale_case(cc);
  std::vector<std::string> sets{"cc.algorithm=" + cc};
  if (cc.rfind("lb-", 0) == 0) {
    sets = {"cc.algorithm=dcqcn", "lb.algorithm=" + cc.substr(3), "transport.recovery=selective"};
  }
  Loaded run = load_and_simulate(kScenario, sets);
  if (!run.sim) return 2;
  const auto& sim = run.sim;
  const RunReport& r = sim->report;
  // Fingerprint: sum of completion times in picoseconds, XOR-folded with flow ids.
  uint64_t fp = 1469598103934665603ULL;
  size_t done = 0;
  for (const auto& f : r.flows) {
    if (f.status == FlowRow::Status::kDone) ++done;
    fp = (fp ^ static_cast<uint64_t>(f.fct.ps())) * 1099511628211ULL;
  }
  const double wall = r.wall_seconds;
  std::printf(
      "%-11s wall %7.3f s | simulated %8.3f us | %9llu events %6.2f M/s | %9lld packet-hops "
      "%6.2f M/s | sim/wall %.2e | peak %5.0f MiB | flows %zu/%zu | makespan %.3f us | "
      "fingerprint %016llx\n",
      cc.c_str(), wall, r.sim_end.to_us(), static_cast<unsigned long long>(r.events),
      static_cast<double>(r.events) / wall / 1e6, static_cast<long long>(r.packet_hops),
      static_cast<double>(r.packet_hops) / wall / 1e6, r.sim_end.to_seconds() / wall,
      r.peak_memory_mib, done, r.flows.size(), r.makespan.to_us(),
      static_cast<unsigned long long>(fp));
  std::fflush(stdout);
  print_parallel_model(run);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> cases;
  int repeat = 1;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--repeat") == 0 && i + 1 < argc) {
      repeat = std::atoi(argv[++i]);
    } else if (std::strcmp(argv[i], "--parallel-model") == 0 && i + 1 < argc) {
      for (const char* c = argv[++i]; *c != '\0';) {
        char* end = nullptr;
        const long p = std::strtol(c, &end, 10);
        if (end == c || p < 1 || p > 4096) {
          std::fprintf(stderr,
                       "--parallel-model: %s: expected partition counts 1..4096, e.g. 2,4,16\n",
                       argv[i]);
          return 2;
        }
        g_parallel_model.push_back(static_cast<int>(p));
        c = *end == ',' ? end + 1 : end;
      }
    } else {
      cases.emplace_back(argv[i]);
    }
  }
  if (cases.empty()) {
    cases = {"dcqcn",
             "hpcc",
             "swift",
             "xcp",
             "none",
             "llm-analytic-128",
             "llm-analytic-1024",
             "llm-packet-128",
             "llm-packet-1024",
             "llm-flow-128",
             "llm-flow-1024",
             "llm-flow175b-1024",
             "flow-scale-16",
             "flow-scale-34",
             "lb-ecmp",
             "lb-wcmp",
             "lb-flowlet",
             "lb-adaptive",
             "lb-spray",
             "lb-planned"};
  }
  std::printf(
      "engine benchmark: fat-tree k=8, 128 hosts, 400 Gbps, 1 us/hop, permutation of 16 MiB "
      "flows, PFC on;\ntraining iterations (llm-*): analytic = GPT-3 175B, packet = GPT-3 6.7B, "
      "rail-optimized 400 Gbps fabric;\nload balancing (lb-*): the fat-tree permutation with DCQCN "
      "and selective recovery\n");
  if (!g_parallel_model.empty()) {
    g_barrier_seconds = measure_barrier_seconds();
    std::printf("two-thread spinning barrier: %.3f us per window\n", g_barrier_seconds * 1e6);
  }
  for (int r = 0; r < repeat; ++r) {
    for (const auto& c : cases) {
      std::fflush(stdout);
      const pid_t pid = fork();
      if (pid == 0) _exit(run_case(c));
      int st = 0;
      waitpid(pid, &st, 0);
      if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) return 1;
    }
  }
  return 0;
}
