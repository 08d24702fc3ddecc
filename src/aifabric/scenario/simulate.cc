#include "aifabric/scenario/simulate.h"

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <unordered_map>

#include "aifabric/control/load_balancing.h"
#include "aifabric/core/version.h"
#include "aifabric/engine/analytic/analytic_engine.h"
#include "aifabric/engine/flow/flow_engine.h"
#include "aifabric/engine/transfer_engine.h"
#include "aifabric/fabric/records.h"
#include "aifabric/fault/injector.h"
#include "aifabric/plan/graph_modules.h"
#include "aifabric/scenario/fault_horizon.h"
#include "aifabric/scenario/yaml_writer.h"
#include "aifabric/telemetry/imbalance.h"
#include "aifabric/telemetry/probes/sampler.h"
#include "aifabric/workload/executor.h"

namespace aifabric {
namespace {

double peak_memory_mib() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_maxrss) / 1024.0;  // ru_maxrss is in KiB on Linux
}

struct ProgressBridge {
  RunObserver* observer;
  const Network* net;
  Time expected_end;
  // A job's network transfers, known from its task graph before they start (the
  // network only holds those started so far): what the run's progress is measured by.
  size_t job_flows = 0;
  int64_t job_bytes = 0;
  static bool call(void* ctx, const Simulator& sim) {
    auto* b = static_cast<ProgressBridge*>(ctx);
    RunProgress p;
    p.now = sim.now();
    p.expected_end = b->expected_end;
    p.events = sim.events_processed();
    p.flows_done = b->net->flows_finished();
    p.flows_total = b->net->flows().size();
    for (const FlowSpec& f : b->net->flows()) p.bytes_total += f.size;
    if (b->job_bytes > 0) {
      p.flows_total = std::max(p.flows_total, b->job_flows);
      p.bytes_total = std::max(p.bytes_total, b->job_bytes);
    }
    for (const auto& h : b->net->hosts()) {
      h->for_each_receiver(
          [&p](const ReceiverResult& q) { p.bytes_done += q.stats().accepted_bytes; });
    }
    // Bytes delivered measure a job better than its simulated time, which races through
    // the compute phases: once bytes arrive (the packet level), they alone count.
    if (b->job_bytes > 0 && p.bytes_done > 0) p.expected_end = Time::zero();
    return b->observer->progress(p);
  }
};

std::string seconds(Time t) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g s", t.to_seconds());
  return buf;
}

Verdict verdict_of(const RunReport& r, const PreparedRun& run, const TaskTimes& t,
                   const Scenario& s) {
  Verdict v;
  const std::string limit =
      "stop_time (" + seconds(r.stop_time) + (r.stop_time_auto ? ", the automatic cap" : "") + ")";
  size_t done = 0, failed = 0;
  for (const FlowRow& f : r.flows) {
    done += f.status == FlowRow::Status::kDone ? 1 : 0;
    failed += f.status == FlowRow::Status::kFailed ? 1 : 0;
  }
  const std::string why_failed =
      "their queue pairs timed out " + std::to_string(s.transport.retry_limit + 1) +
      " times in a row (transport.retry_limit)" +
      (r.no_route_drops > 0
           ? "; " + std::to_string(r.no_route_drops) + " packets were dropped for lack of a route"
           : "");
  if (run.job) {
    const size_t tasks = run.job->graph.size();
    size_t finished = 0;
    for (Time f : t.finish) finished += f != Time::max() ? 1 : 0;
    if (!t.failure.empty()) {
      v.status = Verdict::Status::kFailed;
      v.text = "the job failed: " + t.failure + ", as NCCL fails a job whose connection fails";
    } else if (finished < tasks) {
      v.status = Verdict::Status::kStopTime;
      v.text = "the job stopped at " + limit + " with " + std::to_string(finished) + " of " +
               std::to_string(tasks) + " tasks done";
    } else {
      v.text = "the job completed: all " + std::to_string(tasks) + " tasks ran";
    }
    return v;
  }
  if (failed > 0) {
    v.status = Verdict::Status::kFailed;
    v.text = std::to_string(failed) + " of " + std::to_string(r.flows.size()) +
             " flows failed: " + why_failed;
  } else if (done < r.flows.size()) {
    v.status = Verdict::Status::kStopTime;
    v.text = "stopped at " + limit + " with " + std::to_string(r.flows.size() - done) + " of " +
             std::to_string(r.flows.size()) + " flows unfinished";
  } else {
    v.text = r.flows.size() == 1 ? std::string("the flow completed")
                                 : "all " + std::to_string(r.flows.size()) + " flows completed";
  }
  return v;
}

