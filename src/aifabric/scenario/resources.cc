#include "aifabric/scenario/resources.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>

#include "aifabric/core/parse.h"

namespace aifabric {
namespace {

// Measured peak bytes per item (docs/reliability.md, "Memory budget").
constexpr double kPerHost = 1200;     // graph node, NIC, its port, names
constexpr double kPerSwitch = 1500;   // graph node, switch, balancer, shared buffer
constexpr double kPerLink = 1600;     // graph link, two ports with their queues and state
constexpr double kPerTableEntry = 4;  // forwarding: one entry per switch per destination host
constexpr double kPerFlow = 1800;     // specs, queue pairs at both ends, records, outputs
constexpr double kPerTask = 260;      // task, dependencies, executor state, times
constexpr double kTelemetry = 256.0 * 1024 * 1024;  // samples are capped (probes/sampler.h)
constexpr double kBase = 64.0 * 1024 * 1024;        // the process itself

std::string gib(double b) {
  return fmt::format("{:.1f} GiB", b / (1024.0 * 1024 * 1024));
}

void total(ResourceEstimate& e, bool telemetry) {
  const double graph = kPerHost * static_cast<double>(e.hosts) +
                       kPerSwitch * static_cast<double>(e.switches) +
                       kPerLink * static_cast<double>(e.links);
  const double tables =
      kPerTableEntry * static_cast<double>(e.switches) * static_cast<double>(e.hosts);
  const double flows = kPerFlow * static_cast<double>(e.flows);
  const double tasks = kPerTask * static_cast<double>(e.tasks);
  e.bytes = kBase + graph + tables + flows + tasks + (telemetry ? kTelemetry : 0);
  e.detail = fmt::format(
      "{} hosts, {} switches, {} links: devices {}, forwarding tables {}; {} flows: {}; {} tasks: "
      "{}",
      e.hosts, e.switches, e.links, gib(graph), gib(tables), e.flows, gib(flows), e.tasks,
      gib(tasks));
}

}  // namespace

ResourceEstimate estimate_scenario(const Scenario& s) {
  ResourceEstimate e;
  const Choice<TopologyBuilder>& t = s.topology.kind;
  if (t.selected().size != nullptr) {
    const TopologySize z = t.selected().size(t.params());
    e.hosts = z.hosts;
    e.switches = z.switches;
    e.links = z.links;
  }
  for (const TrafficSpec& spec : s.traffic) {
    const Choice<TrafficGenerator>& g = spec.kind;
    if (g.selected().count != nullptr) e.flows += g.selected().count(g.params(), e.hosts);
  }
  total(e, s.telemetry.enabled);
  return e;
}

ResourceEstimate estimate_prepared(const PreparedRun& run) {
  ResourceEstimate e;
  e.hosts = run.graph.hosts().size();
  e.switches = run.graph.switch_count();
  e.links = run.graph.links().size();
  e.flows = run.flows.size();
  if (run.job) {
    e.tasks = run.job->graph.size();
    for (const Task& t : run.job->graph.tasks()) {
      if (t.kind == TaskKind::kTransfer && !run.job->map.same_node(t.rank, t.peer)) ++e.flows;
    }
  }
  total(e, run.scenario->telemetry.enabled);
  return e;
}

double memory_budget(std::string* source) {
  if (const char* env = std::getenv("AIFABRIC_MEMORY_BUDGET"); env != nullptr) {
    auto b = parse_bytes(env);
    if (b && b->count() > 0) {
      if (source != nullptr) *source = "AIFABRIC_MEMORY_BUDGET";
      return static_cast<double>(b->count());
    }
  }
  const double phys =
      static_cast<double>(sysconf(_SC_PHYS_PAGES)) * static_cast<double>(sysconf(_SC_PAGE_SIZE));
  if (source != nullptr) *source = "80 % of this machine's " + gib(phys);
  return 0.8 * phys;
}

Status check_estimate(const ResourceEstimate& e, bool allow_large) {
  if (allow_large) return Status::ok();
  std::string source;
  const double budget = memory_budget(&source);
  if (e.bytes <= budget) return Status::ok();
  return Status::error(fmt::format(
      "the run needs about {} of memory ({}) but the budget is {} ({}); make it smaller, or "
      "set AIFABRIC_MEMORY_BUDGET or pass --allow-large",
      gib(e.bytes), e.detail, gib(budget), source));
}

}  // namespace aifabric
