// The RoCEv2-like reliable connection. The sender splits a message into MTU-sized
// packets with sequence numbers (psn), paces them at its congestion controller's rate,
// stamps each with its flow's UDP source port or one its PathChooser picks (spraying),
// and recovers from loss as its recovery mode says (transport/reliability/): after
// `retry_limit` retransmission timeouts in a row the flow fails. The receiver is made
// from the first data packet that reaches it (packets carry what the connection needs:
// flow, hosts, the sender's queue pair and source port, the last packet's flag); every
// ACK/NACK echoes the psn, source port and CE mark of the data packet that caused it,
// and CE marks are answered with CNPs at most once per CNP interval.
#pragma once

#include <algorithm>
#include <cstdint>
#include <memory>

#include "aifabric/core/event_queue.h"
#include "aifabric/core/simulator.h"
#include "aifabric/net/packet.h"
#include "aifabric/transport/cc/congestion_control.h"
#include "aifabric/transport/flow_spec.h"
#include "aifabric/transport/path_chooser.h"
#include "aifabric/transport/reliability/reliability.h"
#include "aifabric/transport/transport_config.h"

namespace aifabric {

enum class SenderState { kActive, kDone, kFailed };

// What a sending queue pair leaves behind: its state, when it ended and its counters.
// The NIC keeps this much of a finished flow once it frees the queue pair itself.
class SenderResult {
 public:
  SenderState state() const { return state_; }
  Time finish_time() const { return finish_; }
  const SenderStats& stats() const { return stats_; }

 protected:
  SenderState state_ = SenderState::kActive;
  Time finish_;
  SenderStats stats_;
};

// Sender side: owned by the source host's NIC.
class SenderQp final : public EventHandler,
                       public CcContext,
                       public RecoveryContext,
                       public SenderResult {
 public:
  using State = SenderState;
  // The NIC the queue pair belongs to.
  class Nic {
   public:
    virtual void wake(SenderQp& qp) = 0;      // the QP may have something to send
    virtual void finished(SenderQp& qp) = 0;  // completed or failed
    // The queue pair has ended and no event, list or frame of the NIC refers to it any
    // longer: the NIC may free it. Called as the last thing the queue pair does.
    virtual void retire(SenderQp& qp) = 0;

   protected:
    ~Nic() = default;
  };

  // `qpn` is this queue pair's number at its NIC (ACKs come back addressed to it);
  // `paths` picks per-packet source ports, null = the flow's own port.
  SenderQp(Simulator& sim, PacketPool& pool, Nic& nic, const FlowSpec& flow, uint32_t qpn,
           const TransportConfig& cfg, const CcAlgorithm& cc, const Params& cc_params,
           BitRate line_rate, std::unique_ptr<PathChooser> paths = nullptr);

  // Whether a packet could go now; if only pacing holds it back, lowers `retry_at`.
  bool ready(Time now, Time& retry_at) const {
    if (!has_data()) return false;
    if (credit_driven_ && credits_ <= 0) return false;
    int64_t window = cfg_.window.count();
    const int64_t cc_window = cc_->window_bytes();
    if (cc_window > 0) window = window > 0 ? std::min(window, cc_window) : cc_window;
    if (window > 0) {
      const uint64_t in_flight = w_.snd_nxt - w_.snd_una - w_.not_in_flight;
      if (static_cast<int64_t>(in_flight * mtu_) >= window) return false;
    }
    if (next_tx_ > now) {
      retry_at = std::min(retry_at, next_tx_);
      return false;
    }
    return true;
  }
  // Something to send: new data (that the recovery mode's cap allows), or packets
  // declared lost.
  bool has_data() const {
    return state_ == State::kActive && (w_.snd_nxt < w_.new_data_end || w_.resend_pending > 0);
  }
  Packet* next_packet(Time now);
  void on_control(const Packet& p);  // ACK, NACK, CNP or pull

  // EventHandler (retransmission, loss-detection and CC timers).
  void handle_event(uint32_t kind, uint64_t arg) override;
  // CcContext and RecoveryContext
  Time now() const override { return sim_.now(); }
  Bytes mtu() const override { return cfg_.mtu; }
  void set_timer(Time at, uint32_t tag) override;
  void set_recovery_timer(Time at) override;
  void wake() override { nic_.wake(*this); }
  SenderStats& sender_stats() override { return stats_; }

  const FlowSpec& flow() const { return flow_; }
  uint32_t qpn() const { return qpn_; }
  // Ended, with no timer of its own pending and off the NIC's round robin: nothing can
  // reach it again.
  bool retirable() const { return state_ != State::kActive && timers_ == 0 && !in_active_list; }
  uint8_t priority() const { return flow_.priority; }
  const CongestionControl& cc() const { return *cc_; }
  // Receiver-driven algorithms: packets the sender may still send before the next pull.
  int64_t credits() const { return credits_; }
  bool in_active_list = false;  // bookkeeping for the NIC's round robin

 private:
  // Moves the cumulative point to `acked_psn`; returns the payload bytes it newly covers.
  int64_t advance(uint64_t acked_psn);
  // Gives the congestion controller this ACK's or NACK's feedback.
  void feedback(const Packet& p, Time rtt, int64_t newly_acked);
  void arm_rto();
  void on_timer(uint32_t kind, uint64_t arg);  // an event of an active queue pair
  void spend_credit(Packet& p);
  void forget_lost_asks(int64_t pending);

  Simulator& sim_;
  PacketPool& pool_;
  Nic& nic_;
  FlowSpec flow_;
  uint32_t qpn_;
  const TransportConfig& cfg_;
  std::unique_ptr<CongestionControl> cc_;
  std::unique_ptr<SenderRecovery> recovery_;
  std::unique_ptr<PathChooser> paths_;
  uint64_t entropy_;
  SendWindow w_;
  uint64_t mtu_;
  bool needs_int_;    // the algorithm reads INT or grants: data packets carry a stack
  bool needs_grant_;  // the algorithm asks the switches for window grants
  // Receiver-driven (CcAlgorithm::pull_share): a packet goes only against a credit; the
  // initial window's, then one per pull. `pulls_` is the highest pull number seen: a
  // pull's number counts the connection's pulls, so one lost is made up by the next.
  bool credit_driven_;
  int64_t credits_ = 0;
  int64_t asked_ = 0;  // packets sent with wants_pull whose pull has not come back
  uint64_t pulls_ = 0;
  Time next_tx_;
  Time last_progress_;
  bool rto_armed_ = false;
  uint32_t timers_ = 0;  // this queue pair's events still in the simulator's queue
  int64_t retries_ = 0;
};

// What a receiving queue pair leaves behind: its counters. The NIC keeps this much
// once the queue pair is freed.
class ReceiverResult {
 public:
  const ReceiverStats& stats() const { return stats_; }
  // Data packets that reached the queue pair (trimmed headers included).
  int64_t arrivals() const { return stats_.packets_received + stats_.trimmed_received; }

