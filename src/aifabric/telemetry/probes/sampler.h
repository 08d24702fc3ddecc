// Periodic telemetry of a live network: every `interval` it samples each transmitting
// port's counters (named after the OpenConfig paths a real switch streams; see
// docs/telemetry.md) and each active queue pair's rate, and it listens to the ports'
// pause episodes. Samples stay in memory until the run is written out.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "aifabric/core/params.h"
#include "aifabric/core/simulator.h"
#include "aifabric/fabric/network.h"

namespace aifabric {

struct TelemetryConfig final : Params {
  bool enabled = true;
  // Alarms (0 = off): an egress queue deeper than alarm_queue at a sample, and a pause
  // episode longer than pause_storm (a transmitter stuck paused: the PFC storm that
  // operators watch for).
  Bytes alarm_queue = Bytes(0);
  Time pause_storm = Time::ms(1);
  bool openmetrics = false;  // also write metrics.prom (OpenMetrics text)
  // 100 us keeps a k=8 fat-tree run's samples near 1e5 rows while resolving the
  // millisecond dynamics of incasts and DCQCN.
  Time interval = Time::us(100);
  void visit(ParamVisitor& v) override {
    v.param("enabled", enabled, "sample port and queue-pair telemetry into telemetry.sqlite");
    v.param("interval", interval, "sampling interval");
    v.param("alarm_queue", alarm_queue,
            "raise an alarm when an egress queue exceeds this; 0 = off");
    v.param("openmetrics", openmetrics,
            "also write metrics.prom: the final port counters in OpenMetrics text format");
    v.param("pause_storm", pause_storm,
            "report a pause storm when one pause episode lasts longer than this; 0 = off");
  }
  Status validate() const override {
    if (interval <= Time::zero()) return Status::error("interval must be positive");
    return Status::ok();
  }
};

struct PortSample {
  uint32_t port;  // port id (see Sampler::port_ids)
  Time t;
  int64_t out_octets;   // interfaces/interface/state/counters/out-octets
  int64_t out_pkts;     // .../out-unicast-pkts (data, ACK, NACK, CNP)
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

class Sampler final : public EventHandler, public PortObserver {
 public:
  Sampler(Network& net, const TelemetryConfig& cfg);
  Sampler(const Sampler&) = delete;
  Sampler& operator=(const Sampler&) = delete;
  // Takes the last sample and closes open pause episodes (call after the run).
  void finish();

  void handle_event(uint32_t kind, uint64_t arg) override;
  void pause_episode(const Port& port, uint8_t prio, Time start, Time end) override;

  // Port id i is (node_of_port[i], index_of_port[i]) in the topology graph.
  const std::vector<uint32_t>& node_of_port() const { return node_; }
  const std::vector<uint16_t>& index_of_port() const { return index_; }
  const std::vector<PortSample>& samples() const { return samples_; }
  const std::vector<QpSample>& qp_samples() const { return qp_samples_; }
  const std::vector<QueueSample>& queue_samples() const { return queue_samples_; }
  const std::vector<PauseEpisode>& pauses() const { return pauses_; }
  const std::vector<TelemetryEvent>& events() const { return events_; }

 private:
  void sample();
  Network& net_;
  Time interval_;
  std::vector<Port*> ports_;
  std::vector<const Switch*> owner_switch_;  // null for host ports
  std::vector<uint32_t> node_;
  std::vector<uint16_t> index_;
  std::vector<PortSample> samples_;
  std::vector<QpSample> qp_samples_;
  std::vector<QueueSample> queue_samples_;
  std::vector<PauseEpisode> pauses_;
  std::vector<TelemetryEvent> events_;
  std::vector<char> queue_alarm_on_;  // per port: above alarm_queue at the last sample
  Bytes alarm_queue_;
  Time pause_storm_;
  bool finished_ = false;
  size_t next_cap_ = 1 << 20;  // rows after which the interval doubles (bounded memory)
};

}  // namespace aifabric
