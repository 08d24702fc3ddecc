// The packet-level engine: every transfer is a flow on the live fabric (its own queue
// pair, congestion control and recovery), its completion the flow's. While it runs,
// the network's transfers between the same two hosts share one connection's source
// port (NCCL keeps one queue pair per peer for the job) and the engine listens to the
// network's completions; both are given back when it is destroyed.
#pragma once

#include <vector>

#include "aifabric/engine/transfer_engine.h"

namespace aifabric {

class PacketEngine final : public TransferEngine, public FlowObserver {
 public:
  explicit PacketEngine(EngineContext& ctx);
  ~PacketEngine() override;
  Status start(std::span<const Transfer> transfers) override;
  void flow_done(uint32_t flow, bool completed) override;

 private:
  Network& net_;
  TransferListener& listener_;
  uint32_t flow_base_;                      // flows on the network before this engine
  std::vector<uint32_t> transfer_of_flow_;  // by flow id - flow_base_
};

}  // namespace aifabric
