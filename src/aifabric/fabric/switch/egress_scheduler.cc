#include "aifabric/fabric/switch/egress_scheduler.h"

#include <algorithm>

namespace aifabric {

namespace {

// Whether `prio`'s head frame must wait: paused by the peer (lowering `retry_at` to the
// pause's end), or, on a port with credit lanes, short of credits. Without credit lanes
// this is the PFC test alone, as before CBFC existed.
template <bool kCredits>
bool held(Port& pt, const PacketQueue& q, uint8_t prio, Time now, Time& retry_at) {
  if constexpr (kCredits) {
    return pt.blocked(prio, q.front()->wire, now, retry_at);
  } else {
    if (!pt.paused(prio, now)) return false;
    retry_at = std::min(retry_at, pt.pause_until(prio));
    return true;
  }
}

}  // namespace

Packet* EgressScheduler::dequeue(EgressQueues& e, Port& pt, Time now, Time& retry_at,
                                 int64_t& depth) const {
  if (pt.has_credit_lanes()) [[unlikely]]
    return dequeue_as<true>(e, pt, now, retry_at, depth);
  return dequeue_as<false>(e, pt, now, retry_at, depth);
}

template <bool kCredits>
Packet* EgressScheduler::dequeue_as(EgressQueues& e, Port& pt, Time now, Time& retry_at,
                                    int64_t& depth) const {
  int chosen = -1;
  if (kind_ == Scheduler::kStrict) {
    for (uint32_t m = e.nonempty; m != 0;) {
      const int prio = 31 - __builtin_clz(m);  // highest non-empty priority
      if (!held<kCredits>(pt, e.q[prio], static_cast<uint8_t>(prio), now, retry_at)) {
        chosen = prio;
        break;
      }
      m &= ~(1U << prio);
    }
  } else {
    // Deficit round robin: a queue earns one quantum (weight x max frame) when its
    // turn begins and sends while its deficit covers the head frame; then the turn
    // passes on. An empty queue keeps no credit.
    for (int step = 0; step < 2 * kNumPriorities + 1; ++step) {
      const int prio = e.rr;
      PacketQueue& q = e.q[prio];
      const bool blocked =
          !q.empty() && held<kCredits>(pt, q, static_cast<uint8_t>(prio), now, retry_at);
      if (!q.empty() && !blocked) {
        if (!e.credited) {
          e.deficit[prio] += weights_[prio] * max_frame_;
          e.credited = true;
        }
        if (e.deficit[prio] >= q.front()->wire) {
          chosen = prio;
          break;
        }
      }
      if (q.empty()) e.deficit[prio] = 0;
      e.rr = static_cast<uint8_t>((prio + 1) % kNumPriorities);
      e.credited = false;
    }
    if (chosen >= 0) e.deficit[chosen] -= e.q[chosen].front()->wire;
  }
  if (chosen < 0) return nullptr;
  PacketQueue& q = e.q[chosen];
  depth = q.bytes();
  Packet* p = q.pop();
  if (q.empty()) e.nonempty &= ~(1U << chosen);
  e.bytes -= p->wire;
  return p;
}

}  // namespace aifabric
