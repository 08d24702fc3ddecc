#include "aifabric/scenario/simulate.h"

#include <sys/resource.h>

#include <chrono>

#include "aifabric/control/load_balancing.h"
#include "aifabric/engine/transfer_engine.h"
#include "aifabric/fabric/records.h"
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
  static void call(void* ctx, const Simulator& sim) {
    auto* b = static_cast<ProgressBridge*>(ctx);
    b->observer->progress(sim, b->net->flows_finished(), b->net->flows().size());
  }
};

}  // namespace

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

Result<std::unique_ptr<Simulation>> simulate(const PreparedRun& run, RunObserver* observer) {
  const Scenario& s = *run.scenario;
  auto out = std::make_unique<Simulation>();
  out->sim = std::make_unique<Simulator>(static_cast<uint64_t>(s.seed));
  out->net = std::make_unique<Network>(*out->sim, run.graph, fabric_config(s));
  Network& net = *out->net;
  const EngineKind* engine = run.job ? engines().find(run.job->engine) : nullptr;
  const bool on_fabric = engine == nullptr || engine->on_fabric;
  std::vector<FlowSpec> flows = run.flows;
  if (on_fabric) {
    std::vector<JobTransfer> transfers;
    if (run.job) transfers = network_transfers(run.job->graph, run.job->map);
    auto plan = install_load_balancing(run.graph, run.job ? &transfers : nullptr, flows, net);
    if (!plan) return plan.status();
    out->report.plan = std::move(plan).value();
  }
  if (auto st = net.add_flows(std::move(flows)); !st) return st.with_context("traffic");

  std::unique_ptr<Sampler> sampler;
  if (s.telemetry.enabled && on_fabric) sampler = std::make_unique<Sampler>(net, s.telemetry);
  ProgressBridge bridge{observer, &net};
  if (observer != nullptr) out->sim->set_progress(&ProgressBridge::call, &bridge, 1 << 20);
  const auto wall0 = std::chrono::steady_clock::now();
  if (run.job) {
    auto times = run_job(run.job->graph, run.job->map, *engine, net, s.stop_time);
    if (!times) return times.status();
    out->task_times = std::move(times).value();
  } else {
    net.run(s.stop_time);
  }
  const auto wall1 = std::chrono::steady_clock::now();
  out->sim->set_progress(nullptr, nullptr, 0);
  if (sampler) {
    sampler->finish();
    out->telemetry = sampler->take_record();
  }
  RunReport& r = out->report;
  if (run.job) {
    JobReport jr;
    const Choice<WorkloadType>& w = s.workload.kind;
    w.selected().report(w.params(), *run.job, out->task_times, run.graph, jr);
    r.workload = std::move(jr.training);
    r.collective = std::move(jr.collective);
  }

  r.scenario = s.name;
  r.seed = static_cast<uint64_t>(s.seed);
  r.hosts = run.graph.hosts().size();
  r.switches = run.graph.switch_count();
  r.links = run.graph.links().size();
  r.sim_end = out->sim->now();
  r.wall_seconds = std::chrono::duration<double>(wall1 - wall0).count();
  r.events = out->sim->events_processed();

  FabricRecord f = collect_fabric_record(net, r.sim_end);
  r.flows = std::move(f.flows);
  r.ports = std::move(f.ports);
  r.makespan = f.makespan;
  r.stopped_early = f.stopped_early;
  r.payload_sent = f.payload_sent;
  r.payload_received = f.payload_received;
  r.payload_dropped = f.payload_dropped;
  r.payload_in_network = f.payload_in_network;
  r.buffer_drops = f.buffer_drops;
  r.headroom_drops = f.headroom_drops;
  r.link_drops = f.link_drops;
  r.no_route_drops = f.no_route_drops;
  r.packet_hops = f.packet_hops;
  r.pause_frames = f.pause_frames;
  r.tier_imbalance = link_imbalance(r.ports, run.graph);
  r.fabric_imbalance = fabric_imbalance(r.ports, run.graph);
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
