#include "aifabric/scenario/prepare.h"

#include <filesystem>
#include <optional>

#include "aifabric/core/parse.h"
#include "aifabric/core/simulator.h"
#include "aifabric/engine/transfer_engine.h"
#include "aifabric/fabric/switch/shared_buffer.h"
#include "aifabric/net/packet.h"
#include "aifabric/scenario/simulate.h"
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

namespace {

// Every switch's buffer holds the PFC headroom its lossless ingresses reserve, and room
// for at least a frame beyond it.
Status check_buffers(const Scenario& s, const TopologyGraph& g) {
  const int lossless = SharedBuffer::lossless_priorities(s.switch_config);
  const int credit_lanes = SharedBuffer::credit_lanes(s.switch_config);
  if (lossless == 0 && credit_lanes == 0) return Status::ok();
  const int64_t max_frame = s.transport.mtu.count() + kRoceHeaderBytes + kL1OverheadBytes;
  // A lane with credits for less than one frame could never send it.
  if (credit_lanes > 0 && s.switch_config.cbfc.credits.count() != 0 &&
      s.switch_config.cbfc.credits.count() < max_frame) {
    return Status::error("switch.cbfc.credits: " + format_bytes(s.switch_config.cbfc.credits) +
                         " is less than one frame (" + std::to_string(max_frame) +
                         " B: transport.mtu plus headers)");
  }
  for (uint32_t id = 0; id < g.nodes().size(); ++id) {
    if (g.nodes()[id].kind != NodeKind::kSwitch) continue;
    int64_t reserved = 0;
    for (const Adjacent& a : g.adjacent(id)) {
      const LinkParams& l = g.links()[a.link].params;
      reserved += lossless * SharedBuffer::headroom_for(s.switch_config, l, max_frame) +
                  credit_lanes * SharedBuffer::credits_for(s.switch_config, l, max_frame);
    }
    if (reserved + max_frame > s.switch_config.buffer.count()) {
      return Status::error("switch.buffer: " + format_bytes(s.switch_config.buffer) +
                           " cannot hold the PFC headroom and CBFC credits of " +
                           g.nodes()[id].name + " (" + std::to_string(g.adjacent(id).size()) +
                           " ports x " + std::to_string(lossless) + " lossless priorities and " +
                           std::to_string(credit_lanes) +
                           " credit lanes: " + std::to_string(reserved) +
                           " B) and a frame more; raise switch.buffer, or set "
                           "switch.pfc.headroom or switch.cbfc.credits");
    }
  }
  return Status::ok();
}

// The notes of the scenario's origin (an ns-3 config's unmapped keys), then the advice
// on its settings.
std::vector<std::string> notes_of(const Scenario& s) {
  std::vector<std::string> notes = s.origin.notes;
  if (!s.origin.profile_settings.empty()) {
    std::string set;
    for (const std::string& k : s.origin.profile_settings) set += (set.empty() ? "" : ", ") + k;
    notes.push_back("transport.profile " +
                    std::string(kTransportProfileNames[static_cast<int>(s.transport.profile)]) +
                    " set " + set);
  }
  for (std::string& n : scenario_notes(s)) notes.push_back(std::move(n));
  return notes;
}

}  // namespace

Result<PreparedRun> prepare_run(const Scenario& s) {
  PreparedRun run;
  run.scenario = std::make_shared<Scenario>(s);
  auto graph = build_topology(s);
  if (!graph) return graph.status().with_context("topology");
  run.graph = std::move(graph).value();
  std::optional<AggregationTree> aggregation;
  if (s.switch_config.aggregation.enabled) {
    auto tree = add_aggregators(run.graph, s.switch_config.aggregation);
    if (!tree) return tree.status();
    aggregation = std::move(tree).value();
  }
  if (auto st = run.graph.validate(); !st) return st.with_context("topology");
  if (auto st = check_buffers(s, run.graph); !st) return st;
  auto faults =
      plan_faults(s.faults, s.random_faults, run.graph, s.stop_time, static_cast<uint64_t>(s.seed));
  if (!faults) {
    return s.origin.file.empty() ? faults.status() : faults.status().with_context(s.origin.file);
  }
  run.faults = std::move(faults).value();
  const Choice<WorkloadType>& w = s.workload.kind;
  if (w.selected().prepare != nullptr) {
    const JobContext ctx{run.graph, static_cast<uint8_t>(s.transport.data_priority),
                         [&s](const std::string& f) { return resolve_path(s, f); },
                         aggregation ? &*aggregation : nullptr};
    auto job = w.selected().prepare(w.params(), ctx);
    if (!job) return job.status();
    run.job = std::move(job).value();
    if (!run.faults.empty()) {
      const EngineKind* engine = engines().find(run.job->engine);
      if (engine != nullptr && !engine->on_fabric) {
        return Status::error("faults: the " + std::string(run.job->engine) +
                             " backend has no fabric for faults to happen on; set "
                             "workload.backend: packet");
      }
    }
    run.notes = notes_of(s);
    return run;
  }
  if (!run.faults.empty() && s.engine_name() != "packet") {
    return Status::error("faults: the flow level does not model faults yet; set engine: packet");
  }
  if (run.graph.planes() > 1) {
    return Status::error("traffic: a flow list names hosts, and on a multi-plane topology (" +
                         std::to_string(run.graph.planes()) +
                         " planes) most host pairs are in different planes with no path "
                         "between them; run a workload (llm, collective), whose connections "
                         "spread over the planes");
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
  run.notes = notes_of(s);
  if (s.stop_time > Time::zero()) {
    Time first = Time::max();
    size_t late = 0;
    for (const FlowSpec& f : run.flows) {
      first = std::min(first, f.start);
      late += f.start >= s.stop_time ? 1 : 0;
    }
    if (late == run.flows.size()) {
      return Status::error("stop_time: the run would end (" + format_time(s.stop_time) +
                           ") before the first flow starts (" + format_time(first) +
                           "); set a later stop_time, or 0 to run until the traffic is done");
    }
    if (late > 0) {
      run.notes.push_back(std::to_string(late) + " of " + std::to_string(run.flows.size()) +
                          " flows start at or after stop_time (" + format_time(s.stop_time) +
                          ") and will not run");
    }
  }
  return run;
}

}  // namespace aifabric
