// The RoCEv2-like reliable connection. The sender splits a message into MTU-sized
// packets with sequence numbers (psn), paces them at its congestion controller's rate,
// stamps each with a UDP source port chosen by its PathSelection (one per flow, or one
// per packet when spraying), and recovers in one of two ways:
//  - go-back-N (RoCE): the receiver accepts only the next expected packet, ACKs
//    cumulatively, NACKs the first gap once and re-ACKs duplicates; on a NACK or a
//    retransmission timeout the sender resends from the oldest unacknowledged packet.
//  - selective: the receiver places packets up to `reorder_buffer` ahead of the next
//    expected one directly (a bitmap of which arrived) and ACKs each out-of-order
//    packet at once with the cumulative point, the packet it reports (sack_psn) and
//    which of the 64 before it are held too (sack_bits), so a lost ACK costs nothing;
//    the sender keeps a scoreboard of [snd_una, snd_nxt) and retransmits only packets
//    RACK declares lost: not acknowledged although a packet sent after them was, and
//    older than min RTT + reordering window. A timeout resends the oldest packet.
// In both, after `retry_limit` timeouts in a row the flow fails. Every ACK/NACK echoes
// the psn, source port and CE mark of the data packet that caused it; CE marks are
// answered with CNPs.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "aifabric/core/event_queue.h"
#include "aifabric/core/simulator.h"
#include "aifabric/net/packet.h"
#include "aifabric/transport/cc/congestion_control.h"
#include "aifabric/transport/flow_spec.h"
#include "aifabric/transport/path_selection.h"
#include "aifabric/transport/ring_buffer.h"
#include "aifabric/transport/transport_config.h"

namespace aifabric {

struct SenderStats {
  int64_t packets_sent = 0;
  int64_t retx_packets = 0;  // packets sent again (any reason, either recovery)
  int64_t loss_retx = 0;     // selective: retransmissions of packets RACK declared lost
  // selective: retransmissions later shown unneeded (an ACK echoed the send time of an
  // earlier copy of the packet).
  int64_t spurious_retx = 0;
  int64_t payload_sent = 0;  // payload bytes put on the wire, retransmissions included
  int64_t acks = 0, nacks = 0, cnps = 0, timeouts = 0;
  Time last_rtt;               // send of the acknowledged packet to its ACK's arrival (latest)
  Time min_rtt = Time::max();  // selective: smallest RTT sample; max() = none yet
};

struct ReceiverStats {
  // Payload delivered to the application: the first copy of every packet accepted, in
  // order or (selective) placed out of order inside the reorder buffer.
  int64_t accepted_bytes = 0;
  // Payload thrown away: out-of-order packets under go-back-N, duplicates, and
  // (selective) packets beyond the reorder buffer.
  int64_t discarded_bytes = 0;
  int64_t ecn_marked = 0;  // data packets that arrived with CE set
  int64_t cnps_sent = 0;
  int64_t packets_received = 0;  // data packets that reached the queue pair
  // Arrived with psn > next expected (selective: duplicates of held packets excluded,
  // packets beyond the reorder buffer included).
  int64_t ooo_packets = 0;
  int64_t duplicate_packets = 0;  // arrived although already received (psn < expected, or
                                  // selective: already held in the reorder buffer)
  // Reordering seen by the receiver (selective only; first copies only): a packet that
  // arrives with a psn below the highest psn seen so far has depth highest - psn.
  int64_t reordered_packets = 0;
  int64_t reorder_depth_max = 0;
  int64_t reorder_depth_sum = 0;
  // Reorder buffer (selective only): packets held beyond the cumulative point, sampled
  // after every data arrival.
  int64_t rob_max_packets = 0;
  int64_t rob_occupancy_sum = 0;   // sum of the samples; mean = sum / packets_received
  int64_t rob_overflow_drops = 0;  // dropped: psn >= expected + reorder_buffer
  Time first_arrival = Time::max();
  Time last_arrival;

