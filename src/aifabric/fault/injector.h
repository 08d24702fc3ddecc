// Faults at run time on a live fabric, and every recovery mechanism as the simulation
// runs it (docs/faults.md):
//
//   * a link change happens at its time on both directions of the link (net/port.h): a
//     down link blackholes what is on it and what is sent into it; a rate or bit error
//     rate change applies to the next frame;
//   * each end detects a down or up after recovery.detection's delay (a down that is
//     over by then is never seen, as a BFD session rides through a short blip);
//   * local repair (mode local, remote): the detecting switch drops the dead port from
//     every ECMP group that has another member, at once;
//   * remote notification (mode remote): where the dead port was the only way to some
//     destinations, the switch sends a failure notice frame to its other neighbours over
//     the real links; each receiver, after its processing time, drops the sender's port
//     for those destinations and, where that was its only way too, notifies on;
//   * control plane (every mode, last): from the first detection the routes are
//     recomputed on the fabric as it then is and installed switch by switch, each
//     cp_propagation x its hop distance + cp_computation + cp_fib_update later; a switch
//     keeps its old routes (and any fast repair) until then; a newer computation wins;
//   * a rate change: the ends see it at once (WCMP by port rate, adaptive routing follow);
//     after controller_delay, WCMP weights per destination follow the path capacities.
//
// Holds no outstanding work: a fault after the traffic ends does not stretch the run.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <vector>

#include "aifabric/core/simulator.h"
#include "aifabric/fabric/network.h"
#include "aifabric/fault/fault_config.h"
#include "aifabric/fault/records.h"
#include "aifabric/fault/schedule.h"
#include "aifabric/net/forwarding.h"
#include "aifabric/topo/graph.h"

namespace aifabric {

class FaultInjector final : public EventHandler, public NoticeHandler {
 public:
  FaultInjector(Network& net, FaultPlan plan, const RecoverySpec& recovery);
  FaultInjector(const FaultInjector&) = delete;
  FaultInjector& operator=(const FaultInjector&) = delete;

  // The record at the end of the run: attributes the last blackholed frames.
  FaultRecord finish();

  void handle_event(uint32_t kind, uint64_t arg) override;
  void on_notice(Switch& at, uint16_t in_port, uint64_t notice) override;

  // WCMP weights of every switch from the path capacities of `g` (the bottleneck rate
  // beyond each next hop, summed over its next hops towards each destination):
  // weight[s][a * ports(s) + p].
  static std::vector<std::vector<uint64_t>> path_weights(const TopologyGraph& g,
                                                         const Network& net);

 private:
  enum Kind : uint32_t { kChange = 0, kDetect = 1, kNotice = 2, kInstall = 3, kReweight = 4 };
  struct Notice {
    uint32_t fault;
    uint32_t origin;       // the switch whose dead port it reports (first hop: the detector)
    uint16_t origin_port;  // ... and that port (the first notice's, for those it relays)
    std::vector<uint32_t> attachments;  // destinations the sender can no longer reach
  };
  struct Arrival {
    uint32_t node;
    uint16_t port;
    uint32_t notice;
  };
  struct Generation {
    std::vector<ForwardingTable> tables;  // by node id
    uint32_t fault;
    uint32_t pending;  // installs not yet done
  };

  void apply(const LinkChange& c);
  void detect(uint32_t change, uint32_t end);
  void start_control_plane(uint32_t fault, uint32_t detector);
  void install(uint32_t generation, uint32_t node);
  void process_notice(const Arrival& a);
  void send_notices(uint32_t node, uint16_t except, uint32_t fault, uint32_t origin,
                    uint16_t origin_port, std::vector<uint32_t> attachments);
  void reweight(uint32_t fault);
  void settle_link(uint32_t link);            // attributes blackholed frames since the last change
  std::array<Port*, 2> ports(uint32_t link);  // its two directions

  Simulator& sim_;
  Network& net_;
  FaultPlan plan_;
  RecoverySpec rec_;
  TopologyGraph view_;  // the fabric as the control plane knows it
  std::vector<FaultRow> rows_;
  std::vector<LinkEvent> events_;
  std::vector<Notice> notices_;
  std::vector<Arrival> arrivals_;
  std::vector<std::vector<uint32_t>> acted_on_;  // per node: the arrivals it acted on
  std::vector<Generation> generations_;
  std::vector<uint32_t> installed_;  // per node: the generation in its table (0: the first)
  std::vector<std::vector<uint8_t>> known_down_;  // per node and port: detected down
  // Per link: the fault its blackholed frames count for, and what its ports had counted.
  std::vector<int64_t> charged_fault_;
  std::vector<std::array<int64_t, 2>> seen_packets_, seen_bytes_;
  std::vector<std::array<size_t, 2>> seen_flows_;
  std::vector<std::vector<uint32_t>> flows_of_fault_;
  std::vector<uint8_t> cp_started_;  // per change: the control plane has heard of it
  int64_t route_installs_ = 0;
};

}  // namespace aifabric
