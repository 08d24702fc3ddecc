// The analytic (alpha-beta) engine: a transfer serialises its bytes at beta x
// efficiency, shared with the other transfers of its NICs, and is delivered alpha after
// its last byte left (alpha is flight time: the NIC is free to serialise the next
// transfer meanwhile). Sharing is an equal split: a transfer moves at goodput /
// max(transfers leaving its source NIC, transfers entering its destination NIC),
// recomputed whenever one of those NICs gains or loses a transfer (deterministic, no
// global solver; not max-min fair where the counts differ). So an isolated transfer
// takes alpha + bytes / goodput, and an all-to-all's n-1 peers proceed in parallel at
// the NIC rate instead of one after another. Instant estimates: no packets, no
// congestion inside the fabric. Deterministic.
#pragma once

#include <vector>

#include "aifabric/core/units.h"
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
  // A transfer still serialising: `work` is what is left in bits x 1e12 (so that a
  // share of k serialises goodput / k of it per picosecond), settled at `since`; its
  // last byte leaves at `finish`. One event is pending per transfer, at `due` <=
  // finish: a finish that moves later waits for that event, one that moves earlier
  // gets a new event (the old one, found stale, is dropped), so the queue holds few
  // dead events however often shares change.
  struct Active {
    uint32_t src = 0, dst = 0;
    int128 work = 0;
    uint32_t share = 0;
    Time since;
    Time finish = Time::max();
    Time due = Time::max();
    bool live = false;
  };
  // Settles progress of the transfers on these NIC sides and re-times them.
  void reshare(uint32_t tx_host, uint32_t rx_host);
  void retime(uint32_t id);
  static void erase(std::vector<uint32_t>& v, uint32_t id);

  Simulator& sim_;
  TransferListener& listener_;
  BitRate goodput_;
  Time alpha_;
  size_t hosts_;
  std::vector<Active> active_;             // by transfer id
  std::vector<std::vector<uint32_t>> tx_;  // per host: transfers leaving it
  std::vector<std::vector<uint32_t>> rx_;  // per host: transfers entering it
};

}  // namespace aifabric