// The faults' link state changes as rows of the telemetry store's events table, on the
// port of the link's first end.
void add_link_events(const FaultRecord& f, TelemetryRecord& t) {
  std::unordered_map<uint64_t, uint32_t> id;
  for (uint32_t i = 0; i < t.node_of_port.size(); ++i) {
    id[(static_cast<uint64_t>(t.node_of_port[i]) << 16) | t.index_of_port[i]] = i;
  }
  for (const LinkEvent& e : f.events) {
    const auto it = id.find((static_cast<uint64_t>(e.node) << 16) | e.port);
    if (it == id.end()) continue;
    t.events.push_back(TelemetryEvent{e.kind, it->second, -1, e.at, e.at, e.detail});
  }
  std::stable_sort(
      t.events.begin(), t.events.end(),
      [](const TelemetryEvent& a, const TelemetryEvent& b) { return a.start < b.start; });
}

}  // namespace

namespace {

// A 1-2-5 multiple of a power of ten, at most `t` (and at least 1 ps).
Time nice_floor(Time t) {
  int64_t unit = 1;
  while (unit * 10 <= t.ps()) unit *= 10;
  for (int64_t m : {5, 2, 1}) {
    if (unit * m <= t.ps()) return Time::ps(unit * m);
  }
  return Time::ps(1);
}

}  // namespace

SamplingPlan sampling_plan(const PreparedRun& run, const Network& net) {
  const Scenario& s = *run.scenario;
  SamplingPlan p;
  Time expected;
  if (run.job) {
    const uint32_t probe = run.job->map.host_of_rank.empty() ? 0 : run.job->map.host_of_rank[0];
    auto est = run_analytic(run.job->graph, run.job->map, alpha_beta(net, probe));
    expected = est ? est->makespan() : Time::ms(1);
  } else {
    p.start = Time::max();
    Time last;
    for (const FlowSpec& f : run.flows) {
      p.start = std::min(p.start, f.start);
      last = std::max(last, f.start);
    }
    if (p.start == Time::max()) p.start = Time::zero();
    expected = (last - p.start) + busiest_nic_time(run);
  }
  if (s.telemetry.interval > Time::zero()) {
    p.interval = s.telemetry.interval;
    return p;
  }
  p.automatic = true;
  p.interval = std::clamp(nice_floor(expected / 100), Time::ns(100), Time::ms(10));
  return p;
}

Time busiest_nic_time(const PreparedRun& run) {
  const TopologyGraph& g = run.graph;
  std::vector<int64_t> out(g.hosts().size()), in(g.hosts().size());
  for (const FlowSpec& f : run.flows) {
    out[f.src] += f.size;
    in[f.dst] += f.size;
  }
  Time busiest;
  for (size_t h = 0; h < out.size(); ++h) {
    const BitRate rate = g.links()[g.adjacent(g.hosts()[h])[0].link].params.rate;
    busiest = std::max(busiest, rate.transmit_time(std::max(out[h], in[h])));
  }
  return busiest;
}

Time stop_time_of(const PreparedRun& run, const Network& net) {
  const Scenario& s = *run.scenario;
  if (s.stop_time > Time::zero()) return s.stop_time;
  if (run.job) {
    // A generous multiple of the job's alpha-beta time on this fabric.
    const uint32_t probe = run.job->map.host_of_rank.empty() ? 0 : run.job->map.host_of_rank[0];
    auto est = run_analytic(run.job->graph, run.job->map, alpha_beta(net, probe));
    const Time t = est ? est->makespan() : Time::sec(1);
    return Time::sec(1) + t * 10;
  }
  // The busiest NIC's bytes (out or in) at its line rate bounds the traffic from below.
  Time last_start;
  for (const FlowSpec& f : run.flows) last_start = std::max(last_start, f.start);
  return last_start + std::max(Time::sec(1), busiest_nic_time(run) * 20);
}

