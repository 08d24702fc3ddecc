// The analytic (alpha-beta) engine: a transfer takes alpha + bytes / (beta x
// efficiency) and holds its source NIC's transmit side and its destination NIC's
// receive side, each serving one transfer at a time, scheduled work-conserving (a
// transfer blocked by a busy receiver does not hold its sender idle). Instant
// estimates: no packets, no congestion inside the fabric. Deterministic.
#pragma once

#include <vector>

#include "aifabric/engine/list_scheduler.h"
#include "aifabric/engine/transfer_engine.h"

namespace aifabric {

struct AlphaBeta {
  Time net_alpha = Time::us(5);           // per-transfer latency on the network
  BitRate net_beta = BitRate::gbps(400);  // NIC rate (payload rate if goodput applies)
  double net_efficiency = 4096.0 / 4178;  // payload share of each frame
};

// The model's parameters measured on a live fabric: alpha is an idle one-packet
// transfer's time from host `src` (first packet through the path, ACK back), beta that
// host's NIC rate, and the payload share of each frame counts the ACKs of an incoming
// flow that share the NIC's egress.
AlphaBeta alpha_beta(const Network& net, uint32_t src);
// The same from the graph alone (no fabric built): the probe's path is the one whose
// every hop is the first shortest-path port, as the fabric's ideal FCT takes.
AlphaBeta alpha_beta(const TopologyGraph& g, const TransportConfig& transport, uint32_t src);

// Alpha and beta are sane (alpha >= 0, efficiency in (0, 1], a positive goodput).
Status check_alpha_beta(const AlphaBeta& ab);

class AnalyticEngine final : public TransferEngine, public EventHandler {
 public:
  // Measures alpha and beta on ctx.net from ctx.probe_host.
  explicit AnalyticEngine(EngineContext& ctx);
  // `hosts` bounds the transfers' host indices; `capacity` their ids.
  AnalyticEngine(Simulator& sim, TransferListener& listener, const AlphaBeta& ab, size_t hosts,
                 size_t capacity);
  Status start(std::span<const Transfer> transfers) override;
  void handle_event(uint32_t kind, uint64_t arg) override;

 private:
  void request_dispatch();

  Simulator& sim_;
  TransferListener& listener_;
  BitRate goodput_;
  Time alpha_;
  size_t hosts_;
  ListScheduler nics_;  // resource 2h = host h's transmit side, 2h + 1 its receive side
  uint64_t next_seq_ = 0;
  Time dispatch_at_ = Time::max();
};

}  // namespace aifabric
