#include "aifabric/telemetry/sinks/ports_csv/ports_csv.h"

#include <fmt/format.h>

namespace aifabric {

namespace {

const char* kind_name(NodeKind k) {
  return k == NodeKind::kHost ? "host" : "switch";
}

}  // namespace

void write_ports_csv(std::ostream& out, const RunReport& r, const TopologyGraph& g) {
  out << "node,node_kind,tier,port,peer,peer_kind,rate_gbps,delay_us,tx_bytes,tx_packets,"
         "utilization_pct,max_queue_bytes,ecn_marked_packets,pause_tx_frames,pause_rx_frames,"
         "paused_us,drop_packets,link_error_drops,trimmed_packets,credit_tx_frames,credit_starved_"
         "us\n";
  for (const auto& p : r.ports) {
    const TopoNode& n = g.nodes()[p.node];
    const TopoNode& peer = g.nodes()[p.peer];
    const PortCounters& c = p.counters;
    out << fmt::format(
        "{},{},{},{},{},{},{:g},{:g},{},{},{:.4f},{},{},{},{},{:.3f},{},{},{},{},{:.3f}\n", n.name,
        kind_name(n.kind), n.tier, p.port, peer.name, kind_name(peer.kind), p.rate.to_gbps(),
        p.delay.to_us(), c.tx_bytes, c.tx_packets, 100.0 * p.utilization, c.max_queue_bytes,
        c.ecn_marked, c.pause_tx, c.pause_rx, p.paused.to_us(), c.drops, c.link_drops, c.trims,
        c.credit_tx, p.starved.to_us());
  }
}

}  // namespace aifabric
