// The recovery-mode family: how a queue pair detects and repairs loss. The queue pair
// (transport/queue_pair.h) keeps what every mode shares: sequence numbers, pacing,
// the retransmission timeout and retry limit, completion, congestion control. A mode
// adds a SenderRecovery (which packet goes next, what an ACK, a NACK or a timeout
// means) and a ReceiverRecovery (which data packets are accepted, what is
// acknowledged). A new mode is a folder under transport/reliability/ plus one line in
// transport/reliability/registry.cc.
#pragma once

#include <cstdint>
#include <memory>
#include <type_traits>

#include "aifabric/core/params.h"
#include "aifabric/core/registry.h"
#include "aifabric/core/units.h"
#include "aifabric/net/packet.h"

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
  // Receiver-driven credits: pulls received, and NACKs of packets a switch trimmed.
  int64_t pulls = 0, trim_nacks = 0;
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
  // Receiver-driven credits: headers of trimmed data packets (each answered by a NACK of
  // exactly that packet), and the pulls this queue pair's NIC sent for it.
  int64_t trimmed_received = 0;
  int64_t pulls_sent = 0;
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

// The sender's sequence state, owned by the queue pair and updated by both.
struct SendWindow {
  uint64_t snd_nxt = 0;   // next new sequence number to send
  uint64_t snd_una = 0;   // oldest unacknowledged
  uint64_t max_sent = 0;  // one past the highest sequence ever sent
  uint64_t total = 0;     // packets in the message
  // Packets of [snd_una, snd_nxt) that do not count as in flight (selective: SACKed or
  // declared lost: RFC 6675's pipe leaves them out).
  uint64_t not_in_flight = 0;
  // Packets declared lost and waiting to be resent before new data.
  int64_t resend_pending = 0;
  // New data goes out only below this psn: `total`, or less while a recovery mode caps
  // what is outstanding (selective's bdp_cap: min(total, snd_una + cap)).
  uint64_t new_data_end = 0;
};

// What the queue pair offers its recovery mode.
class RecoveryContext {
 public:
  virtual Time now() const = 0;
  // Calls SenderRecovery::on_timer at `at` (one-shot; earlier ones are not cancelled).
  virtual void set_recovery_timer(Time at) = 0;
  // Something may have become sendable (a packet was declared lost).
  virtual void wake() = 0;
  virtual SenderStats& sender_stats() = 0;

 protected:
  ~RecoveryContext() = default;
};

class SenderRecovery {
 public:
  virtual ~SenderRecovery() = default;
  // The queue pair is set up (w.total is known); nothing sent yet.
  virtual void on_start(SendWindow& /*w*/) {}
  // The psn to put on the wire next: a retransmission, or new data at w.snd_nxt.
  virtual uint64_t next_psn(SendWindow& w) = 0;
  // `psn` was just sent at `now`.
  virtual void on_sent(uint64_t /*psn*/, Time /*now*/, SendWindow& /*w*/) {}
  // An ACK arrived, before the cumulative point moves to ack.psn.
  virtual void on_ack(const Packet& /*ack*/, Time /*rtt*/, SendWindow& /*w*/) {}
  // The cumulative point is moving from w.snd_una to `to`.
  virtual void on_advance(uint64_t /*to*/, SendWindow& /*w*/) {}
  // An ACK has been applied and the flow is still active.
  virtual void after_ack(SendWindow& /*w*/) {}
  // A NACK for `psn` has been applied and the flow is still active.
  virtual void on_nack(uint64_t /*psn*/, SendWindow& /*w*/) {}
  // The receiver got only the header of `psn` (a switch trimmed it): resend exactly it.
  // Modes that cannot (go-back-N) are refused with receiver-driven algorithms.
  virtual void on_trimmed(uint64_t /*psn*/, SendWindow& /*w*/) {}
  // The retransmission timeout expired (the retry limit is not yet reached).
  virtual void on_timeout(SendWindow& w) = 0;
  // The timer asked for with set_recovery_timer is due.
  virtual void on_timer(SendWindow& /*w*/) {}
};

// The receiver's cumulative state, owned by the receiving queue pair.
struct ReceiveWindow {
  uint64_t expected = 0;  // next psn in order
  uint64_t acked = 0;     // highest cumulative ACK sent
  uint64_t total = 0;     // packets in the message; 0 until its last packet arrived
  int64_t ack_interval = 1;
};

// Makes the control packets a receiver answers with (ACK, NACK), addressed to the
// sender and echoing `data`'s psn, send time, source port and CE mark.
class ControlFactory {
 public:
  virtual Packet* control(PacketType type, uint64_t psn, const Packet& data) = 0;

 protected:
  ~ControlFactory() = default;
};

class ReceiverRecovery {
 public:
  virtual ~ReceiverRecovery() = default;
  // A data packet arrived: accept or discard it, count it, and write at most one ACK or
  // NACK to `out`; returns how many (0 or 1).
  virtual int on_data(const Packet& p, ReceiveWindow& w, ReceiverStats& st, ControlFactory& f,
                      Packet** out) = 0;
};

struct RecoveryMode : Member {
  std::unique_ptr<SenderRecovery> (*make_sender)(const Params& params,
                                                 RecoveryContext& ctx) = nullptr;
  std::unique_ptr<ReceiverRecovery> (*make_receiver)(const Params& params) = nullptr;
  // Out-of-order arrivals cost nothing but a reorder buffer (false: they are discarded
  // and resent, as go-back-N does).
  bool tolerates_reordering = false;
};

// The entry of mode (Sender, Receiver): Sender(const P&, RecoveryContext&) and
// Receiver(const P&), or their default constructors when P has nothing to pass.
template <class P, class Sender, class Receiver>
RecoveryMode recovery_member(std::string_view name, std::string_view doc,
                             bool tolerates_reordering) {
  RecoveryMode m;
  m.name = name;
  m.doc = doc;
  m.make_params = &make_params_of<P>;
  m.make_sender = [](const Params& p, RecoveryContext& ctx) -> std::unique_ptr<SenderRecovery> {
    if constexpr (std::is_constructible_v<Sender, const P&, RecoveryContext&>) {
      return std::make_unique<Sender>(params_as<P>(p), ctx);
    } else {
      return std::make_unique<Sender>(ctx);
    }
  };
  m.make_receiver = [](const Params& p) -> std::unique_ptr<ReceiverRecovery> {
    if constexpr (std::is_constructible_v<Receiver, const P&>) {
      return std::make_unique<Receiver>(params_as<P>(p));
    } else {
      return std::make_unique<Receiver>();
    }
  };
  m.tolerates_reordering = tolerates_reordering;
  return m;
}

const Registry<RecoveryMode>& recovery_modes();

}  // namespace aifabric