 protected:
  ReceiverStats stats_;
};

// Receiver side: owned by the destination host's NIC, made from the flow's first data
// packet to arrive. The header of a trimmed packet is answered with a NACK of exactly
// it (psn = the cumulative point, sack_psn = the trimmed packet, `trimmed` set).
class ReceiverQp final : public ControlFactory, public ReceiverResult {
 public:
  ReceiverQp(const Packet& first, const TransportConfig& cfg, Time cnp_interval, bool send_cnp);
  // A receiver told the message at connection setup (tests drive one by hand).
  ReceiverQp(const FlowSpec& flow, uint32_t sender_qpn, const TransportConfig& cfg,
             Time cnp_interval, bool send_cnp);
  // Handles a data packet; writes up to two control packets (ACK/NACK and CNP) to
  // `out`, taken from `pool`, and returns how many.
  int on_data(const Packet& p, Time now, PacketPool& pool, Packet* out[2]);
  uint32_t flow_id() const { return flow_; }
  // Receiver-driven credits: whether the message still misses packets (pulls for a
  // complete one are not sent), and the next pull, taken from `pool`.
  bool wants_pulls() const { return w_.total == 0 || w_.expected < w_.total; }
  Packet* pull(PacketPool& pool);

  Packet* control(PacketType type, uint64_t psn, const Packet& data) override;

 private:
  Packet* to_sender(PacketPool& pool, PacketType type) const;
  uint32_t flow_;
  uint32_t src_, dst_;  // the sender's host and this one
  uint32_t sender_qp_;
  uint16_t sport_, dport_;  // the connection's ports (ACKs carry them back)
  uint64_t entropy_;        // of the ACKs' 5-tuple
  uint8_t ack_priority_;
  Time cnp_interval_;
  bool send_cnp_;
  Time last_cnp_ = Time::max();
  PacketPool* pool_ = nullptr;  // during on_data
  ReceiveWindow w_;
  std::unique_ptr<ReceiverRecovery> recovery_;
};

}  // namespace aifabric
