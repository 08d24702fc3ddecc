// What a finished fabric run leaves behind, as plain records owned by the fabric layer
// that produced them: one row per flow (its outcome and the transport's counters) and
// one per transmitting port, plus the fabric-wide totals (payload accounting, drops by
// cause, pause frames). Sinks and reports read these, never the live devices.
#pragma once

#include <cstdint>
#include <vector>

#include "aifabric/core/units.h"
#include "aifabric/net/port.h"
#include "aifabric/transport/flow_spec.h"

namespace aifabric {

class Network;

struct FlowRow {
  FlowSpec spec;
  enum class Status { kNotStarted, kUnfinished, kDone, kFailed } status = Status::kNotStarted;
  Time fct;    // completion (last ACK back at the sender) minus start
  Time ideal;  // the same flow alone on an idle fabric
  double slowdown = 0;
  int64_t received_bytes = 0;
  int64_t retx_packets = 0;
  int64_t ecn_marked = 0;
  int64_t cnps = 0;
  int64_t timeouts = 0;
  int64_t ooo_packets = 0;        // data packets that arrived ahead of a missing one
  int64_t loss_retx = 0;          // selective: retransmitted because declared lost
  int64_t duplicates = 0;         // copies the receiver already had (spurious retransmissions)
  int64_t reorder_depth_max = 0;  // packets
  double reorder_depth_mean = 0;  // over the packets that arrived below the highest seen
  int64_t rob_max_packets = 0;    // reorder-buffer occupancy peak
  double rob_mean_packets = 0;    // mean occupancy sampled at every arrival
  int64_t payload_sent = 0;       // payload bytes the sender put on the wire
};

// "done", "failed", "unfinished" or "not_started", as the output files spell it.
const char* flow_status_name(FlowRow::Status s);

struct PortRow {
  uint32_t node = 0;
  uint32_t peer = 0;
  uint16_t port = 0;
  BitRate rate;
  Time delay;
  PortCounters counters;
  Time paused;         // summed over priorities
  Time starved;        // CBFC: time lanes waited for credits, summed over lanes
  double utilization;  // tx bytes / (rate x makespan)
};

struct FabricRecord {
  std::vector<FlowRow> flows;
  std::vector<PortRow> ports;
  Time makespan;               // last flow finish (or the end of the run if some did not)
  bool stopped_early = false;  // some flow did not complete
  // Payload accounting (bytes): sent = received + dropped + blackholed + in the network.
  int64_t payload_sent = 0, payload_received = 0, payload_dropped = 0, payload_in_network = 0;
  int64_t payload_blackholed = 0;  // lost on links that were down (faults)
  int64_t blackholed = 0;          // frames lost so
  int64_t buffer_drops = 0, headroom_drops = 0, link_drops = 0, no_route_drops = 0;
  // Packet trimming: data packets cut to headers, and headers dropped at a full header
  // queue (counted as drops at their port, not in the drops above).
  int64_t trims = 0, trim_drops = 0;
  int64_t packet_hops = 0;  // data/ACK/NACK/CNP frames delivered across one link
  int64_t pause_frames = 0;
  int64_t credit_frames = 0;  // CBFC credit updates sent
  int64_t credit_drops = 0;   // CBFC lane frames beyond their credits (a model bug: 0)
};

// The row of port `i` of `node` (by node id): where it goes and its link; no counters.
PortRow port_row(const Network& net, uint32_t node, size_t i);
// tx bytes / (rate x makespan).
double port_utilization(const PortRow& row, Time makespan);

// The records of `net` after a run that ended at `end` (the simulator's clock).
FabricRecord collect_fabric_record(const Network& net, Time end);

}  // namespace aifabric
