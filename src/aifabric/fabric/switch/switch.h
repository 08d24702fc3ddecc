// An output-queued Ethernet switch: forwarding (the table, then a load balancer among
// equal-cost ports), admission to its shared buffer with PFC (shared_buffer.h), eight
// egress queues per port served strict or DWRR (egress_scheduler.h), and ECN marking at
// dequeue (ecn_marker.h). Pause frames leave on the congested ingress port's own link
// and take that link's delay to reach the upstream device, so congestion trees form hop
// by hop. A lossless packet that finds its headroom full is dropped and counted
// (headroom_drops), never silently. On CBFC credit lanes the switch returns a frame's
// credits to its ingress port's transmitter when the frame leaves for its egress. When
// the congestion control asks for INT, data packets get a telemetry hop at dequeue
// (int_stamper.h); when it computes feedback in the fabric (the zero-queue scheme),
// every egress port runs its PortFeedback. With trimming on, a data packet that finds
// its queue full is cut to its header (trim/trimmer.h) before admission.
#pragma once

#include <array>
#include <memory>
#include <string>
#include <vector>

#include "aifabric/core/random.h"
#include "aifabric/core/simulator.h"
#include "aifabric/fabric/switch/ecn/tuner.h"
#include "aifabric/fabric/switch/ecn_marker.h"
#include "aifabric/fabric/switch/egress_scheduler.h"
#include "aifabric/fabric/switch/int_stamper.h"
#include "aifabric/fabric/switch/shared_buffer.h"
#include "aifabric/fabric/switch/switch_config.h"
#include "aifabric/fabric/switch/trim/trimmer.h"
#include "aifabric/lb/load_balancer.h"
#include "aifabric/net/forwarding.h"
#include "aifabric/net/node.h"
#include "aifabric/net/port.h"
#include "aifabric/transport/cc/congestion_control.h"

namespace aifabric {

struct SwitchCounters {
  int64_t no_route_drops = 0;
  int64_t buffer_drops = 0;       // lossy packets refused by the dynamic threshold / full buffer
  int64_t headroom_drops = 0;     // lossless packets that overflowed PFC headroom
  int64_t credit_drops = 0;       // CBFC lane packets beyond their ingress's credits (a bug)
  int64_t trims = 0;              // data packets cut to their header (trimming)
  int64_t trim_drops = 0;         // trimmed headers that found the header queue full
  int64_t max_ingress_bytes = 0;  // deepest ingress (port, priority) accounting seen
  int64_t max_buffer_used = 0;
};

class Switch;

// Whoever runs fast recovery (fault/) is told of each failure notice a switch receives.
class NoticeHandler {
 public:
  virtual void on_notice(Switch& at, uint16_t in_port, uint64_t notice) = 0;

 protected:
  ~NoticeHandler() = default;
};

class Switch final : public Node, public EventHandler, public EgressView {
 public:
  // `max_frame` is the largest frame on the wire (the transport's MTU plus headers):
  // it sizes the automatic PFC headroom and the DWRR quantum.
  Switch(Simulator& sim, PacketPool& pool, uint32_t id, std::string name, const SwitchConfig& cfg,
         std::unique_ptr<LoadBalancer> lb, int64_t max_frame);
  Switch(const Switch&) = delete;
  Switch& operator=(const Switch&) = delete;

  Port& add_port(const LinkParams& link);
  void finalize();  // sizes the buffer pools once all ports exist
  // Packets of priority `prio` are balanced by `lb` instead of the switch's default.
  void set_class_balancer(uint8_t prio, std::unique_ptr<LoadBalancer> lb);
  // Stamp in-band telemetry on the data packets that carry an INT stack (HPCC).
  void enable_int() { int_ = std::make_unique<IntStamper>(pool_.telemetry()); }
  // Gives every egress port the switch-side half of `cc` (the zero-queue scheme's
  // window granter); call once all ports exist.
  void enable_port_feedback(const CcAlgorithm& cc, const Params& params);
  // The egress among `hops` (the table's ports towards p.dst) that this switch's
  // balancer gives `p` now: what forwarding does, for the flow level to follow.
  uint16_t choose_port(const Packet& p, std::span<const uint16_t> hops) {
    return hops.size() == 1 && !table_.has_detours()
               ? hops[0]
               : lb_of_prio_[p.priority]->choose(p, hops, *this, sim_.now());
  }
  ForwardingTable& table() { return table_; }
  const ForwardingTable& table() const { return table_; }
  // Failure notices (remote fast recovery): sent ahead of data on `port`, handed to
  // `h` where they arrive.
  void send_notice(uint16_t port, uint64_t notice);
  void set_notice_handler(NoticeHandler* h) { notice_handler_ = h; }
  // A controller's WCMP weights per (destination attachment, port), row-major with
  // port_count() columns; empty = none (WCMP then weighs by the port's own rate).
  void set_path_weights(std::vector<uint64_t> w) { path_weights_ = std::move(w); }
  uint64_t path_weight(uint32_t dst, uint16_t port) const override {
    if (path_weights_.empty()) return 0;
    const uint32_t a = table_.attachment_of(dst);
    if (a == ForwardingTable::kNone) return 0;
    return path_weights_[static_cast<size_t>(a) * ports_.size() + port];
  }

