#include "aifabric/scenario/prepare.h"

#include <filesystem>

#include "aifabric/core/simulator.h"
#include "aifabric/topo/link_states.h"

namespace aifabric {

std::string resolve_path(const Scenario& s, const std::string& file) {
  std::filesystem::path p(file);
  if (p.is_absolute()) return file;
  return (std::filesystem::path(s.base_dir) / p).string();
}

Result<TopologyGraph> build_topology(const Scenario& s) {
  BuildContext ctx;
  ctx.resolve = [&s](const std::string& f) { return resolve_path(s, f); };
  const Choice<TopologyBuilder>& kind = s.topology.kind;
  auto g = kind.selected().build(kind.params(), ctx);
  if (!g) return g;
  if (auto st = apply_link_states(s.topology.failed_links, s.topology.degraded_links, *g); !st) {
    return st;
  }
  return g;
}

Result<PreparedRun> prepare_run(const Scenario& s) {
  PreparedRun run;
  run.scenario = std::make_shared<Scenario>(s);
  auto graph = build_topology(s);
  if (!graph) return graph.status().with_context("topology");
  run.graph = std::move(graph).value();
  if (auto st = run.graph.validate(); !st) return st.with_context("topology");
  const Choice<WorkloadType>& w = s.workload.kind;
  if (w.selected().prepare != nullptr) {
    const JobContext ctx{run.graph, static_cast<uint8_t>(s.transport.data_priority)};
    auto job = w.selected().prepare(w.params(), ctx);
    if (!job) return job.status();
    run.job = std::move(job).value();
    return run;
  }
  // One stream per traffic entry, from the run seed.
  Simulator seeds(static_cast<uint64_t>(s.seed));
  for (size_t i = 0; i < s.traffic.size(); ++i) {
    RandomStream rng = seeds.stream("traffic/" + std::to_string(i));
    TrafficContext ctx{run.graph, static_cast<uint8_t>(s.transport.data_priority), rng,
                       [&s](const std::string& f) { return resolve_path(s, f); }};
    const Choice<TrafficGenerator>& t = s.traffic[i].kind;
    auto flows = t.selected().generate(t.params(), ctx);
    if (!flows) return flows.status().with_context("traffic." + std::to_string(i));
    for (auto& f : flows.value()) run.flows.push_back(f);
  }
  if (run.flows.empty()) return Status::error("traffic: no flows to simulate");
  return run;
}

}  // namespace aifabric