Provenance provenance_of(const Scenario& s) {
  Provenance p;
  p.name = s.name;
  p.seed = static_cast<uint64_t>(s.seed);
  p.version = kVersion;
  p.command = s.origin.command;
  p.overrides = s.origin.overrides;
  p.scenario_file = s.origin.file;
  p.ns3_config = s.origin.ns3_config;
  Scenario copy = s;
  // Comment lines: a control character (a newline in a file name) must not end one.
  auto comment = [](std::string text) {
    for (char& c : text) {
      if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = ' ';
    }
    return "# " + text + "\n";
  };
  std::string made_from;
  if (!s.origin.ns3_config.empty()) {
    made_from = comment("Made from the ns-3 config " + s.origin.ns3_config + ".");
    if (!s.origin.notes.empty()) made_from += comment("What it could not carry over:");
    for (const std::string& n : s.origin.notes) made_from += comment("  - " + n);
  }
  p.scenario_yaml =
      "# The fully resolved scenario of this run (every key): re-run it with\n"
      "#   aifabric run scenario.yaml\n" +
      made_from + write_yaml(copy, s.base_dir);
  return p;
}

FabricConfig fabric_config(const Scenario& s) {
  FabricConfig fc;
  fc.switch_config = s.switch_config;
  fc.transport = s.transport;
  fc.cc = s.cc;
  fc.lb = s.lb;
  for (const LbClassSpec& c : s.lb_classes) fc.class_lb[static_cast<size_t>(c.priority)] = c.lb;
  return fc;
}

std::vector<std::string> scenario_notes(const Scenario& s) {
  std::vector<std::string> notes;
  if (s.transport.recovery.selected().tolerates_reordering) return notes;
  const FabricConfig fc = fabric_config(s);
  for (uint8_t prio = 0; prio < kNumPriorities; ++prio) {
    const LbAlgorithm& lb = fc.lb_of(prio);
    if (!lb.reorders) continue;
    notes.push_back("lb " + std::string(lb.name) + " delivers packets out of order and " +
                    "transport.recovery is " + std::string(s.transport.recovery.name()) +
                    ", which discards every early packet and resends from the gap; set "
                    "transport.recovery: selective to reorder them");
    break;
  }
  return notes;
}

