#include "aifabric/scenario/sweep.h"

#include <fmt/format.h>

#include <cctype>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string_view>

#include "aifabric/telemetry/report/sweep_report.h"
#include "aifabric/telemetry/sinks/output.h"
#include "aifabric/telemetry/stats.h"

namespace aifabric {

Result<Vary> parse_vary(const std::string& vary) {
  const size_t eq = vary.find('=');
  if (eq == std::string::npos || eq == 0 || eq + 1 == vary.size()) {
    return Status::error("--vary '" + vary + "': expected KEY=V1,V2,...");
  }
  Vary v;
  v.key = vary.substr(0, eq);
  for (size_t b = eq + 1; b <= vary.size();) {
    const size_t e = vary.find(',', b);
    v.values.push_back(vary.substr(b, e == std::string::npos ? std::string::npos : e - b));
    if (v.values.back().empty()) {
      return Status::error("--vary '" + vary + "': value " + std::to_string(v.values.size()) +
                           " is empty");
    }
    v.labels.push_back(v.values.back());
    if (v.values.back().front() == '@') {
      const std::string file = v.values.back().substr(1);
      std::ifstream in(file, std::ios::binary);
      std::ostringstream text;
      text << in.rdbuf();
      if (!in || file.empty()) {
        return Status::error("--vary '" + v.key + "=...': cannot read '" + file + "'");
      }
      v.values.back() = text.str();
      v.labels.back() = std::filesystem::path(file).stem().string();
    }
    if (e == std::string::npos) break;
    b = e + 1;
  }
  return v;
}

std::vector<std::vector<std::string>> sweep_grid(const std::vector<Vary>& axes) {
  std::vector<std::vector<std::string>> out{{}};
  for (const Vary& a : axes) {
    std::vector<std::vector<std::string>> next;
    for (const auto& prefix : out) {
      for (const auto& v : a.values) {
        next.push_back(prefix);
        next.back().push_back(v);
      }
    }
    out = std::move(next);
  }
  return out;
}

std::string safe_folder_name(const std::string& label) {
  std::string out;
  for (const char c : label) {
    const bool ok = std::isalnum(static_cast<unsigned char>(c)) != 0 ||
                    std::string_view("=,._+-@").find(c) != std::string_view::npos;
    out += ok ? c : '_';
  }
  if (out.empty() || out == "." || out == "..") out = "_" + out;
  return out.substr(0, 200);
}

std::string SweepRow::label_for_table(size_t axes) const {
  if (axes != 1) return label;
  const size_t eq = label.find('=');
  return eq == std::string::npos ? label : label.substr(eq + 1);
}

Status write_point(OutputFolder& sweep, const std::string& folder, const Simulation& sim,
                   const PreparedRun& run) {
  const std::string dir = (std::filesystem::path(sweep.staging()) / folder).string();
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Status::error("--out " + sweep.dir() + "/" + folder + ": " + ec.message());
  auto written = write_outputs(dir, run_record(sim, run));
  if (!written) return written.status().with_context("--out " + sweep.dir() + "/" + folder);
  return mark_complete(dir);
}

Status write_sweep_files(OutputFolder& sweep, const std::vector<SweepRow>& rows) {
  std::vector<SweepPoint> points;
  points.reserve(rows.size());
  for (const SweepRow& r : rows) {
    points.push_back({r.label, (std::filesystem::path(sweep.staging()) / r.folder).string()});
  }
  return write_sweep_report(sweep.staging(), points).with_context("--out " + sweep.dir());
}

namespace {

// Runs with faults end each row with what the faults did: frames blackholed and flows
// (queue pairs) that failed.
std::string with_faults(std::string line, const RunReport& r, bool header) {
  if (!r.faults) return line;
  line.pop_back();  // the newline
  if (header) return line + fmt::format(" {:>11} {:>8}\n", "blackholed", "failed");
  uint32_t failed = 0;
  for (const FaultRow& f : r.faults->rows) failed += f.flows_failed;
  return line + fmt::format(" {:>11} {:>8}\n", r.faults->blackholed_packets, failed);
}

std::string header_of(const std::string& key, const RunReport& first);
std::string row_of(const std::string& value, const RunReport& r);

}  // namespace

// The sweep's table: one row per value, columns by what the scenario runs.
std::string sweep_header(const std::string& key, const RunReport& first) {
  return with_faults(header_of(key, first), first, true);
}

std::string sweep_row(const std::string& value, const RunReport& r) {
  return with_faults(row_of(value, r), r, false);
}

namespace {

std::string header_of(const std::string& key, const RunReport& first) {
  if (first.workload) {
    // Switches, links and optical modules beside the time: the trade-off of a topology
    // sweep.
    return fmt::format("{:<24} {:>14} {:>14} {:>14} {:>10} {:>9} {:>9} {:>9}\n", key,
                       "iteration(s)", "compute(s)", "exposed(s)", "comm(%)", "switches", "links",
                       "modules");
  }
  const std::string common = fmt::format("{:>14} {:>9} {:>9} {:>8} {:>8} {:>8}\n", "util max/min",
                                         "max/mean", "util CV", "retx", "ooo pkts", "pauses");
  if (first.collective) {
    return fmt::format("{:<24} {:>12} {:>12} {:>10} ", key, "time(us)", "busbw(GB/s)", "busbw(%)") +
           common;
  }
  return fmt::format("{:<24} {:>12} {:>10} {:>10} {:>9} ", key, "makespan(us)", "p50 slowdn",
                     "p99 slowdn", ">=1.5x(%)") +
         common;
}

std::string row_of(const std::string& value, const RunReport& r) {
  if (r.workload && !r.workload->finished) {
    return fmt::format("{:<24} {:>14} {:>14} {:>14} {:>10} {:>9} {:>9} {:>9}\n", value,
                       "unfinished", "-", "-", "-", r.switches, r.links, r.modules);
  }
  if (r.workload) {
    const WorkloadReport& w = *r.workload;
    return fmt::format("{:<24} {:>14.4f} {:>14.4f} {:>14.4f} {:>10.1f} {:>9} {:>9} {:>9}\n", value,
                       w.iteration.to_seconds(), w.compute.to_seconds(),
                       w.exposed_comm.to_seconds(), 100 * w.comm_share, r.switches, r.links,
                       r.modules);
  }
  int64_t retx = 0, ooo = 0;
  std::vector<double> sd;
  for (const auto& f : r.flows) {
    retx += f.retx_packets;
    ooo += f.ooo_packets;
    if (f.status == FlowRow::Status::kDone) sd.push_back(f.slowdown);
  }
  const Imbalance& u = r.fabric_imbalance;
  const std::string common = fmt::format(
      "{:>14} {:>9.2f} {:>9.3f} {:>8} {:>8} {:>8}\n",
      std::isfinite(u.max_over_min) ? fmt::format("{:.2f}", u.max_over_min) : std::string("inf"),
      u.max_over_mean, u.cv, retx, ooo, r.pause_frames);
  if (r.collective && !r.collective->finished()) {
    return fmt::format("{:<24} {:>12} {:>12} {:>10} ", value, "unfinished", "-", "-") + common;
  }
  if (r.collective) {
    const CollectiveReport& c = *r.collective;
    return fmt::format("{:<24} {:>12.1f} {:>12.2f} {:>10.1f} ", value, c.time.to_us(), c.busbw_gbs,
                       100 * c.busbw_gbs / c.line_rate_gbs) +
           common;
  }
  const double slow_pct = 100.0 * share_at_least(sd, 1.5);
  const Percentiles p = percentiles(sd);
  return fmt::format("{:<24} {:>12.1f} {:>10.3f} {:>10.3f} {:>9.1f} ", value, r.makespan.to_us(),
                     p.p50, p.p99, slow_pct) +
         common;
}

}  // namespace

}  // namespace aifabric
