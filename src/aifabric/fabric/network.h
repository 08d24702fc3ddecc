// A live fabric: the devices of a topology graph wired port to port, forwarding tables
// installed, and the flows of a workload started at their start times. It also knows
// each flow's ideal completion time on an idle fabric.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <unordered_map>
#include <vector>

#include "aifabric/core/params.h"
#include "aifabric/core/simulator.h"
#include "aifabric/lb/load_balancer.h"
#include "aifabric/fabric/nic/host.h"
#include "aifabric/fabric/switch/switch.h"
#include "aifabric/topo/graph.h"
#include "aifabric/transport/cc/congestion_control.h"
#include "aifabric/transport/path_selection.h"

namespace aifabric {

struct FabricConfig {
  const SwitchConfig* switch_config = nullptr;
  const TransportConfig* transport = nullptr;
  const CcAlgorithm* cc = nullptr;
  const Params* cc_params = nullptr;
  const LbAlgorithm* lb = nullptr;
  const Params* lb_params = nullptr;
  // Per traffic class (802.1p priority): a balancer instead of `lb`; null = `lb`.
  std::array<const LbAlgorithm*, kNumPriorities> class_lb{};
  std::array<const Params*, kNumPriorities> class_lb_params{};
  const LbAlgorithm& lb_of(uint8_t prio) const { return class_lb[prio] ? *class_lb[prio] : *lb; }
  const Params& lb_params_of(uint8_t prio) const {
    return class_lb[prio] ? *class_lb_params[prio] : *lb_params;
  }
};

struct FlowOutcome {
  const FlowSpec* spec = nullptr;
  const SenderQp* sender = nullptr;  // null until the flow started
  const ReceiverQp* receiver = nullptr;
};

// Told when a flow of the network finishes (completed or failed).
class FlowObserver {
 public:
  virtual void flow_done(uint32_t flow, bool completed) = 0;

 protected:
  ~FlowObserver() = default;
};

class Network final : public FlowListener, public EventHandler {
 public:
  Network(Simulator& sim, const TopologyGraph& graph, const FabricConfig& cfg);
  Network(const Network&) = delete;
  Network& operator=(const Network&) = delete;

  // Schedules the flows (ids must be 0..n-1 in order; hosts must exist). Assigns UDP
  // source ports from the run's seed to flows that have none.
  Status add_flows(std::vector<FlowSpec> flows);

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

  // Runs until every flow has finished, or until `stop_at`.
  void run(Time stop_at);
  // Whoever adds flows as others finish (a workload executor) listens here, and turns
  // off the stop at "all flows done", which would otherwise end the run between phases.
  void set_observer(FlowObserver* o) { observer_ = o; }
  void set_stop_when_all_done(bool stop) { stop_when_done_ = stop; }
  // How each flow's sender picks per-packet source ports, asked once when the flow
  // starts; unset = PathSelection{} (one port per flow).
  using PathSelectionFn = std::function<PathSelection(const FlowSpec&)>;
  void set_path_selection(PathSelectionFn fn) { path_selection_ = std::move(fn); }

  size_t flows_finished() const { return finished_; }
  const std::vector<FlowSpec>& flows() const { return flows_; }
  FlowOutcome outcome(uint32_t flow) const;
  // Completion time of `flow` alone on an idle fabric along its shortest path: the
  // store-and-forward pipeline of its packets plus the return of the last ACK.
  Time ideal_fct(const FlowSpec& flow) const;

  const TopologyGraph& graph() const { return graph_; }
  std::vector<std::unique_ptr<Host>>& hosts() { return hosts_; }
  const std::vector<std::unique_ptr<Host>>& hosts() const { return hosts_; }
  std::vector<std::unique_ptr<Switch>>& switches() { return switches_; }
  const std::vector<std::unique_ptr<Switch>>& switches() const { return switches_; }
  // The port a node transmits on for its `i`-th link, by node id.
  Port& port(uint32_t node, size_t i);
  const PacketPool& pool() const { return pool_; }
  // Data payload still inside the fabric (queues and links).
  int64_t payload_in_network() const;
  Simulator& sim() { return sim_; }

  void flow_finished(const SenderQp& qp) override;
  void handle_event(uint32_t kind, uint64_t arg) override;

 private:
  Simulator& sim_;
  const TopologyGraph& graph_;
  FabricConfig cfg_;
  PacketPool pool_;
  std::vector<std::unique_ptr<Host>> hosts_;
  std::vector<std::unique_ptr<Switch>> switches_;
  std::vector<int64_t> device_of_node_;  // host index or switch index by node id
  std::vector<ForwardingTable> routes_;  // kept for path queries (ideal FCT)
  std::vector<FlowSpec> flows_;
  std::vector<std::pair<uint32_t, uint32_t>> qp_of_flow_;  // (sender qpn, receiver qpn)
  std::vector<char> started_;
  size_t finished_ = 0;
  FlowObserver* observer_ = nullptr;
  bool stop_when_done_ = true;
  PathSelectionFn path_selection_;
  std::unordered_map<uint64_t, uint16_t> planned_ports_;
  bool ports_per_connection_ = false;
  Time cnp_interval_;
  bool send_cnp_ = false;
};

}  // namespace aifabric
