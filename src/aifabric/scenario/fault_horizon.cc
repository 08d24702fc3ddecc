#include "aifabric/scenario/fault_horizon.h"

#include <cmath>

#include "aifabric/core/parse.h"
#include "aifabric/scenario/prepare.h"
#include "aifabric/scenario/simulate.h"

namespace aifabric {
namespace {

constexpr const char* kProbe = R"(
name: fault-probe
topology:
  type: leaf_spine
  leaves: 8
  spines: 4
  hosts_per_leaf: 2
  host_link: {rate: 400Gbps, delay: 1us}
  fabric_link: {rate: 400Gbps, delay: 1us}
switch:
  buffer: 32MiB
  ecn: {enabled: true, k_min: 400KB, k_max: 1600KB, p_max: 0.2}
  pfc: {enabled: true, priorities: [3]}
cc: {algorithm: dcqcn}
workload: {type: collective, op: all_reduce, algorithm: ring, placement: across_leaves}
telemetry: {enabled: false}
)";

// The probe collective's time with `fault` (none: empty kind), or failure.
struct ProbeResult {
  Time time;
  bool failed = false;
};

Result<ProbeResult> probe(const Scenario& s, const FaultSpec* fault) {
  auto p = load_scenario_text(kProbe, "fault probe",
                              {"workload.size=" + format_bytes(s.horizon.probe_size)});
  if (!p) return p.status();
  Scenario& probe = **p;
  probe.seed = s.seed;
  probe.transport = s.transport;
  probe.recovery = s.recovery;
  if (fault != nullptr) probe.faults = {*fault};
  auto run = prepare_run(probe);
  if (!run) return run.status();
  auto sim = simulate(*run, nullptr);
  if (!sim) return sim.status();
  const RunReport& r = (*sim)->report;
  ProbeResult out;
  out.failed =
      !r.collective || !r.collective->finished() || r.verdict.status != Verdict::Status::kCompleted;
  if (!out.failed) out.time = r.collective->time;
  return out;
}

}  // namespace

Result<HorizonReport> fault_horizon(const Scenario& s, const TopologyGraph& g) {
  const HorizonSpec& h = s.horizon;
  HorizonReport rep;
  rep.counts = count_elements(g, h.host_links_copper);
  FaultRates rates;
  rates.optic_mtbf_hours = h.optic_mtbf_hours;
  rates.link_mtbf_hours = h.link_mtbf_hours;
  rates.switch_mtbf_hours = h.switch_mtbf_hours;
  rates.nic_mtbf_hours = h.nic_mtbf_hours;
  rep.classes = default_fault_classes(rep.counts, rates);
  auto base = probe(s, nullptr);
  if (!base) return base.status().with_context("horizon: the probe without a fault");
  if (base->failed) return Status::error("horizon: the probe collective fails without a fault");
  rep.probe_time = base->time;
  auto entry = [](FaultKind kind, const char* link, const char* node) {
    FaultSpec f;
    f.at = Time::us(200);
    f.kind = kind;
    f.link = link;
    f.node = node;
    return f;
  };
  const FaultSpec link = entry(FaultKind::kLinkDown, "leaf0-spine1", "");
  const FaultSpec sw = entry(FaultKind::kSwitchDown, "", "spine1");
  const FaultSpec nic = entry(FaultKind::kNicDown, "", "host0");
  for (const FaultClass& c : rep.classes) {
    const FaultSpec* f = c.name == "switch" ? &sw : c.name == "nic" ? &nic : &link;
    auto r = probe(s, f);
    if (!r) return r.status().with_context("horizon: the " + c.name + " probe");
    FaultCost cost;
    cost.fails_job = r->failed;
    if (!r->failed) cost.stall = std::max(Time::zero(), r->time - base->time);
    rep.costs.push_back(cost);
  }
  rep.policy = CheckpointPolicy{s.recovery.checkpoint_interval, s.recovery.checkpoint_write,
                                s.recovery.restart_time};
  auto sim =
      simulate_horizon(rep.classes, rep.costs, rep.policy, h.length, static_cast<uint64_t>(s.seed));
  if (!sim) return sim.status().with_context("horizon");
  rep.simulated = std::move(sim).value();
  auto exp = expected_horizon(rep.classes, rep.costs, rep.policy, h.length);
  if (!exp) return exp.status().with_context("horizon");
  rep.expected = std::move(exp).value();
  rep.job_mtbf_hours = job_mtbf_hours(rep.classes, rep.costs);
  if (std::isfinite(rep.job_mtbf_hours))
    rep.young_daly = young_daly_interval(rep.policy.write, rep.job_mtbf_hours);
  return rep;
}

}  // namespace aifabric
