// A switch port's egress: eight priority queues plus the PFC frames that go ahead of
// everything, served strict (priority 7 first) or by deficit round robin, skipping
// priorities the peer has paused and credit lanes without credits for their head frame.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "aifabric/core/units.h"
#include "aifabric/fabric/switch/switch_config.h"
#include "aifabric/net/packet.h"
#include "aifabric/net/port.h"

namespace aifabric {

struct EgressQueues {
  std::array<PacketQueue, kNumPriorities> q;
  PacketQueue control;  // PFC frames, sent ahead of everything at the next boundary
  std::array<int64_t, kNumPriorities> deficit{};
  int64_t bytes = 0;      // all priorities
  uint32_t nonempty = 0;  // bit p set while q[p] holds packets
  uint8_t rr = 0;         // DWRR: the priority whose turn it is
  bool credited = false;  // DWRR: q[rr] has received this turn's quantum

  void push(Packet* p) {
    q[p->priority].push(p);
    nonempty |= 1U << p->priority;
    bytes += p->wire;
  }
};

class EgressScheduler {
 public:
  // `weights`: the DWRR weight of each priority; a turn's quantum is weight x max_frame.
  EgressScheduler(Scheduler kind, const std::vector<int64_t>& weights, int64_t max_frame)
      : kind_(kind), weights_(weights), max_frame_(max_frame) {}
  // The next data frame of `e` that `port` may send now (its queue's depth before the
  // frame left in `depth`), or null; a paused priority lowers `retry_at` to its end, a
  // credit lane without credits for its head frame waits for the port's next kick.
  Packet* dequeue(EgressQueues& e, Port& port, Time now, Time& retry_at, int64_t& depth) const;

 private:
  // The scheduler proper; kCredits: the port has credit lanes to check as well.
  template <bool kCredits>
  Packet* dequeue_as(EgressQueues& e, Port& port, Time now, Time& retry_at, int64_t& depth) const;

  Scheduler kind_;
  const std::vector<int64_t>& weights_;
  int64_t max_frame_;
};

}  // namespace aifabric
