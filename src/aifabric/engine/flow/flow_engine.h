// The flow-level (fluid) engine: a transfer is a fluid flow on its path, links are
// shared by weighted max-min fairness (max_min.h) re-solved incrementally whenever
// flows start or drain, batched per timestamp. Paths are the packet level's: the
// fabric's own forwarding tables and each switch's own balancer, asked with the flow's
// 5-tuple (ECMP hash and seeds, WCMP weights, planned source ports), so both engines see
// the same collisions; a balancer that reorders (spraying, flowlets, adaptive routing)
// splits the flow evenly over the equal-cost ports at every hop.
//
// Model (docs/flow-level.md): a flow gets its fair share at once (no slow start, no
// congestion control: the rate max-min would converge to) and completes its path's
// latency after its last byte left at that rate: latency = the one-packet
// store-and-forward pipeline and the ACK's return, less the packet's own serialization
// at the slowest hop. Link capacity is payload: rate x MTU / (MTU + headers + one ACK
// per packet), the analytic engine's goodput. Lossless: no queues, drops or PFC pauses
// (a paused link's flows simply share what it carries). DWRR weights weigh flows of
// their priority; strict priority is not modelled. Time is integer picoseconds; rates
// are payload bytes per picosecond (double).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "aifabric/engine/flow/max_min.h"
#include "aifabric/engine/transfer_engine.h"

namespace aifabric {

class FlowEngine final : public TransferEngine, public EventHandler {
 public:
  // A job's transfers (ctx.listener hears them); transfers between the same two hosts
  // share a connection's source port as at the packet level.
  explicit FlowEngine(EngineContext& ctx);
  // A flow list: `add_flows` starts each flow at its start time, and the simulator
  // holds one unit of outstanding work per flow until it completes.
  FlowEngine(Simulator& sim, Network& net);
  ~FlowEngine() override;
  FlowEngine(const FlowEngine&) = delete;
  FlowEngine& operator=(const FlowEngine&) = delete;

  Status start(std::span<const Transfer> transfers) override;
  // Flow-list mode: the flows (ids 0..n-1 in order, as Network::add_flows takes them).
  Status add_flows(std::vector<FlowSpec> flows);
  void handle_event(uint32_t kind, uint64_t arg) override;
  // Flow rows (flow-list mode) and per-port bytes (both modes) at `end`.
  void record(FabricRecord& r, Time end) const override;

 private:
  static constexpr uint32_t kNoSlot = 0xffffffffU;
  struct Active {
    uint32_t owner = 0;  // transfer id, or flow index in flow-list mode
    double bytes = 0;
    double remaining = 0;
    double rate = 0;
    Time since;
    Time latency;
    uint32_t generation = 0;
  };
  struct ListFlow {
    FlowSpec spec;
    Time done = Time::max();
    uint32_t slot = kNoSlot;  // its solver id while it drains
    bool failed = false;
    bool started = false;
  };

  FlowEngine(Simulator& sim, Network& net, TransferListener* listener);
  // Starts a flow now; false: it has no route (it fails).
  bool begin(const FlowSpec& f, uint32_t owner);
  void finish(uint32_t owner, bool completed);
  void request_solve();
  void solve();
  // The directed link's solver index of port `i` of `node`.
  uint32_t link_of(uint32_t node, size_t i) const {
    return port_base_[node] + static_cast<uint32_t>(i);
  }
  void account(uint32_t flow, double bytes);

  Simulator& sim_;
  Network& net_;
  TransferListener* listener_;  // null in flow-list mode
  bool restore_ports_ = false;
  MaxMinSolver solver_;
  std::vector<uint32_t> port_base_;      // per node: its first port's link index
  std::vector<double> link_bytes_;       // payload carried so far, per link index
  std::vector<double> link_packets_;     // data packets so far (payload / MTU, summed)
  std::vector<Active> active_;           // by solver flow id
  std::vector<ListFlow> list_;           // flow-list mode
  std::vector<MaxMinSolver::Use> uses_;  // scratch
  std::vector<double> weight_of_prio_;
  double mtu_ = 4096;
  bool solve_pending_ = false;
};

}  // namespace aifabric
