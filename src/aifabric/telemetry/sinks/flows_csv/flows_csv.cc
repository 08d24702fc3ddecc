#include "aifabric/telemetry/sinks/flows_csv/flows_csv.h"

#include <fmt/format.h>

namespace aifabric {

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

}  // namespace aifabric
