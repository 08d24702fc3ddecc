#include "aifabric/scenario/resources.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <vector>

#include "aifabric/core/parse.h"

namespace aifabric {
namespace {

// Measured peak bytes per item (docs/reliability.md, "Memory budget").
constexpr double kPerHost = 1200;     // graph node, NIC, its port, names
constexpr double kPerSwitch = 1500;   // graph node, switch, balancer, shared buffer
constexpr double kPerLink = 1600;     // graph link, two ports with their queues and state
constexpr double kPerTableEntry = 4;  // forwarding: a row entry per switch per attachment
constexpr double kPerFlow = 1800;     // specs, queue pairs at both ends, records, outputs
constexpr double kPerTask = 260;      // task, dependencies, executor state, times
constexpr double kTelemetry = 256.0 * 1024 * 1024;  // samples are capped (probes/sampler.h)
constexpr double kBase = 64.0 * 1024 * 1024;        // the process itself
// Work budgets, whatever the memory: past these a run takes hours (and its results
// folder gigabytes); --allow-large runs it anyway.
constexpr uint64_t kMaxFlows = uint64_t{1} << 21;  // 2,097,152
constexpr uint64_t kMaxTasks = uint64_t{1} << 25;  // 33,554,432

std::string gib(double b) {
  return fmt::format("{:.1f} GiB", b / (1024.0 * 1024 * 1024));
}

void total(ResourceEstimate& e, bool telemetry) {
  const double graph = kPerHost * static_cast<double>(e.hosts) +
                       kPerSwitch * static_cast<double>(e.switches) +
                       kPerLink * static_cast<double>(e.links);
  const double tables =
      kPerTableEntry * static_cast<double>(e.switches) * static_cast<double>(e.attachments);
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
    e.attachments = z.attachments;
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
  std::vector<char> is_attachment(run.graph.nodes().size(), 0);
  for (uint32_t h : run.graph.hosts()) {
    for (const Adjacent& a : run.graph.adjacent(h)) is_attachment[a.peer] = 1;
  }
  for (char c : is_attachment) e.attachments += c;
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
  if (e.flows > kMaxFlows) {
    return Status::error(fmt::format(
        "the run has {} flows, more than the {} a run may have (hours of simulation and a "
        "results folder of gigabytes); make it smaller or pass --allow-large",
        e.flows, kMaxFlows));
  }
  if (e.tasks > kMaxTasks) {
    return Status::error(fmt::format(
        "the job has {} tasks, more than the {} a run may have; make it smaller or pass "
        "--allow-large",
        e.tasks, kMaxTasks));
  }
  std::string source;
  const double budget = memory_budget(&source);
  if (e.bytes <= budget) return Status::ok();
  return Status::error(fmt::format(
      "the run needs about {} of memory ({}) but the budget is {} ({}); make it smaller, or "
      "set AIFABRIC_MEMORY_BUDGET or pass --allow-large",
      gib(e.bytes), e.detail, gib(budget), source));
}

}  // namespace aifabric
