// What telemetry recorded during a run, as plain data the sinks (telemetry.sqlite,
// metrics.prom, report.html) read: per-port counter samples named after the OpenConfig
// paths a real switch streams (docs/telemetry.md), per-priority queue samples where
// something happened, queue-pair rates, pause episodes and alarm events.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "aifabric/core/units.h"

namespace aifabric {

struct PortSample {
  uint32_t port;  // port id (see Sampler::port_ids)
  Time t;
  int64_t out_octets;          // interfaces/interface/state/counters/out-octets
  int64_t out_payload_octets;  // data payload bytes of those frames (goodput, retransmissions in)
  int64_t out_pkts;            // .../out-unicast-pkts (data, ACK, NACK, CNP)
  int64_t queue_bytes;  // qos/interfaces/interface/output/queues/queue/state/... depth, all classes
  int64_t ecn_marked;   // .../queues/queue/state/... ECN-marked packets
  int64_t pause_tx;     // ethernet/state/counters/out-mac-pause-frames
  int64_t pause_rx;     // ethernet/state/counters/in-mac-pause-frames
  Time paused;          // time this transmitter was paused, all priorities
  int64_t drops;        // .../queues/queue/state/dropped-pkts (refused by the switch)
  int64_t link_errors;  // frames lost to the link's error rate (in-fcs-errors at the peer)
};

// Per-priority detail of a port sample, kept only where something happened.
struct QueueSample {
  uint32_t port;
  uint8_t priority;
  Time t;
  int64_t depth_bytes;  // qos/.../queues/queue[name=priority]/state/... queue depth
  Time paused;          // time this priority has been paused at the transmitter
};

struct QpSample {
  uint32_t flow;
  Time t;
  int64_t rate_bps;
  int64_t window_bytes;  // congestion window; 0 = rate-only
  Time rtt;              // latest RTT sample
  int64_t retx_packets;
  int64_t payload_sent;
};

struct PauseEpisode {
  uint32_t port;
  uint8_t priority;
  Time start;
  Time end;
};

// A timestamped event for the store: alarms crossing a threshold and detected storms.
struct TelemetryEvent {
  std::string kind;  // "alarm_queue", "pause_storm"
  uint32_t port;
  int64_t priority;  // -1 when not per priority
  Time start;
  Time end;
  std::string detail;
};

struct TelemetryRecord {
  // Port id i is (node_of_port[i], index_of_port[i]) in the topology graph.
  std::vector<uint32_t> node_of_port;
  std::vector<uint16_t> index_of_port;
  std::vector<PortSample> samples;
  std::vector<QpSample> qp_samples;
  std::vector<QueueSample> queue_samples;
  std::vector<PauseEpisode> pauses;
  std::vector<TelemetryEvent> events;
};

}  // namespace aifabric