  std::span<const uint16_t> detours(uint32_t dst) const override { return table_.detours(dst); }

  void receive(Packet* p, uint16_t port) override;
  Packet* next_to_send(uint16_t port, Time now, Time& retry_at) override;
  bool backlogged(uint16_t port) const override;
  int64_t queue_bytes(uint16_t port) const override { return egress_[port].bytes; }
  BitRate port_rate(uint16_t port) const override { return ports_[port]->link().rate; }
  int64_t queue_bytes(uint16_t port, uint8_t prio) const { return egress_[port].q[prio].bytes(); }
  void handle_event(uint32_t kind, uint64_t arg) override;

  uint32_t id() const { return id_; }
  const std::string& name() const { return name_; }
  size_t port_count() const { return ports_.size(); }
  Port& port(size_t i) { return *ports_[i]; }
  const Port& port(size_t i) const { return *ports_[i]; }
  SwitchCounters counters() const;
  int64_t headroom_per_queue(size_t port) const { return buffer_.headroom_per_queue(port); }
  int64_t xoff_threshold() const { return buffer_.xoff_threshold(); }
  int64_t credits_per_lane(size_t port) const { return buffer_.credits_per_lane(port); }
  int64_t queued_payload() const;  // data payload still buffered

 private:
  void send_pause(uint16_t port, uint8_t prio, uint16_t quanta);
  void arm_tuning();
  void retune();
  int64_t pause_frames_sent() const;
  void drop(Packet* p, uint16_t out, int64_t& cause);
  [[gnu::noinline]] void stamp_int(const Packet& p, uint16_t port, Time now);
  [[gnu::noinline]] void feedback_enqueue(const Packet& p, uint16_t port, int64_t queued);
  [[gnu::noinline]] void feedback_dequeue(const Packet& p, uint16_t port);
  // False: `p` was dropped.
  [[gnu::noinline]] bool trim(Packet* p, uint16_t out);

  Simulator& sim_;
  PacketPool& pool_;
  uint32_t id_;
  std::string name_;
  SwitchConfig cfg_;
  std::unique_ptr<LoadBalancer> lb_;
  // The balancer of each priority: lb_ unless a traffic class has its own.
  std::array<LoadBalancer*, kNumPriorities> lb_of_prio_{};
  std::vector<std::unique_ptr<LoadBalancer>> class_lbs_;
  ForwardingTable table_;
  std::vector<std::unique_ptr<Port>> ports_;
  std::vector<EgressQueues> egress_;
  SharedBuffer buffer_;
  EgressScheduler scheduler_;
  EcnMarker marker_;
  std::unique_ptr<IntStamper> int_;   // null unless the congestion control reads INT
  std::unique_ptr<Trimmer> trimmer_;  // null unless switch.trimming.enabled
  // The congestion control's per-port part, one per egress port (empty unless asked).
  std::vector<std::unique_ptr<PortFeedback>> feedback_;
  // ECN tuning (null: static thresholds): the policy, whether its period timer is set,
  // and what each port had sent and how its thresholds are scaled.
  std::unique_ptr<EcnTuner> tuner_;
  bool tuning_armed_ = false;
  std::vector<int64_t> tuned_tx_;
  std::vector<int64_t> tuned_marked_;
  std::vector<double> tuned_scale_;
  int64_t tuned_pauses_ = 0;
  SwitchCounters counters_;
  NoticeHandler* notice_handler_ = nullptr;
  std::vector<uint64_t> path_weights_;
};

}  // namespace aifabric