Result<std::unique_ptr<Simulation>> simulate(const PreparedRun& run, RunObserver* observer,
                                             std::span<const int> parallel_model) {
  const Scenario& s = *run.scenario;
  auto out = std::make_unique<Simulation>();
  out->sim = std::make_unique<Simulator>(static_cast<uint64_t>(s.seed));
  out->net = std::make_unique<Network>(*out->sim, run.graph, fabric_config(s));
  Network& net = *out->net;
  const EngineKind* engine =
      engines().find(run.job ? run.job->engine : std::string_view(s.engine_name()));
  const bool on_fabric = engine->on_fabric;
  std::vector<FlowSpec> flows = run.flows;
  size_t job_flows = 0;
  int64_t job_bytes = 0;
  if (on_fabric || engine->routes) {
    std::vector<JobTransfer> transfers;
    if (run.job) transfers = network_transfers(run.job->graph, run.job->map);
    job_flows = transfers.size();
    for (const JobTransfer& t : transfers) job_bytes += t.bytes;
    auto plan = install_load_balancing(run.graph, run.job ? &transfers : nullptr, flows, net);
    if (!plan) return plan.status();
    out->report.plan = std::move(plan).value();
  }
  // A flow list at flow level: the engine starts the flows on the fabric's clock.
  if (!run.job && !on_fabric) {
    out->fluid = std::make_unique<FlowEngine>(*out->sim, net);
    if (auto st = out->fluid->add_flows(std::move(flows)); !st) return st.with_context("traffic");
  } else if (auto st = net.add_flows(std::move(flows)); !st) {
    return st.with_context("traffic");
  }
  if (!run.faults.empty()) {
    out->faults = std::make_unique<FaultInjector>(net, run.faults, s.recovery);
  }

  std::unique_ptr<Sampler> sampler;
  if (s.telemetry.enabled && on_fabric) {
    const SamplingPlan plan = sampling_plan(run, net);
    sampler =
        std::make_unique<Sampler>(net, s.telemetry, plan.interval, plan.automatic, plan.start);
  }
  const Time stop = stop_time_of(run, net);
  // A job's end is expected near its alpha-beta time (stop_time_of's auto cap is 1 s + 10x).
  const Time expected = run.job && s.stop_time == Time::zero() && stop > Time::sec(1)
                            ? (stop - Time::sec(1)) / 10
                            : Time::zero();
  ProgressBridge bridge{observer, &net, expected, job_flows, job_bytes};
  if (observer != nullptr) out->sim->set_progress(&ProgressBridge::call, &bridge, 1 << 20);
  if (!parallel_model.empty()) {
    out->parallel = std::make_unique<ParallelModel>(run.graph, parallel_model);
    out->parallel->attach(*out->sim);
  }
  const auto wall0 = std::chrono::steady_clock::now();
  FabricRecord engine_record;
  if (run.job) {
    auto times = run_job(run.job->graph, run.job->map, *engine, net, stop,
                         engine->routes ? &engine_record : nullptr);
    if (!times) return times.status();
    out->task_times = std::move(times).value();
  } else {
    net.run(stop);
  }
  const auto wall1 = std::chrono::steady_clock::now();
  out->sim->set_progress(nullptr, nullptr, 0);
  if (out->parallel) out->parallel->detach();
  if (sampler) {
    sampler->finish();
    out->telemetry = sampler->take_record();
  }
  RunReport& r = out->report;
  if (out->faults) {
    r.faults = out->faults->finish();
    if (out->telemetry) add_link_events(*r.faults, *out->telemetry);
  }
  if (run.job) {
    JobReport jr;
    const Choice<WorkloadType>& w = s.workload.kind;
    w.selected().report(w.params(), *run.job, out->task_times, run.graph, jr);
    r.workload = std::move(jr.training);
    r.collective = std::move(jr.collective);
  }

  r.scenario = s.name;
  r.seed = static_cast<uint64_t>(s.seed);
  r.provenance = provenance_of(s);
  r.provenance.notes = run.notes;
  r.hosts = run.graph.hosts().size();
  r.switches = run.graph.switch_count();
  r.links = run.graph.links().size();
  r.modules = fabric_modules(run.graph);
  r.sim_end = out->sim->now();
  r.wall_seconds = std::chrono::duration<double>(wall1 - wall0).count();
  r.events = out->sim->events_processed();
  r.engine = engine->name;

  FabricRecord f;
  if (out->fluid) {
    out->fluid->record(f, r.sim_end);
  } else if (engine->routes) {
    f = std::move(engine_record);
  } else {
    f = collect_fabric_record(net, r.sim_end);
  }
  r.flows = std::move(f.flows);
  r.ports = std::move(f.ports);
  r.makespan = f.makespan;
  r.stopped_early = f.stopped_early;
  r.payload_sent = f.payload_sent;
  r.payload_received = f.payload_received;
  r.payload_dropped = f.payload_dropped;
  r.payload_blackholed = f.payload_blackholed;
  r.blackholed = f.blackholed;
  r.payload_in_network = f.payload_in_network;
  r.buffer_drops = f.buffer_drops;
  r.headroom_drops = f.headroom_drops;
  r.link_drops = f.link_drops;
  r.no_route_drops = f.no_route_drops;
  r.trims = f.trims;
  r.trim_drops = f.trim_drops;
  r.packet_hops = f.packet_hops;
  r.pause_frames = f.pause_frames;
  r.credit_frames = f.credit_frames;
  r.credit_drops = f.credit_drops;
  r.stop_time = stop;
  r.stop_time_auto = s.stop_time == Time::zero();
  r.verdict = verdict_of(r, run, out->task_times, s);
  r.tier_imbalance = link_imbalance(r.ports, run.graph);
  r.fabric_imbalance = fabric_imbalance(r.ports, run.graph);
  if (s.horizon.length > Time::zero()) {
    auto h = fault_horizon(s, run.graph);
    if (!h) return h.status();
    r.horizon = std::move(h).value();
  }
  r.peak_memory_mib = peak_memory_mib();
  return out;
}

RunRecord run_record(const Simulation& sim, const PreparedRun& run) {
  RunRecord rec{sim.report, run.graph};
  rec.telemetry = sim.telemetry ? &*sim.telemetry : nullptr;
  rec.job = run.job ? &*run.job : nullptr;
  rec.task_times = &sim.task_times;
  rec.openmetrics = run.scenario->telemetry.openmetrics;
  return rec;
}

}  // namespace aifabric