  double reorder_depth_mean() const {
    return reordered_packets == 0
               ? 0.0
               : static_cast<double>(reorder_depth_sum) / static_cast<double>(reordered_packets);
  }
  double rob_mean_packets() const {
    return packets_received == 0
               ? 0.0
               : static_cast<double>(rob_occupancy_sum) / static_cast<double>(packets_received);
  }
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
           BitRate line_rate, const PathSelection& paths);

  // Whether a packet could go now; if only pacing holds it back, lowers `retry_at`.
  bool ready(Time now, Time& retry_at) const;
  // Something to send: new data, or (selective) packets declared lost.
  bool has_data() const {
    return state_ == State::kActive && (snd_nxt_ < total_pkts_ || lost_pending_ > 0);
  }
  Packet* next_packet(Time now);
  void on_control(const Packet& p);  // ACK, NACK or CNP

  // EventHandler (retransmission, loss-detection and CC timers).
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
  // Selective recovery: one slot per packet in [snd_una, snd_nxt).
  struct Slot {
    Time sent_at;                // the latest transmission
    bool sacked = false;         // reported received by a selective ACK
    bool lost = false;           // declared lost, retransmission pending
    bool rack_lost = false;      // ... by RACK (not by a timeout)
    bool retransmitted = false;  // sent more than once, not yet shown spurious
  };
  struct Sent {  // one transmission, in send order
    uint64_t psn;
    Time at;
  };

  void advance(uint64_t acked_psn);
  void arm_rto();
  uint16_t pick_sport();
  void recycle_sport(const Packet& ack, Time rtt);
  uint64_t next_psn();
  void on_selective_ack(const Packet& ack, Time rtt);
  void mark_sacked(uint64_t psn);
  void mark_lost(uint64_t psn, bool by_rack);
  void detect_losses();
  Time reorder_window() const;
  Slot& slot(uint64_t psn) { return scoreboard_[psn - snd_una_]; }

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

  // Path selection (per-packet source ports).
  PathSelection paths_;
  RandomStream rng_;
  size_t rr_next_ = 0;         // kRoundRobin: next index into paths_.sports
  RingBuffer<uint16_t> good_;  // kAdaptive: ports whose ACKs came back unmarked

  // Selective recovery.
  bool selective_;
  RingBuffer<Slot> scoreboard_;       // [snd_una, snd_nxt)
  RingBuffer<uint64_t> retx_;         // psns to resend; stale entries skipped on pop
  RingBuffer<Sent> sent_order_;       // transmissions not yet known delivered or lost
  int64_t sacked_ = 0;                // slots with sacked set
  int64_t lost_pending_ = 0;          // slots with lost set (each has an entry in retx_)
  Time rack_time_;                    // latest send time of a packet known delivered
  Time rack_timer_at_ = Time::max();  // earliest pending loss-detection timer
  // Largest RTT sample of the current and the previous kRttMaxEpoch (a windowed max).
  Time rtt_max_cur_;
  Time rtt_max_prev_;
  Time rtt_epoch_end_;
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
  int on_data_selective(const Packet& p, PacketPool& pool, Packet* out[2]);
  Packet* selective_ack(PacketPool& pool, const Packet& data);
  uint64_t sack_bitmap(uint64_t psn) const;
  bool held(uint64_t psn) const { return (rob_bits_[(psn & rob_mask_) >> 6] >> (psn & 63)) & 1; }
  void set_held(uint64_t psn, bool on) {
    const uint64_t bit = 1ULL << (psn & 63);
    uint64_t& w = rob_bits_[(psn & rob_mask_) >> 6];
    w = on ? (w | bit) : (w & ~bit);
  }

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

  // Selective: which of [expected, expected + reorder_buffer) arrived, as bits of a
  // power-of-two ring indexed by psn.
  bool selective_;
  uint64_t rob_size_;
  uint64_t rob_mask_ = 0;
  std::vector<uint64_t> rob_bits_;
  int64_t held_ = 0;      // packets held beyond the cumulative point
  uint64_t highest_ = 0;  // one past the highest psn received
};

}  // namespace aifabric
