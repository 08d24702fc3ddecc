#include "aifabric/engine/packet/packet_engine.h"

namespace aifabric {

PacketEngine::PacketEngine(EngineContext& ctx)
    : net_(ctx.net),
      listener_(ctx.listener),
      flow_base_(static_cast<uint32_t>(ctx.net.flows().size())) {
  net_.set_ports_per_connection(true);
  net_.set_observer(this);
}

PacketEngine::~PacketEngine() {
  net_.set_observer(nullptr);
  net_.set_ports_per_connection(false);
}

Status PacketEngine::start(std::span<const Transfer> transfers) {
  std::vector<FlowSpec> flows;
  flows.reserve(transfers.size());
  const Time now = net_.sim().now();
  for (const Transfer& t : transfers) {
    FlowSpec f;
    f.src = t.src;
    f.dst = t.dst;
    f.size = t.bytes;
    f.start = now;
    f.priority = t.priority;
    flows.push_back(f);
    transfer_of_flow_.push_back(t.id);
  }
  if (Status st = net_.add_flows(std::move(flows)); !st) return st;
  for (const Transfer& t : transfers) listener_.transfer_started(t.id);
  return Status::ok();
}

void PacketEngine::flow_done(uint32_t flow, bool completed) {
  if (flow < flow_base_) return;  // a flow that was on the network before this engine
  listener_.transfer_done(transfer_of_flow_[flow - flow_base_], completed);
}

}  // namespace aifabric
