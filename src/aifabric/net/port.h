// A port: one direction of a full-duplex link, seen from the device that transmits on
// it. It serializes frames at the link rate, carries them for the propagation delay
// (a FIFO of frames in flight, one pending event per link), may corrupt them at the
// link's error rate, and delivers them to the peer device. It also holds the PFC pause
// state the peer imposed on this transmitter. Invariant: at most one transmission at a
// time; frames arrive in the order they were sent.
#pragma once

#include <array>
#include <cstdint>

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
  int64_t deliveries = 0;  // data/ACK/NACK/CNP frames delivered to the peer
  int64_t pause_tx = 0;    // PFC frames sent (XOFF, refresh and XON)
  int64_t pause_rx = 0;    // PFC frames received
  int64_t link_drops = 0;  // frames lost to the link error rate
  int64_t link_drop_payload = 0;
  int64_t ecn_marked = 0;  // set by switches when they mark on this egress
  int64_t drops = 0;       // set by switches: frames refused for this egress
  int64_t drop_payload = 0;
  int64_t max_queue_bytes = 0;  // set by switches: deepest egress queue (all classes)
  int64_t trims = 0;  // set by switches: data packets cut to headers (payload in drop_payload)
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

  void connect(Node* peer, uint16_t peer_port) {
    peer_ = peer;
    peer_port_ = peer_port;
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

  const LinkParams& link() const { return link_; }
  uint16_t index() const { return index_; }
  Node* peer() const { return peer_; }
  uint16_t peer_port() const { return peer_port_; }
  PortCounters& counters() { return counters_; }
  const PortCounters& counters() const { return counters_; }
  // Frames in flight on the link right now, and their data payload.
  int64_t in_flight_payload() const;

  void handle_event(uint32_t kind, uint64_t arg) override;

 private:
  enum Kind : uint32_t { kTxDone = 0, kDeliver = 1, kWake = 2 };
  void transmit(Packet* p, Time now);

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
  Packet* flight_head_ = nullptr;
  Packet* flight_tail_ = nullptr;
  std::array<Time, kNumPriorities> pause_until_{};
  std::array<Time, kNumPriorities> pause_since_{};
  std::array<Time, kNumPriorities> paused_closed_{};
  PortCounters counters_;
  PortObserver* observer_ = nullptr;
  uint32_t observer_id_ = 0;
};

}  // namespace aifabric
