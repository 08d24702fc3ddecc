// A port: one direction of a full-duplex link, seen from the device that transmits on
// it. It serializes frames at the link rate, carries them for the propagation delay
// (one pending delivery event per frame in flight, handled by the port at the far end,
// so that the event that changes the receiving device is homed there: what a
// partitioned engine needs, docs/design.md), may corrupt them at the link's error
// rate, and delivers them to the peer device. It also holds the PFC pause
// state the peer imposed on this transmitter, and, on a link with credit-based flow
// control (CBFC), both credit counters of its own link: the credits this transmitter
// holds per lane, and the credits its device owes the peer for frames that arrived
// here and have left the device's buffer (sent back as credit frames ahead of data).
// Invariant: at most one transmission at a time; frames arrive in the order they were
// sent; a credit lane never sends beyond its credit limit.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <vector>

#include "aifabric/core/event_queue.h"
#include "aifabric/core/random.h"
#include "aifabric/core/simulator.h"
#include "aifabric/core/units.h"
#include "aifabric/net/link.h"
#include "aifabric/net/node.h"
#include "aifabric/net/packet.h"

namespace aifabric {

struct PortCounters {
  int64_t tx_bytes = 0;          // wire bytes of every frame sent, pause frames included
  int64_t tx_packets = 0;        // data, ACK, NACK and CNP frames sent
  int64_t tx_payload_bytes = 0;  // data payload bytes sent
  int64_t tx_data_packets = 0;
  int64_t deliveries = 0;  // data/ACK/NACK/CNP frames that arrived at this end of the link
                           // (the transmitter's, when the peer has no ports)
  int64_t pause_tx = 0;    // PFC frames sent (XOFF, refresh and XON)
  int64_t pause_rx = 0;    // PFC frames received
  int64_t link_drops = 0;  // frames lost to the link error rate
  int64_t link_drop_payload = 0;
  int64_t ecn_marked = 0;  // set by switches when they mark on this egress
  int64_t drops = 0;       // set by switches: frames refused for this egress
  int64_t drop_payload = 0;
  int64_t max_queue_bytes = 0;  // set by switches: deepest egress queue (all classes)
  int64_t credit_tx = 0;        // CBFC credit frames sent
  int64_t credit_rx = 0;        // CBFC credit frames received
  int64_t credit_overruns = 0;  // frames sent beyond the credit limit: a model bug, must be 0
  int64_t trims = 0;       // set by switches: data packets cut to headers (payload in drop_payload)
  int64_t blackholed = 0;  // frames lost because the link was down (sent into a dead link)
  int64_t blackholed_payload = 0;
  int64_t notices_tx = 0;  // failure notifications sent (remote fast recovery)
};

// CBFC on one link, the same at both ends (both devices read one config). Sizes are
// in credit blocks of `block` bytes; a frame costs ceil(wire / block) blocks.
struct CreditLink {
  uint8_t lanes = 0;             // bit p: priority p is a credit lane
  int64_t block = 64;            // bytes per credit block
  int64_t credits = 0;           // blocks of receive buffer per lane granted to the peer
  int64_t update = 1;            // freed blocks that trigger a credit frame at once
  Time interval = Time::zero();  // fewer freed blocks are returned at most this late
};

class Port;

// A probe on a port: told when a pause episode of a priority ends (a pause that is
// extended by refreshes is one episode). Nobody listening costs a branch.
class PortObserver {
 public:
  virtual void pause_episode(const Port& port, uint8_t prio, Time start, Time end) = 0;

 protected:
  ~PortObserver() = default;
};

class Port final : public EventHandler {
 public:
  Port(Simulator& sim, PacketPool& pool, Node& owner, uint16_t index, const LinkParams& link,
       uint64_t seed);
  Port(const Port&) = delete;
  Port& operator=(const Port&) = delete;

  // `far` is the peer's port on the same link, which handles this port's deliveries
  // (null when the peer is not a device with ports, as in unit tests: this port then
  // delivers its frames itself).
  void connect(Node* peer, uint16_t peer_port, Port* far = nullptr) {
    peer_ = peer;
    peer_port_ = peer_port;
    far_ = far;
  }
  // The owner has something to send: start now if idle, or book the end of the
  // current transmission.
  void kick();
  bool idle(Time now) const { return now >= busy_until_; }

