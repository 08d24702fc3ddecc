// The RoCEv2-like reliable connection. The sender splits a message into MTU-sized
// packets with sequence numbers, paces them at its congestion controller's rate, and
// recovers with go-back-N: on a NACK or a retransmission timeout it resends from the
// oldest unacknowledged packet; after `retry_limit` timeouts in a row the flow fails.
// The receiver accepts only the next expected packet, ACKs cumulatively, NACKs the
// first gap once, re-ACKs duplicates, and answers ECN marks with CNPs.
#pragma once

#include <cstdint>
#include <memory>

#include "aifabric/core/event_queue.h"
#include "aifabric/core/simulator.h"
#include "aifabric/net/packet.h"
#include "aifabric/transport/cc/congestion_control.h"
#include "aifabric/transport/flow_spec.h"
#include "aifabric/transport/transport_config.h"

namespace aifabric {

struct SenderStats {
  int64_t packets_sent = 0;
  int64_t retx_packets = 0;  // packets sent again after go-back-N
  int64_t payload_sent = 0;  // payload bytes put on the wire, retransmissions included
  int64_t acks = 0, nacks = 0, cnps = 0, timeouts = 0;
  Time last_rtt;  // send of the acknowledged packet to its ACK's arrival (latest sample)
};

struct ReceiverStats {
  int64_t accepted_bytes = 0;   // in-order payload delivered to the application
  int64_t discarded_bytes = 0;  // out-of-order or duplicate payload dropped by go-back-N
  int64_t ecn_marked = 0;       // data packets that arrived with CE set
  int64_t cnps_sent = 0;
  Time first_arrival = Time::max();
  Time last_arrival;
};

// Sender side: owned by the source host's NIC.
class SenderQp final : public EventHandler, public CcContext {
 public:
  enum class State { kActive, kDone, kFailed };
  // The NIC the queue pair belongs to.
  class Nic {
   public:
    virtual void wake(SenderQp& qp) = 0;      // the QP may have something to send
    virtual void finished(SenderQp& qp) = 0;  // completed or failed

   protected:
    ~Nic() = default;
  };

  SenderQp(Simulator& sim, PacketPool& pool, Nic& nic, const FlowSpec& flow, uint32_t remote_qpn,
           const TransportConfig& cfg, const CcAlgorithm& cc, const Params& cc_params,
           BitRate line_rate);

  // Whether a packet could go now; if only pacing holds it back, lowers `retry_at`.
  bool ready(Time now, Time& retry_at) const;
  bool has_data() const { return state_ == State::kActive && snd_nxt_ < total_pkts_; }
  Packet* next_packet(Time now);
  void on_control(const Packet& p);  // ACK, NACK or CNP

  // EventHandler (retransmission timer and CC timers).
  void handle_event(uint32_t kind, uint64_t arg) override;
  // CcContext
  Time now() const override { return sim_.now(); }
  void set_timer(Time at, uint32_t tag) override;

  const FlowSpec& flow() const { return flow_; }
  State state() const { return state_; }
  Time finish_time() const { return finish_; }
  const SenderStats& stats() const { return stats_; }
  uint8_t priority() const { return flow_.priority; }
  const CongestionControl& cc() const { return *cc_; }
  bool in_active_list = false;  // bookkeeping for the NIC's round robin

 private:
  void advance(uint64_t acked_psn);
  void arm_rto();

  Simulator& sim_;
  PacketPool& pool_;
  Nic& nic_;
  FlowSpec flow_;
  uint32_t remote_qpn_;
  const TransportConfig& cfg_;
  std::unique_ptr<CongestionControl> cc_;
  uint64_t entropy_;
  uint64_t total_pkts_;
  uint64_t snd_nxt_ = 0;   // next sequence number to send
  uint64_t snd_una_ = 0;   // oldest unacknowledged
  uint64_t max_sent_ = 0;  // one past the highest sequence ever sent
  uint64_t mtu_;
  Time next_tx_;
  Time last_progress_;
  bool rto_armed_ = false;
  int64_t retries_ = 0;
  State state_ = State::kActive;
  Time finish_;
  SenderStats stats_;
};

// Receiver side: owned by the destination host's NIC.
class ReceiverQp {
 public:
  ReceiverQp(const FlowSpec& flow, uint32_t remote_qpn, const TransportConfig& cfg,
             Time cnp_interval, bool send_cnp);
  // Handles a data packet; writes up to two control packets (ACK/NACK and CNP) to
  // `out`, taken from `pool`, and returns how many.
  int on_data(const Packet& p, Time now, PacketPool& pool, Packet* out[2]);
  const ReceiverStats& stats() const { return stats_; }
  const FlowSpec& flow() const { return flow_; }

 private:
  Packet* control(PacketPool& pool, PacketType type, uint64_t psn, const Packet& data) const;
  FlowSpec flow_;
  uint32_t remote_qpn_;
  uint64_t total_pkts_;
  uint64_t expected_ = 0;
  uint64_t acked_ = 0;   // highest cumulative ACK sent
  int64_t nacked_ = -1;  // expected psn already NACKed
  int64_t ack_interval_;
  uint8_t ack_priority_;
  Time cnp_interval_;
  bool send_cnp_;
  Time last_cnp_ = Time::max();
  ReceiverStats stats_;
};

}  // namespace aifabric
