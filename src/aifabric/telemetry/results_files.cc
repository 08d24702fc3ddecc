#include "aifabric/telemetry/results_files.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>

#include "aifabric/telemetry/sinks/trace_json/chrome_trace.h"
#include "aifabric/telemetry/sinks/fct_txt/fct_txt.h"
#include "aifabric/telemetry/sinks/openmetrics/openmetrics.h"
#include "aifabric/telemetry/report/report_html.h"
#include "aifabric/telemetry/sinks/sqlite/sqlite_store.h"

namespace aifabric {

Percentiles percentiles(std::vector<double>& v) {
  Percentiles p;
  p.count = v.size();
  if (v.empty()) return p;
  std::sort(v.begin(), v.end());
  auto rank = [&](double q) {
    const auto k = static_cast<size_t>(std::ceil(q * static_cast<double>(v.size())));
    return v[std::clamp<size_t>(k, 1, v.size()) - 1];
  };
  double sum = 0;
  for (double x : v) sum += x;
  p.mean = sum / static_cast<double>(v.size());
  p.p50 = rank(0.50);
  p.p95 = rank(0.95);
  p.p99 = rank(0.99);
  p.max = v.back();
  return p;
}

double share_at_least(std::span<const double> v, double x) {
  if (v.empty()) return 0;
  const auto n = std::count_if(v.begin(), v.end(), [x](double y) { return y >= x; });
  return static_cast<double>(n) / static_cast<double>(v.size());
}

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

const char* kind_name(NodeKind k) {
  return k == NodeKind::kHost ? "host" : "switch";
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
  for (const auto& p : r.ports) {
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
  j["aifabric_version"] = AIFABRIC_VERSION;
  j["topology"] = {{"hosts", r.hosts}, {"switches", r.switches}, {"links", r.links}};
  j["time"] = {{"simulated_s", r.sim_end.to_seconds()},
               {"makespan_s", r.makespan.to_seconds()},
               {"stopped_at_stop_time", r.stopped_early}};
  j["flows"] = {{"total", r.flows.size()}, {"completed", done},
                {"failed", failed},        {"unfinished", unfinished},
                {"bytes", bytes},          {"fct_us", to_json(fct)},
                {"slowdown", to_json(sd)}, {"retransmitted_packets", retx},
                {"timeouts", timeouts}};
  j["flows"]["slowdown"]["fraction_at_least_1_5x"] = slow_1_5;
  j["flows"]["slowdown"]["fraction_at_least_2x"] = slow_2;
  j["drops"] = {{"packets", r.buffer_drops + r.headroom_drops + r.link_drops + r.no_route_drops},
                {"buffer", r.buffer_drops},
                {"pfc_headroom", r.headroom_drops},
                {"link_errors", r.link_drops},
                {"no_route", r.no_route_drops}};
  j["pfc"] = {{"pause_frames", r.pause_frames},
              {"paused_time_us_total", paused_us},
              {"ports_paused", ports_paused}};
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
  j["payload_bytes"] = {{"sent", r.payload_sent},
                        {"received", r.payload_received},
                        {"dropped", r.payload_dropped},
                        {"in_network", r.payload_in_network},
                        {"conserved", r.payload_sent == r.payload_received + r.payload_dropped +
                                                            r.payload_in_network}};
  const double wall = std::max(r.wall_seconds, 1e-9);
  if (r.workload) {
    const WorkloadReport& w = *r.workload;
    nlohmann::ordered_json wj;
    wj["backend"] = w.backend;
    wj["iteration_s"] = w.iteration.to_seconds();
    wj["compute_s"] = w.compute.to_seconds();
    wj["pipeline_bubble_s"] = w.bubble.to_seconds();
    wj["exposed_communication_s"] = w.exposed_comm.to_seconds();
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
  j["engine"] = {{"wall_s", r.wall_seconds},
                 {"events", r.events},
                 {"events_per_s", static_cast<double>(r.events) / wall},
                 {"packet_hops", r.packet_hops},
                 {"packet_hops_per_s", static_cast<double>(r.packet_hops) / wall},
                 {"simulated_s_per_wall_s", r.sim_end.to_seconds() / wall},
                 {"peak_memory_mib", r.peak_memory_mib}};
  return j;
}

void write_plan_csv(std::ostream& out, const PlanReport& p, const TopologyGraph& g) {
  out << "src,dst,priority,bytes,sport,dport,path\n";
  for (const PlannedDemand& d : p.assignment) {
    out << fmt::format("{},{},{},{},{},{},{}\n", g.nodes()[g.hosts()[d.src]].name,
                       g.nodes()[g.hosts()[d.dst]].name, d.priority, d.bytes, d.sport, kRoceUdpPort,
                       d.path);
  }
}

void write_flows_csv(std::ostream& out, const RunReport& r, const TopologyGraph& g) {
  out << "flow_id,src,dst,sport,dport,priority,size_bytes,start_us,finish_us,fct_us,"
         "ideal_fct_us,slowdown,received_bytes,retx_packets,ecn_marked_packets,cnps,timeouts,"
         "status,loss_retx_packets,duplicate_packets,ooo_packets,reorder_depth_max_packets,"
         "reorder_depth_mean_packets,rob_max_packets,rob_mean_packets\n";
  for (const auto& f : r.flows) {
    const bool done = f.status == FlowRow::Status::kDone;
    out << fmt::format("{},{},{},{},{},{},{},{:.6f},", f.spec.id,
                       g.nodes()[g.hosts()[f.spec.src]].name, g.nodes()[g.hosts()[f.spec.dst]].name,
                       f.spec.sport, f.spec.dport, f.spec.priority, f.spec.size,
                       f.spec.start.to_us());
    if (done) {
      out << fmt::format("{:.6f},{:.6f},", (f.spec.start + f.fct).to_us(), f.fct.to_us());
    } else {
      out << ",,";
    }
    out << fmt::format("{:.6f},", f.ideal.to_us());
    out << (done ? fmt::format("{:.6f}", f.slowdown) : std::string());
    out << fmt::format(",{},{},{},{},{},{},{},{},{},{},{:.3f},{},{:.3f}\n", f.received_bytes,
                       f.retx_packets, f.ecn_marked, f.cnps, f.timeouts, flow_status_name(f.status),
                       f.loss_retx, f.duplicates, f.ooo_packets, f.reorder_depth_max,
                       f.reorder_depth_mean, f.rob_max_packets, f.rob_mean_packets);
  }
}

void write_ports_csv(std::ostream& out, const RunReport& r, const TopologyGraph& g) {
  out << "node,node_kind,tier,port,peer,peer_kind,rate_gbps,delay_us,tx_bytes,tx_packets,"
         "utilization_pct,max_queue_bytes,ecn_marked_packets,pause_tx_frames,pause_rx_frames,"
         "paused_us,drop_packets,link_error_drops\n";
  for (const auto& p : r.ports) {
    const TopoNode& n = g.nodes()[p.node];
    const TopoNode& peer = g.nodes()[p.peer];
    const PortCounters& c = p.counters;
    out << fmt::format("{},{},{},{},{},{},{:g},{:g},{},{},{:.4f},{},{},{},{},{:.3f},{},{}\n",
                       n.name, kind_name(n.kind), n.tier, p.port, peer.name, kind_name(peer.kind),
                       p.rate.to_gbps(), p.delay.to_us(), c.tx_bytes, c.tx_packets,
                       100.0 * p.utilization, c.max_queue_bytes, c.ecn_marked, c.pause_tx,
                       c.pause_rx, p.paused.to_us(), c.drops, c.link_drops);
  }
}

Status write_results(const std::string& dir, const Simulation& sim, const PreparedRun& run) {
  const TopologyGraph& g = run.graph;
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Status::error("--out " + dir + ": cannot create the folder: " + ec.message());
  auto open = [&](const std::string& name, std::ofstream& f) -> Status {
    f.open(std::filesystem::path(dir) / name);
    if (!f) return Status::error("--out " + dir + ": cannot write " + name);
    return Status::ok();
  };
  std::ofstream summary, flows, ports, fct;
  if (auto s = open("summary.json", summary); !s) return s;
  const std::string summary_text_json = summary_json(sim.report).dump(2);
  summary << summary_text_json << "\n";
  if (auto s = open("flows.csv", flows); !s) return s;
  write_flows_csv(flows, sim.report, g);
  if (auto s = open("ports.csv", ports); !s) return s;
  write_ports_csv(ports, sim.report, g);
  if (auto s = open("fct.txt", fct); !s) return s;
  write_fct_txt(fct, *sim.net);
  if (sim.report.plan) {
    std::ofstream plan;
    if (auto s = open("plan.csv", plan); !s) return s;
    write_plan_csv(plan, *sim.report.plan, g);
  }
  // The job timeline of one data-parallel replica (all stages and tensor ranks).
  std::vector<TaskRecord> tasks;
  if (run.iteration) {
    const TaskGraph& tg = run.iteration->graph;
    for (size_t i = 0; i < tg.size(); ++i) {
      const Task& t = tg.tasks()[i];
      if ((run.plan && run.plan->dp_of(t.rank) != 0) || sim.task_times.finish[i] == Time::max())
        continue;
      if (t.kind == TaskKind::kCompute && t.duration == Time::zero()) continue;  // joins
      const TaskGroup& grp = tg.groups()[t.group];
      tasks.push_back(TaskRecord{static_cast<uint32_t>(i), t.rank, grp.kind, grp.name,
                                 sim.task_times.start[i], sim.task_times.finish[i]});
    }
  }
  if (auto s = write_sqlite((std::filesystem::path(dir) / "telemetry.sqlite").string(), sim.report,
                            g, sim.sampler.get(), tasks, summary_text_json);
      !s) {
    return s;
  }
  if (sim.sampler && run.scenario->telemetry.openmetrics) {
    std::ofstream prom;
    if (auto s = open("metrics.prom", prom); !s) return s;
    write_openmetrics(prom, *sim.sampler, g);
  }
  if (auto s = write_report_html(dir); !s) return s;
  const TraceScope scope = run.scenario->workload.llm.trace;
  if (run.iteration && scope != TraceScope::kNone) {
    std::ofstream trace;
    if (auto s = open("trace.json", trace); !s) return s;
    if (scope == TraceScope::kAll) {
      write_chrome_trace(trace, run.iteration->graph, sim.task_times, run.iteration->map);
    } else {
      // One data-parallel replica: tasks of other replicas are left out (the writer
      // skips tasks without a finish time). Thousands of GPUs would make the file huge.
      TaskTimes shown = sim.task_times;
      const auto& tasks = run.iteration->graph.tasks();
      for (size_t i = 0; i < tasks.size(); ++i) {
        if (run.plan && run.plan->dp_of(tasks[i].rank) != 0) shown.finish[i] = Time::max();
      }
      write_chrome_trace(trace, run.iteration->graph, shown, run.iteration->map);
    }
  }
  return Status::ok();
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
  if (r.workload) {
    const WorkloadReport& w = *r.workload;
    out += fmt::format("iteration     {:.4f} s ({} backend, {} tasks)\n", w.iteration.to_seconds(),
                       w.backend, w.tasks);
    out += fmt::format("compute       {:.4f} s on the busiest GPU, pipeline bubble {:.4f} s\n",
                       w.compute.to_seconds(), w.bubble.to_seconds());
    out += fmt::format("communication {:.4f} s exposed = {:.1f} % of the iteration\n",
                       w.exposed_comm.to_seconds(), 100 * w.comm_share);
    out += fmt::format(
        "training      {:.2f} days simulated (iteration x iterations), {:.2f} days by T = 8 T P / "
        "(N X)\n",
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
  out += fmt::format("flows         {} of {} completed{}\n", done, r.flows.size(),
                     r.stopped_early ? " (stop_time reached)" : "");
  out += fmt::format("makespan      {:.3f} us\n", r.makespan.to_us());
  out += fmt::format("FCT           p50 {:.2f} us, p99 {:.2f} us, max {:.2f} us\n", fct.p50,
                     fct.p99, fct.max);
  out += fmt::format("slowdown      p50 {:.3f}, p99 {:.3f}, max {:.3f}\n", s.p50, s.p99, s.max);
  out += fmt::format(
      "drops         {} packets ({} buffer, {} headroom, {} link errors); {} retransmitted\n",
      r.buffer_drops + r.headroom_drops + r.link_drops + r.no_route_drops, r.buffer_drops,
      r.headroom_drops, r.link_drops, retx);
  out += fmt::format("PFC           {} pause frames\n", r.pause_frames);
  const double wall = std::max(r.wall_seconds, 1e-9);
  out += fmt::format(
      "engine        {:.2f} s wall, {:.2f} M events/s, {:.2f} M packet-hops/s, {:.0f} MiB peak\n",
      r.wall_seconds, static_cast<double>(r.events) / wall / 1e6,
      static_cast<double>(r.packet_hops) / wall / 1e6, r.peak_memory_mib);
  return out;
}

}  // namespace aifabric
