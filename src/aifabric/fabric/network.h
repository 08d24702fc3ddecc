// A live fabric: the devices of a topology graph wired port to port, forwarding tables
// installed, and flows handed to their source NICs, which start them at their start
// times. It also knows each flow's ideal completion time on an idle fabric.
//
// The port's delivery event is the only place one device's action reaches another
// (through the peer's receive()), which is where a partitioned engine will cut the
// fabric; nothing here watches every flow to end the run: NICs hold the simulator's
// outstanding work while their flows last.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <unordered_map>
#include <vector>

#include "aifabric/core/params.h"
#include "aifabric/core/simulator.h"
#include "aifabric/fabric/nic/host.h"
#include "aifabric/fabric/switch/switch.h"
#include "aifabric/lb/load_balancer.h"
#include "aifabric/lb/sender/path_selection.h"
#include "aifabric/topo/graph.h"
#include "aifabric/transport/cc/congestion_control.h"

namespace aifabric {

// Everything the devices are configured with, by value: the fabric owns its copy.
struct FabricConfig {
  SwitchConfig switch_config;
  TransportConfig transport;
  Choice<CcAlgorithm> cc{cc_algorithms(), "algorithm", "congestion control", "dcqcn"};
  Choice<LbAlgorithm> lb{lb_algorithms(), "algorithm", "load balancing", "ecmp"};
  // Per traffic class (802.1p priority): a balancer instead of `lb`.
  std::array<std::optional<Choice<LbAlgorithm>>, kNumPriorities> class_lb;
  bool keep_queue_pairs = false;  // NicConfig::keep_queue_pairs
  const Choice<LbAlgorithm>& lb_choice(uint8_t prio) const {
    return class_lb[prio] ? *class_lb[prio] : lb;
  }
  const LbAlgorithm& lb_of(uint8_t prio) const { return lb_choice(prio).selected(); }
  const Params& lb_params_of(uint8_t prio) const { return lb_choice(prio).params(); }
};

struct FlowOutcome {
  const FlowSpec* spec = nullptr;
  const SenderResult* sender = nullptr;  // null until the flow started
  // The queue pair itself while it lives (or, with NicConfig::keep_queue_pairs, to the
  // end): null once a finished one was freed.
  const SenderQp* qp = nullptr;
  const ReceiverResult* receiver = nullptr;  // once started: a receiver with no packets yet
                                             // stands in until the first one arrives
};

// Told when a flow of the network finishes (completed or failed).
class FlowObserver {
 public:
  virtual void flow_done(uint32_t flow, bool completed) = 0;

 protected:
  ~FlowObserver() = default;
};

class Network final : public FlowListener {
 public:
  Network(Simulator& sim, const TopologyGraph& graph, FabricConfig cfg);
  Network(const Network&) = delete;
  Network& operator=(const Network&) = delete;

  // Hands the flows to their source NICs (ids must be 0..n-1 in order; hosts must
  // exist). Assigns UDP source ports from the run's seed to flows that have none.
  Status add_flows(std::vector<FlowSpec> flows);

  // The UDP source port `f` gets when added (its own, the planned one of its host pair,
  // else drawn from the run's seed by connection or by flow id): what the flow level
  // hashes to take the packets' path.
  uint16_t source_port(const FlowSpec& f) const;
  bool ports_per_connection() const { return ports_per_connection_; }

  // Source ports a path controller chose per (source host, destination host): flows
  // added later without a port of their own take the planned one.
  void set_planned_ports(std::unordered_map<uint64_t, uint16_t> ports) {
    planned_ports_ = std::move(ports);
  }
  // A task-graph executor's transfers between the same two hosts reuse one connection
  // (as NCCL keeps its queue pairs for the whole job): they get the same source port,
  // and with it the same ECMP path, instead of one port per flow.
  void set_ports_per_connection(bool on) { ports_per_connection_ = on; }
  static uint64_t host_pair(uint32_t src, uint32_t dst) {
    return (static_cast<uint64_t>(src) << 32) | dst;
  }
  // The seed of a switch's load balancer (by node id) for packets of `prio`
  // (kNoClass: the default balancer's): ECMP hashes with it, so a controller can
  // predict each switch's choice.
  static constexpr uint8_t kNoClass = 0xff;
  uint64_t lb_seed(uint32_t node, uint8_t prio) const;

  // Runs until every flow has finished (the NICs' outstanding work is done), or until
  // `stop_at`.
  void run(Time stop_at);
  // Whoever adds flows as others finish (a workload executor) listens here.
  void set_observer(FlowObserver* o) { observer_ = o; }
  // How each flow's sender picks per-packet source ports, asked once per flow when it
  // is added; unset = PathSelection{} (one port per flow).
  using PathSelectionFn = std::function<PathSelection(const FlowSpec&)>;
  void set_path_selection(PathSelectionFn fn) { path_selection_ = std::move(fn); }

  // Flows finished so far, summed over the NICs that count them.
  size_t flows_finished() const;
  const std::vector<FlowSpec>& flows() const { return flows_; }
  FlowOutcome outcome(uint32_t flow) const;
  // Completion time of `flow` alone on an idle fabric along its shortest path: the
  // store-and-forward pipeline of its packets plus the return of the last ACK.
  Time ideal_fct(const FlowSpec& flow) const;

  const FabricConfig& config() const { return cfg_; }
  const TopologyGraph& graph() const { return graph_; }
  std::vector<std::unique_ptr<Host>>& hosts() { return hosts_; }
  const std::vector<std::unique_ptr<Host>>& hosts() const { return hosts_; }
  std::vector<std::unique_ptr<Switch>>& switches() { return switches_; }
  const std::vector<std::unique_ptr<Switch>>& switches() const { return switches_; }
  // The port a node transmits on for its `i`-th link, by node id.
  Port& port(uint32_t node, size_t i);
  const Port& port(uint32_t node, size_t i) const;
  // The switch of a node id, or null for a host.
  const Switch* switch_of(uint32_t node) const;
  Switch* switch_of(uint32_t node);
  const PacketPool& pool() const { return pool_; }
  // Data payload still inside the fabric (queues and links).
  int64_t payload_in_network() const;
  Simulator& sim() { return sim_; }
  const Simulator& sim() const { return sim_; }

  void flow_finished(const SenderQp& qp) override;

 private:
  Simulator& sim_;
  const TopologyGraph& graph_;
  FabricConfig cfg_;
  NicConfig nic_;
  PacketPool pool_;
  std::vector<std::unique_ptr<Host>> hosts_;
  std::vector<std::unique_ptr<Switch>> switches_;
  std::vector<int64_t> device_of_node_;  // host index or switch index by node id
  std::vector<FlowSpec> flows_;
  std::vector<uint32_t> nic_index_;  // per flow: its index among its source NIC's flows
  // Stands in for the receiver of a started flow none of whose packets arrived yet.
  ReceiverResult no_receiver_;
  FlowObserver* observer_ = nullptr;
  PathSelectionFn path_selection_;
  std::unordered_map<uint64_t, uint16_t> planned_ports_;
  bool ports_per_connection_ = false;
};

}  // namespace aifabric
