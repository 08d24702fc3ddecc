#include "aifabric/telemetry/sinks/summary_json/summary_json.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "aifabric/telemetry/stats.h"

namespace aifabric {
namespace {

nlohmann::ordered_json to_json(const Percentiles& p) {
  return {{"mean", p.mean}, {"p50", p.p50}, {"p95", p.p95}, {"p99", p.p99}, {"max", p.max}};
}

nlohmann::ordered_json to_json(const Imbalance& s) {
  nlohmann::ordered_json j = {
      {"links", s.links}, {"mean_pct", s.mean}, {"min_pct", s.min}, {"max_pct", s.max}};
  // JSON has no infinity: an idle link makes max/min undefined (null).
  if (std::isfinite(s.max_over_min)) {
    j["max_over_min"] = s.max_over_min;
  } else {
    j["max_over_min"] = nullptr;
  }
  j["max_over_mean"] = s.max_over_mean;
  j["max_minus_min_over_mean"] = s.spread_over_mean;
  j["coefficient_of_variation"] = s.cv;
  return j;
}

}  // namespace

nlohmann::ordered_json summary_json(const RunReport& r) {
  std::vector<double> fct_us;
  std::vector<double> slowdown;
  size_t done = 0, failed = 0, unfinished = 0;
  int64_t bytes = 0, retx = 0, cnps = 0, timeouts = 0;
  for (const auto& f : r.flows) {
    bytes += f.spec.size;
    retx += f.retx_packets;
    cnps += f.cnps;
    timeouts += f.timeouts;
    if (f.status == FlowRow::Status::kDone) {
      ++done;
      fct_us.push_back(f.fct.to_us());
      slowdown.push_back(f.slowdown);
    } else if (f.status == FlowRow::Status::kFailed) {
      ++failed;
    } else {
      ++unfinished;
    }
  }
  int64_t ecn = 0;
  double paused_us = 0;
  size_t ports_paused = 0;
  double starved_us = 0;
  size_t ports_starved = 0;
  for (const auto& p : r.ports) {
    starved_us += p.starved.to_us();
    if (p.starved > Time::zero()) ++ports_starved;
    ecn += p.counters.ecn_marked;
    paused_us += p.paused.to_us();
    if (p.paused > Time::zero()) ++ports_paused;
  }
  const double slow_1_5 = share_at_least(slowdown, 1.5);
  const double slow_2 = share_at_least(slowdown, 2.0);
  const Percentiles fct = percentiles(fct_us);
  const Percentiles sd = percentiles(slowdown);
  const Imbalance& util = r.fabric_imbalance;  // working switch-to-switch links
  nlohmann::ordered_json j;
  j["scenario"] = r.scenario;
  j["seed"] = r.seed;
  j["aifabric_version"] = r.provenance.version;
  j["run"] = {{"name", r.provenance.name},
              {"seed", r.provenance.seed},
              {"aifabric_version", r.provenance.version},
              {"command", r.provenance.command},
              {"overrides", r.provenance.overrides},
              {"scenario_file", r.provenance.scenario_file},
              {"ns3_config", r.provenance.ns3_config},
              {"notes", r.provenance.notes}};
  j["verdict"] = {{"status", r.verdict.name()}, {"text", r.verdict.text}};
  j["topology"] = {{"hosts", r.hosts}, {"switches", r.switches}, {"links", r.links}};
  j["time"] = {{"simulated_s", r.sim_end.to_seconds()},
               {"makespan_s", r.makespan.to_seconds()},
               {"stop_time_s", r.stop_time.to_seconds()},
               {"stop_time_auto", r.stop_time_auto},
               {"stopped_at_stop_time", r.verdict.status == Verdict::Status::kStopTime}};
  j["flows"] = {{"total", r.flows.size()}, {"completed", done},
                {"failed", failed},        {"unfinished", unfinished},
                {"bytes", bytes},          {"fct_us", to_json(fct)},
                {"slowdown", to_json(sd)}, {"retransmitted_packets", retx},
                {"timeouts", timeouts}};
  j["flows"]["slowdown"]["fraction_at_least_1_5x"] = slow_1_5;
  j["flows"]["slowdown"]["fraction_at_least_2x"] = slow_2;
  j["drops"] = {{"packets", r.buffer_drops + r.headroom_drops + r.link_drops + r.no_route_drops +
                                r.trim_drops},
                {"buffer", r.buffer_drops},
                {"pfc_headroom", r.headroom_drops},
                {"link_errors", r.link_drops},
                {"no_route", r.no_route_drops},
                {"trimmed_header_queue", r.trim_drops}};
  j["trimming"] = {{"trimmed_packets", r.trims}, {"header_drops", r.trim_drops}};
  j["pfc"] = {{"pause_frames", r.pause_frames},
              {"paused_time_us_total", paused_us},
              {"ports_paused", ports_paused}};
  j["cbfc"] = {{"credit_frames", r.credit_frames},
               {"starved_time_us_total", starved_us},
               {"ports_starved", ports_starved},
               {"credit_drops", r.credit_drops}};
  j["ecn"] = {{"marked_packets", ecn}, {"cnps", cnps}};
  j["fabric_link_utilization_pct"] = {{"min", util.min},
                                      {"mean", util.mean},
                                      {"max", util.max},
                                      {"max_over_mean", util.max_over_mean}};
  {
    int64_t ooo = 0, dups = 0, loss_retx = 0, depth_max = 0, rob_max = 0;
    double depth_mean_max = 0, rob_mean_max = 0;
    for (const auto& f : r.flows) {
      ooo += f.ooo_packets;
      dups += f.duplicates;
      loss_retx += f.loss_retx;
      depth_max = std::max(depth_max, f.reorder_depth_max);
      rob_max = std::max(rob_max, f.rob_max_packets);
      depth_mean_max = std::max(depth_mean_max, f.reorder_depth_mean);
      rob_mean_max = std::max(rob_mean_max, f.rob_mean_packets);
    }
    j["reordering"] = {{"out_of_order_packets", ooo},
                       {"reorder_depth_max_packets", depth_max},
                       {"reorder_depth_mean_packets_worst_flow", depth_mean_max},
                       {"reorder_buffer_max_packets", rob_max},
                       {"reorder_buffer_mean_packets_worst_flow", rob_mean_max},
                       {"loss_retransmissions", loss_retx},
                       {"duplicate_packets", dups}};
  }
  j["fabric_link_imbalance"] = to_json(r.fabric_imbalance);
  for (const auto& t : r.tier_imbalance) j["link_imbalance_by_tier"][t.tiers] = to_json(t.stats);
  if (r.plan) {
    j["planned_paths"] = {{"method", r.plan->method},
                          {"demands", r.plan->demands},
                          {"max_link_bytes", r.plan->max_link_bytes},
                          {"lower_bound_bytes", r.plan->lower_bound_bytes}};
  }
  if (r.collective) {
    const CollectiveReport& c = *r.collective;
    j["collective"] = {{"op", c.op},
                       {"algorithm", c.algorithm},
                       {"ranks", c.ranks},
                       {"bytes", c.bytes},
                       {"finished", c.finished()},
                       {"time_us", c.finished() ? nlohmann::ordered_json(c.time.to_us())
                                                : nlohmann::ordered_json(nullptr)},
                       {"algbw_GBps", c.algbw_gbs},
                       {"busbw_GBps", c.busbw_gbs},
                       {"nic_line_rate_GBps", c.line_rate_gbs},
                       {"busbw_over_line_rate", c.busbw_gbs / c.line_rate_gbs}};
  }
  j["payload_bytes"] = {
      {"sent", r.payload_sent},
      {"received", r.payload_received},
      {"dropped", r.payload_dropped},
      {"blackholed", r.payload_blackholed},
      {"in_network", r.payload_in_network},
      {"conserved", r.payload_sent == r.payload_received + r.payload_dropped +
                                          r.payload_blackholed + r.payload_in_network}};
  if (r.faults) {
    const FaultRecord& f = *r.faults;
    size_t happened = 0;
    uint32_t affected = 0, failed = 0;
    Time detect_max, converge_max;
    for (const FaultRow& row : f.rows) {
      if (!row.happened) continue;
      ++happened;
      affected += row.flows_affected;
      failed += row.flows_failed;
      if (row.detected != Time::max()) detect_max = std::max(detect_max, row.detected);
      for (Time t : {row.local_repair, row.notices_done, row.control_plane_done}) {
        if (t != Time::max()) converge_max = std::max(converge_max, t);
      }
    }
    j["faults"] = {{"recovery_mode", f.mode},
                   {"detection", f.detection},
                   {"scheduled", f.rows.size()},
                   {"happened", happened},
                   {"blackholed_packets", f.blackholed_packets},
                   {"blackholed_bytes", r.payload_blackholed},
                   {"notices", f.notices},
                   {"route_installs", f.route_installs},
                   {"flows_affected", affected},
                   {"flows_failed", failed},
                   {"max_detection_us", detect_max.to_us()},
                   {"max_convergence_us", converge_max.to_us()}};
  }
  if (r.horizon) {
    const HorizonReport& h = *r.horizon;
    nlohmann::ordered_json classes = nlohmann::ordered_json::array();
    for (size_t i = 0; i < h.classes.size(); ++i) {
      const FaultClass& c = h.classes[i];
      const ClassOutcome& o = h.simulated.classes[i];
      const ClassOutcome& e = h.expected.classes[i];
      classes.push_back({{"class", c.name},
                         {"elements", c.elements},
                         {"mtbf_hours", c.mtbf_hours},
                         {"fails_job", h.costs[i].fails_job},
                         {"stall_per_fault_us", h.costs[i].stall.to_us()},
                         {"faults", o.faults},
                         {"faults_expected", e.faults},
                         {"job_failures", o.job_failures},
                         {"job_failures_expected", e.job_failures}});
    }
    auto hours = [](Time t) { return t.to_seconds() / 3600; };
    auto block = [&](const HorizonResult& x) {
      return nlohmann::ordered_json{{"job_failures", x.job_failures},
                                    {"stall_h", hours(x.stall)},
                                    {"restart_h", hours(x.restart)},
                                    {"lost_work_h", hours(x.lost_work)},
                                    {"checkpoint_h", hours(x.checkpoint)},
                                    {"fault_loss_h", hours(x.fault_loss())},
                                    {"goodput", x.goodput()}};
    };
    j["fault_horizon"] = {{"horizon_h", hours(h.simulated.horizon)},
                          {"probe_collective_us", h.probe_time.to_us()},
                          {"checkpoint_interval_s", h.policy.interval.to_seconds()},
                          {"checkpoint_write_s", h.policy.write.to_seconds()},
                          {"restart_s", h.policy.restart.to_seconds()},
                          {"job_mtbf_hours", std::isfinite(h.job_mtbf_hours)
                                                 ? nlohmann::ordered_json(h.job_mtbf_hours)
                                                 : nlohmann::ordered_json(nullptr)},
                          {"young_daly_interval_s", h.young_daly.to_seconds()},
                          {"classes", classes},
                          {"simulated", block(h.simulated)},
                          {"expected", block(h.expected)}};
  }
  const double wall = std::max(r.wall_seconds, 1e-9);
  if (r.workload) {
    const WorkloadReport& w = *r.workload;
    nlohmann::ordered_json wj;
    wj["backend"] = w.backend;
    wj["finished"] = w.finished;
    // An unfinished iteration has no time: null, never a huge number.
    const auto time_or_null = [&w](Time t) {
      return w.finished ? nlohmann::ordered_json(t.to_seconds()) : nlohmann::ordered_json(nullptr);
    };
    wj["iteration_s"] = time_or_null(w.iteration);
    wj["iterations"] = w.iterations;
    wj["first_iteration_s"] = time_or_null(w.first_iteration);
    wj["compute_s"] = time_or_null(w.compute);
    wj["pipeline_bubble_s"] = time_or_null(w.bubble);
    wj["exposed_communication_s"] = time_or_null(w.exposed_comm);
    wj["communication_share"] = w.comm_share;
    wj["tasks"] = w.tasks;
    wj["training_days_simulated"] = w.training_days_simulated;
    wj["training_days_formula"] = w.training_days_formula;
    for (const auto& c : w.collectives) {
      wj["collectives"].push_back({{"name", c.name},
                                   {"kind", c.kind},
                                   {"ranks", c.ranks},
                                   {"bytes", c.bytes},
                                   {"instances", c.instances},
                                   {"mean_time_us", c.mean_time.to_us()},
                                   {"algbw_GBps", c.algbw_gbs},
                                   {"busbw_GBps", c.busbw_gbs}});
    }
    j["workload"] = wj;
  }
  j["engine"] = {{"name", r.engine},
                 {"wall_s", r.wall_seconds},
                 {"events", r.events},
                 {"events_per_s", static_cast<double>(r.events) / wall},
                 {"packet_hops", r.packet_hops},
                 {"packet_hops_per_s", static_cast<double>(r.packet_hops) / wall},
                 {"simulated_s_per_wall_s", r.sim_end.to_seconds() / wall},
                 {"peak_memory_mib", r.peak_memory_mib}};
  return j;
}

std::string summary_text(const RunReport& r) {
  std::vector<double> fct_us, sd;
  size_t done = 0;
  int64_t retx = 0;
  for (const auto& f : r.flows) {
    retx += f.retx_packets;
    if (f.status == FlowRow::Status::kDone) {
      ++done;
      fct_us.push_back(f.fct.to_us());
      sd.push_back(f.slowdown);
    }
  }
  const Percentiles fct = percentiles(fct_us);
  const Percentiles s = percentiles(sd);
  std::string out;
  out += fmt::format("scenario      {} (seed {}): {} hosts, {} switches, {} links\n", r.scenario,
                     r.seed, r.hosts, r.switches, r.links);
  out += fmt::format("verdict       {}\n", r.verdict.text);
  if (r.workload && !r.workload->finished) {
    out += fmt::format("iteration     unfinished ({} backend, {} tasks)\n", r.workload->backend,
                       r.workload->tasks);
  } else if (r.workload) {
    const WorkloadReport& w = *r.workload;
    out += fmt::format("iteration     {:.4f} s ({} backend, {} tasks)\n", w.iteration.to_seconds(),
                       w.backend, w.tasks);
    if (w.iterations > 1) {
      out += fmt::format(
          "iterations    {}: the first {:.4f} s, the others {:.4f} s each (steady state)\n",
          w.iterations, w.first_iteration.to_seconds(), w.iteration.to_seconds());
    }
    out += fmt::format("compute       {:.4f} s on the busiest GPU, pipeline bubble {:.4f} s\n",
                       w.compute.to_seconds(), w.bubble.to_seconds());
    out += fmt::format("communication {:.4f} s exposed = {:.1f} % of the iteration\n",
                       w.exposed_comm.to_seconds(), 100 * w.comm_share);
    out += fmt::format(
        "training      {:.2f} days simulated (iteration x iterations), {:.2f} days by Megatron's "
        "T = 8 (6 without recompute) T P_active / (N X), a lower bound\n",
        w.training_days_simulated, w.training_days_formula);
    out += fmt::format("{:<16} {:<14} {:>6} {:>14} {:>10} {:>14} {:>12} {:>12}\n", "collective",
                       "kind", "ranks", "bytes", "instances", "mean time(us)", "algbw(GB/s)",
                       "busbw(GB/s)");
    for (const auto& c : w.collectives) {
      out += fmt::format("{:<16} {:<14} {:>6} {:>14} {:>10} {:>14.1f} {:>12.2f} {:>12.2f}\n",
                         c.name, c.kind, c.ranks, c.bytes, c.instances, c.mean_time.to_us(),
                         c.algbw_gbs, c.busbw_gbs);
    }
    if (r.flows.empty()) return out;
  }
  if (r.collective && !r.collective->finished()) {
    const CollectiveReport& c = *r.collective;
    out += fmt::format("collective    {} ({}), {} ranks x {} B: not finished by stop_time\n", c.op,
                       c.algorithm, c.ranks, c.bytes);
  } else if (r.collective) {
    const CollectiveReport& c = *r.collective;
    out += fmt::format(
        "collective    {} ({}), {} ranks x {} B: {:.1f} us, algbw {:.2f} GB/s, busbw {:.2f} GB/s "
        "= {:.1f} % of the {:.1f} GB/s NIC\n",
        c.op, c.algorithm, c.ranks, c.bytes, c.time.to_us(), c.algbw_gbs, c.busbw_gbs,
        100 * c.busbw_gbs / c.line_rate_gbs, c.line_rate_gbs);
  }
  if (r.plan) {
    out += fmt::format("planned paths {} demands, busiest link {} B (lower bound {} B): {}\n",
                       r.plan->demands, r.plan->max_link_bytes, r.plan->lower_bound_bytes,
                       r.plan->method);
  }
  if (r.fabric_imbalance.links > 0) {
    const Imbalance& f = r.fabric_imbalance;
    out += fmt::format(
        "fabric links  utilization {:.1f}-{:.1f} % (mean {:.1f} %), max/mean {:.2f}, CV {:.3f}\n",
        f.min, f.max, f.mean, f.max_over_mean, f.cv);
  }
  out += fmt::format("flows         {} of {} completed\n", done, r.flows.size());
  if (done == r.flows.size()) {
    out += fmt::format("makespan      {:.3f} us\n", r.makespan.to_us());
  } else {
    out += fmt::format("makespan      none: not every flow completed (ran {:.3f} us)\n",
                       r.sim_end.to_us());
  }
  if (done == 0) {
    out += "FCT           none: no flow completed\n";
  } else {
    out +=
        fmt::format("FCT           p50 {:.2f} us, p99 {:.2f} us, max {:.2f} us (completed flows)\n",
                    fct.p50, fct.p99, fct.max);
    out += fmt::format("slowdown      p50 {:.3f}, p99 {:.3f}, max {:.3f}\n", s.p50, s.p99, s.max);
  }
  out += fmt::format(
      "drops         {} packets ({} buffer, {} headroom, {} link errors); {} retransmitted\n",
      r.buffer_drops + r.headroom_drops + r.link_drops + r.no_route_drops + r.trim_drops,
      r.buffer_drops, r.headroom_drops, r.link_drops, retx);
  if (r.trims + r.trim_drops > 0) {
    out += fmt::format("trimming      {} packets trimmed to headers, {} headers dropped\n", r.trims,
                       r.trim_drops);
  }
  out += fmt::format("PFC           {} pause frames\n", r.pause_frames);
  if (r.credit_frames > 0 || r.credit_drops > 0) {
    out += fmt::format("CBFC          {} credit frames, {} credit drops\n", r.credit_frames,
                       r.credit_drops);
  }
  if (r.faults) {
    const FaultRecord& f = *r.faults;
    size_t happened = 0;
    uint32_t failed = 0;
    for (const FaultRow& row : f.rows) {
      happened += row.happened ? 1 : 0;
      failed += row.flows_failed;
    }
    out += fmt::format(
        "faults        {} of {} happened ({} recovery): {} packets blackholed, {} notices, "
        "{} flows failed (faults.csv)\n",
        happened, f.rows.size(), f.mode, f.blackholed_packets, f.notices, failed);
  }
  if (r.horizon) {
    const HorizonReport& h = *r.horizon;
    const HorizonResult& x = h.simulated;
    out += fmt::format(
        "horizon       {:.0f} h: {:.0f} job failures, {:.2f} h lost to faults ({:.2f} h "
        "expected), {:.2f} h checkpointing; goodput {:.2f} %\n",
        x.horizon.to_seconds() / 3600, x.job_failures, x.fault_loss().to_seconds() / 3600,
        h.expected.fault_loss().to_seconds() / 3600, x.checkpoint.to_seconds() / 3600,
        100 * x.goodput());
  }
  const double wall = std::max(r.wall_seconds, 1e-9);
  out += fmt::format(
      "engine        {}: {:.2f} s wall, {:.2f} M events/s, {:.2f} M packet-hops/s, {:.0f} MiB "
      "peak\n",
      r.engine, r.wall_seconds, static_cast<double>(r.events) / wall / 1e6,
      static_cast<double>(r.packet_hops) / wall / 1e6, r.peak_memory_mib);
  return out;
}

}  // namespace aifabric
