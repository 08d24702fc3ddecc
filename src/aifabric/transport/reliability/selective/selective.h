// Selective recovery, what RDMA NICs with direct data placement do (IRN-like):
//  - the receiver places packets up to `reorder_buffer` ahead of the next expected one
//    directly (a bitmap of which arrived) and ACKs each out-of-order packet at once with
//    the cumulative point, the packet it reports (sack_psn) and which of the 64 before
//    it are held too (sack_bits), so a lost ACK costs nothing; no NACKs;
//  - the sender keeps a scoreboard of [snd_una, snd_nxt) and retransmits only packets
//    RACK (RFC 8985) declares lost: not acknowledged although a packet sent after them
//    was, and older than min RTT + reordering window. A timeout resends the oldest;
//  - with `bdp_cap`, new data goes out only while fewer than bdp_cap packets lie in
//    [snd_una, snd_nxt) (IRN's BDP-FC), which also bounds the reorder buffer.
// How it differs from IRN (Mittal et al., SIGCOMM 2018): IRN retransmits on each NACK
// (SACK) at once and recovers a lost retransmission by timeout (RTO_low 100 us with
// at most 3 packets in flight, RTO_high 320 us otherwise); here RACK declares a packet
// lost min RTT + reorder_window after its send (reorder_window near 0 is IRN's
// immediate reaction) and also repairs lost retransmissions without a timeout; one
// transport-wide RTO; the cap is off unless bdp_cap is set.
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

#include "aifabric/transport/reliability/reliability.h"
#include "aifabric/transport/ring_buffer.h"

namespace aifabric {

// The auto reordering window (`reorder_window` 0) is the spread of the queue pair's
// recent RTTs (its largest sample of the last 1-2 ms minus its smallest ever), which
// sprayed packets show as the queueing difference between their paths, plus a margin
// for the spread's growth until the next sample: a quarter of the minimum RTT (RFC
// 8985's reordering window), but at least this much. RFC 8985's quarter RTT alone suits
// WAN paths, whose RTT dwarfs queueing; in a fabric random spraying at full load drives
// spine queues 5 us (2 MiB flows) to 27 us (16 MiB) apart at a min RTT of 8.3 us
// (tests/scenarios/spray_reorder_test.cc).
inline constexpr Time kMinAutoReorderWindow = Time::us(4);

struct SelectiveParams final : ParamsOf<SelectiveParams> {
  // Packets the receiver can hold beyond the next expected one (the reorder buffer of a
  // NIC with direct data placement); a packet further ahead is dropped.
  int64_t reorder_buffer = 1024;
  // How much later than the minimum RTT a hole may still be filled before the sender
  // declares it lost (RACK's reordering window); 0 = auto.
  Time reorder_window;
  // IRN's BDP-FC: at most this many packets in [snd_una, snd_nxt); 0 = no cap.
  int64_t bdp_cap = 0;
  void visit(ParamVisitor& v) override;
  Status validate() const override;
};

class SelectiveSender final : public SenderRecovery {
 public:
  SelectiveSender(const SelectiveParams& p, RecoveryContext& ctx) : p_(p), ctx_(ctx) {}
  uint64_t next_psn(SendWindow& w) override;
  void on_sent(uint64_t psn, Time now, SendWindow& w) override;
  void on_ack(const Packet& ack, Time rtt, SendWindow& w) override;
  void on_start(SendWindow& w) override { cap(w.snd_una, w); }
  void on_advance(uint64_t to, SendWindow& w) override;
  void after_ack(SendWindow& w) override { detect_losses(w); }
  void on_timeout(SendWindow& w) override;
  void on_trimmed(uint64_t psn, SendWindow& w) override;
  void on_timer(SendWindow& w) override;

 private:
  // One slot per packet in [snd_una, snd_nxt).
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
  Slot& slot(uint64_t psn, const SendWindow& w) { return scoreboard_[psn - w.snd_una]; }
  void mark_sacked(uint64_t psn, SendWindow& w);
  void mark_lost(uint64_t psn, bool by_rack, SendWindow& w);
  void detect_losses(SendWindow& w);
  Time reorder_window() const;
  // New data may go up to bdp_cap packets past the cumulative point `una`.
  void cap(uint64_t una, SendWindow& w) const {
    if (p_.bdp_cap > 0) w.new_data_end = std::min(w.total, una + static_cast<uint64_t>(p_.bdp_cap));
  }
  void sync(SendWindow& w) const {
    w.resend_pending = lost_pending_;
    w.not_in_flight = static_cast<uint64_t>(sacked_ + lost_pending_);
  }

  const SelectiveParams& p_;
  RecoveryContext& ctx_;
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

class SelectiveReceiver final : public ReceiverRecovery {
 public:
  explicit SelectiveReceiver(const SelectiveParams& p);
  int on_data(const Packet& p, ReceiveWindow& w, ReceiverStats& st, ControlFactory& f,
              Packet** out) override;

 private:
  Packet* ack(ControlFactory& f, const ReceiveWindow& w, const Packet& data) const;
  uint64_t sack_bitmap(uint64_t psn, const ReceiveWindow& w) const;
  bool held(uint64_t psn) const { return (rob_bits_[(psn & rob_mask_) >> 6] >> (psn & 63)) & 1; }
  void set_held(uint64_t psn, bool on) {
    const uint64_t bit = 1ULL << (psn & 63);
    uint64_t& word = rob_bits_[(psn & rob_mask_) >> 6];
    word = on ? (word | bit) : (word & ~bit);
  }

  // Which of [expected, expected + reorder_buffer) arrived, as bits of a power-of-two
  // ring indexed by psn.
  uint64_t rob_size_;
  uint64_t rob_mask_ = 0;
  std::vector<uint64_t> rob_bits_;
  int64_t held_ = 0;      // packets held beyond the cumulative point
  uint64_t highest_ = 0;  // one past the highest psn received
};

}  // namespace aifabric