  // PFC: the peer asked this transmitter to pause `prio` for `quanta` x 512 bit times
  // (0 resumes). Returns true when the priority is resumed.
  bool on_pause_frame(uint8_t prio, uint16_t quanta);
  bool paused(uint8_t prio, Time now) const { return pause_until_[prio] > now; }
  Time pause_until(uint8_t prio) const { return pause_until_[prio]; }
  // Total time `prio` has been paused up to `now`.
  Time paused_time(uint8_t prio, Time now) const;
  // Subscribes `o` to this port's pause episodes; `id` identifies the port to it.
  void set_observer(PortObserver* o, uint32_t id) {
    observer_ = o;
    observer_id_ = id;
  }
  uint32_t observer_id() const { return observer_id_; }
  // Reports the episodes still open at `now` (end of the run) as ending then.
  void close_pause_episodes(Time now);
  Time pause_quanta_time(uint16_t quanta) const {
    return link_.rate.transmit_time(int64_t{quanta} * 64);
  }

  // CBFC. Starts with the peer's full credits on every lane in `c` (as after link
  // initialisation, when each side advertises its buffer).
  void enable_credits(const CreditLink& c);
  bool has_credit_lanes() const { return credit_lanes_ != 0; }
  bool credit_lane(uint8_t prio) const { return ((credit_lanes_ >> prio) & 1U) != 0; }
  // Whether a frame of `prio` and `wire` bytes may start now: false while the peer
  // pauses `prio` (lowering `retry_at` to the pause's end) or a credit lane lacks the
  // credits for it (marked starved until credits arrive; the credit frame kicks).
  bool blocked(uint8_t prio, uint32_t wire, Time now, Time& retry_at) {
    if (pause_until_[prio] > now) {
      retry_at = std::min(retry_at, pause_until_[prio]);
      return true;
    }
    if (credit_lanes_ == 0) [[likely]]
      return false;
    return !has_credit(prio, wire, now);
  }
  // Credit lane `prio` holds the credits for `wire` bytes; if not, it is starved from now.
  bool has_credit(uint8_t prio, uint32_t wire, Time now);
  // A credit frame from the peer raised lane `prio`'s limit to `limit` blocks.
  void on_credit_frame(uint8_t prio, int64_t limit);
  // A frame of lane `prio` that arrived on this port's link left the device's buffer:
  // its blocks are owed to the peer and go back in the next credit frame.
  void return_credits(uint8_t prio, uint32_t wire);
  int64_t credit_blocks(uint32_t wire) const { return (wire + credit_.block - 1) / credit_.block; }
  // Blocks lane `prio` may still send.
  int64_t credits_available(uint8_t prio) const { return tx_limit_[prio] - tx_used_[prio]; }
  const CreditLink& credit_link() const { return credit_; }
  // Total time lane `prio` waited for credits up to `now`.
  Time starved_time(uint8_t prio, Time now) const;

  const LinkParams& link() const { return link_; }
  // Faults at run time (fault/). A link that goes down loses every frame on it and every
  // frame sent into it (blackholed) until it comes up again; frames already on the wire
  // when it went down are lost too. Devices learn of it only by detection, so until then
  // they keep sending into it. A lane rate change applies from the next frame; a bit error
  // rate loses a frame of `wire` bytes with probability 1 - (1 - ber)^(8 wire).
  void set_up(bool up);
  bool up() const { return up_; }
  // The owner has detected its link down. A switch (`flush`) discards what it hands this
  // port from now on, its queue first, counted as blackholed, as a port that goes down
  // flushes its queues; a NIC holds its frames (no carrier, nothing sent) until the link
  // is seen up again.
  void set_detected_down(bool down, bool flush);
  void set_rate(BitRate rate);
  void set_bit_error_rate(double ber);
  double bit_error_rate() const { return ber_; }
  // The flows whose frames (data or acknowledgements) this port blackholed, in order (repeats of
  // the last one left out): what a fault's record counts as flows affected.
  const std::vector<uint32_t>& blackholed_flows() const { return blackholed_flows_; }
  Time last_blackholed() const { return last_blackholed_; }  // when it last lost one
  uint16_t index() const { return index_; }
  Node* peer() const { return peer_; }
  uint16_t peer_port() const { return peer_port_; }
  PortCounters& counters() { return counters_; }
  const PortCounters& counters() const { return counters_; }
  // Frames in flight on the link right now, and their data payload.
  int64_t in_flight_payload() const;

