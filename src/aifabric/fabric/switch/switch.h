// An output-queued Ethernet switch with a shared buffer: 8 egress queues per port,
// strict or DWRR scheduling, ECN marking at dequeue, and PFC driven by per-ingress
// (port, priority) accounting with headroom. Pause frames leave on the congested
// ingress port's own link and take that link's delay to reach the upstream device, so
// congestion trees form hop by hop.
//
// Buffer invariant: shared_used + sum(headroom_used) = bytes in all egress queues
// <= buffer. Lossless packets beyond the XOFF threshold go to headroom; a packet that
// finds its headroom full is dropped and counted (headroom_drops), never silently.
#pragma once

#include <array>
#include <memory>
#include <string>
#include <vector>

#include "aifabric/core/random.h"
#include "aifabric/core/simulator.h"
#include "aifabric/fabric/switch/switch_config.h"
#include "aifabric/lb/load_balancer.h"
#include "aifabric/net/forwarding.h"
#include "aifabric/net/node.h"
#include "aifabric/net/port.h"

namespace aifabric {

struct SwitchCounters {
  int64_t no_route_drops = 0;
  int64_t buffer_drops = 0;       // lossy packets refused by the dynamic threshold / full buffer
  int64_t headroom_drops = 0;     // lossless packets that overflowed PFC headroom
  int64_t max_ingress_bytes = 0;  // deepest ingress (port, priority) accounting seen
  int64_t max_buffer_used = 0;
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
  ForwardingTable& table() { return table_; }
  const ForwardingTable& table() const { return table_; }

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
  const SwitchCounters& counters() const { return counters_; }
  int64_t headroom_per_queue(size_t port) const { return ingress_[port].headroom_size; }
  int64_t xoff_threshold() const;
  int64_t queued_payload() const;  // data payload still buffered

 private:
  struct EgressState {
    std::array<PacketQueue, kNumPriorities> q;
    PacketQueue control;  // PFC frames, sent ahead of everything at the next boundary
    std::array<int64_t, kNumPriorities> deficit{};
    int64_t bytes = 0;      // all priorities
    uint32_t nonempty = 0;  // bit p set while q[p] holds packets
    uint8_t rr = 0;         // DWRR: the priority whose turn it is
    bool credited = false;  // DWRR: q[rr] has received this turn's quantum
  };
  struct IngressClass {
    int64_t shared = 0;    // bytes admitted to the shared pool
    int64_t headroom = 0;  // bytes admitted to headroom
    bool xoff = false;     // an XOFF is in force upstream
    uint32_t refresh_gen = 0;
  };
  struct IngressState {
    std::array<IngressClass, kNumPriorities> cls;
    int64_t headroom_size = 0;
    Time refresh;  // XOFF re-send interval: half this link's pause time
  };

  bool admit(Packet* p, uint16_t in, uint16_t out);
  void release_buffer(const Packet* p);
  Packet* dequeue(EgressState& e, uint16_t port, Time now, Time& retry_at);
  void mark_ecn(Packet* p, int64_t queue_depth, uint16_t port);
  void send_pause(uint16_t port, uint8_t prio, uint16_t quanta);
  void drop(Packet* p, uint16_t out, int64_t& cause);

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
  RandomStream rng_;
  std::vector<std::unique_ptr<Port>> ports_;
  std::vector<EgressState> egress_;
  std::vector<IngressState> ingress_;
  std::array<bool, kNumPriorities> lossless_{};
  int64_t shared_size_ = 0;  // buffer minus all headroom reservations
  int64_t shared_used_ = 0;
  int64_t buffered_ = 0;  // bytes in all egress queues (shared + headroom)
  int64_t k_min_, k_max_;
  int64_t max_frame_;
  SwitchCounters counters_;
};

}  // namespace aifabric