  void handle_event(uint32_t kind, uint64_t arg) override;

 private:
  // A frame is on the wire until busy_until_: book its end (once) and say so.
  bool defer_while_busy(Time now) {
    if (now >= busy_until_) return false;
    if (!tx_booked_) {
      tx_booked_ = true;
      sim_.schedule_at(busy_until_, EventPriority::kTransmit, this, kTxDone);
    }
    return true;
  }
  enum Kind : uint32_t { kTxDone = 0, kDeliver = 1, kWake = 2, kCreditTimer = 3 };
  void transmit(Packet* p, Time now);
  Packet* credit_frame();  // the update of the lowest lane that is due
  void send_credits();     // credit updates are due: send them ahead of data
  void on_credit_timer();
  void spend_credit(const Packet& p);
  // The link error rate, a bit error rate or a fault took `p`: counted and released.
  [[gnu::noinline]] bool lost_on_link(Packet* p);
  [[gnu::noinline]] void discard_all();  // detected down: the owner's frames are lost
  void blackhole(Packet* p);
  void update_impaired() { impaired_ = link_.loss_rate > 0 || ber_ > 0 || faulted_; }

  Simulator& sim_;
  PacketPool& pool_;
  Node& owner_;
  Node* peer_ = nullptr;
  uint16_t index_;
  uint16_t peer_port_ = 0;
  LinkParams link_;
  int64_t ps_per_byte_;  // exact serialization cost when the rate divides 8e12, else 0
  RandomStream loss_rng_;
  Time busy_until_;
  Time wake_at_ = Time::max();
  bool tx_booked_ = false;
  // CBFC's two flags the per-frame path reads, beside the others it touches: the credit
  // lanes (0 without CBFC) and the lanes whose update is due at the next frame boundary.
  uint8_t credit_lanes_ = 0;
  uint8_t credit_due_ = 0;
  // Set when a frame may be lost on delivery (an error rate, or a fault ever happened):
  // the one flag the delivery path reads.
  bool impaired_ = false;
  bool up_ = true;
  bool detected_down_ = false;
  bool flush_ = false;
  bool faulted_ = false;           // the link has been down at some time in this run
  Time went_down_ = Time::ps(-1);  // the last time it went down
  // The port at the far end of the link (null: this port delivers its own frames), and
  // the data payload that has arrived on (or been lost to) the link at this end: the
  // frames in flight towards this end are the far port's payload sent minus this.
  Port* far_ = nullptr;
  int64_t arrived_payload_ = 0;
  std::array<Time, kNumPriorities> pause_until_{};
  std::array<Time, kNumPriorities> pause_since_{};
  std::array<Time, kNumPriorities> paused_closed_{};
  PortCounters counters_;
  // CBFC (all zero without it). Transmitter: limit and blocks sent per lane, absolute.
  // Receiver side: blocks freed per lane, and the freed count the last update carried.
  CreditLink credit_;
  bool credit_timer_ = false;
  std::array<int64_t, kNumPriorities> tx_limit_{};
  std::array<int64_t, kNumPriorities> tx_used_{};
  std::array<int64_t, kNumPriorities> rx_freed_{};
  std::array<int64_t, kNumPriorities> rx_reported_{};
  std::array<Time, kNumPriorities> starved_since_{};  // Time::max(): not starved
  std::array<Time, kNumPriorities> starved_closed_{};
  PortObserver* observer_ = nullptr;
  uint32_t observer_id_ = 0;
  double ber_ = 0;
  Time last_blackholed_;
  std::vector<uint32_t> blackholed_flows_;
};

}  // namespace aifabric
