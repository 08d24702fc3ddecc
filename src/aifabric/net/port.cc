#include "aifabric/net/port.h"

#include <algorithm>
#include <cmath>

namespace aifabric {

Port::Port(Simulator& sim, PacketPool& pool, Node& owner, uint16_t index, const LinkParams& link,
           uint64_t seed)
    : sim_(sim), pool_(pool), owner_(owner), index_(index), link_(link), loss_rng_(seed) {
  set_rate(link.rate);
  starved_since_.fill(Time::max());
  update_impaired();
}

void Port::set_up(bool up) {
  if (up_ && !up) went_down_ = sim_.now();
  up_ = up;
  faulted_ = true;
  update_impaired();
}

void Port::set_rate(BitRate rate) {
  link_.rate = rate;  // the exact serialization cost when the rate divides 8e12, else 0
  const int64_t bps = rate.bits_per_second();
  ps_per_byte_ = (8'000'000'000'000LL % bps == 0) ? 8'000'000'000'000LL / bps : 0;
}

void Port::set_bit_error_rate(double ber) {
  ber_ = ber;
  update_impaired();
}

void Port::set_detected_down(bool down, bool flush) {
  detected_down_ = down;
  flush_ = flush;
  if (!down) {
    kick();
    return;
  }
  // A link that goes down resets its MAC: a pause the dead peer imposed no longer holds.
  const Time now = sim_.now();
  for (uint8_t prio = 0; prio < kNumPriorities; ++prio) {
    if (pause_until_[prio] > now) {
      on_pause_frame(prio, 0);
      --counters_.pause_rx;  // ended here, not by a frame received
    }
  }
  if (flush) discard_all();
}

void Port::discard_all() {
  Time retry = Time::max();
  while (Packet* p = owner_.next_to_send(index_, sim_.now(), retry)) blackhole(p);
}

void Port::blackhole(Packet* p) {
  ++counters_.blackholed;
  last_blackholed_ = sim_.now();
  if (p->type == PacketType::kData) counters_.blackholed_payload += p->payload;
  // Data and its ACKs/NACKs/CNPs both belong to the flow they carry.
  if (!is_link_control(p->type) &&
      (blackholed_flows_.empty() || blackholed_flows_.back() != p->flow)) {
    blackholed_flows_.push_back(p->flow);
  }
  pool_.release(p);
}

bool Port::lost_on_link(Packet* p) {
  // Down now, or went down while the frame was on the wire (its first bit left at
  // arrive_at - delay - serialization).
  const Time first_bit = p->arrive_at - link_.delay - link_.rate.transmit_time(p->wire);
  if (!up_ || went_down_ >= first_bit) {
    blackhole(p);
    return true;
  }
  double loss = link_.loss_rate;
  if (ber_ > 0) {
    // Frame error ratio of `wire` bytes at this BER, combined with the fixed rate.
    const double fer = -std::expm1(8.0 * p->wire * std::log1p(-ber_));
    loss = 1 - (1 - loss) * (1 - fer);
  }
  if (loss > 0 && loss_rng_.bernoulli(loss)) {
    ++counters_.link_drops;
    if (p->type == PacketType::kData) counters_.link_drop_payload += p->payload;
    pool_.release(p);  // corrupted: the receiver's MAC discards it (bad FCS)
    return true;
  }
  return false;
}

void Port::kick() {
  if (detected_down_) [[unlikely]] {
    if (flush_) discard_all();
    return;
  }
  const Time now = sim_.now();
  if (defer_while_busy(now)) return;
  Time retry = Time::max();
  Packet* p = owner_.next_to_send(index_, now, retry);
  if (p != nullptr) {
    transmit(p, now);
    return;
  }
  if (retry < wake_at_ && retry > now) {
    wake_at_ = retry;
    sim_.schedule_at(retry, EventPriority::kTimer, this, kWake);
  }
}

void Port::transmit(Packet* p, Time now) {
  const Time ser =
      ps_per_byte_ != 0 ? Time::ps(ps_per_byte_ * p->wire) : link_.rate.transmit_time(p->wire);
  busy_until_ = now + ser;
  counters_.tx_bytes += p->wire;
  if (is_link_control(p->type)) [[unlikely]] {
    ++(p->type == PacketType::kPause    ? counters_.pause_tx
       : p->type == PacketType::kCredit ? counters_.credit_tx
                                        : counters_.notices_tx);
  } else {
    if (credit_lanes_ != 0) [[unlikely]]
      spend_credit(*p);
    ++counters_.tx_packets;
    if (p->type == PacketType::kData) {
      ++counters_.tx_data_packets;
      counters_.tx_payload_bytes += p->payload;
    }
  }
  p->arrive_at = busy_until_ + link_.delay;
  p->next = nullptr;
  sim_.schedule_at(p->arrive_at, EventPriority::kDelivery, far_ != nullptr ? far_ : this, kDeliver,
                   reinterpret_cast<uintptr_t>(p));
  // A TxDone may still be pending for the instant the previous frame ended (a delivery
  // at that same picosecond ran first and started this frame); it re-books itself at
  // busy_until_, so booking another would start a second, self-perpetuating chain.
  if (!tx_booked_ && owner_.backlogged(index_)) {
    tx_booked_ = true;
    sim_.schedule_at(busy_until_, EventPriority::kTransmit, this, kTxDone);
  }
}

void Port::handle_event(uint32_t kind, uint64_t arg) {
  switch (kind) {
    case kTxDone:
      tx_booked_ = false;
      if (credit_due_ != 0) [[unlikely]] {
        send_credits();
        return;
      }
      kick();
      return;
    case kWake:
      if (sim_.now() != wake_at_) return;  // superseded by an earlier wake-up
      wake_at_ = Time::max();
      kick();
      return;

    case kDeliver: {
      // A frame arrives at this end of the link: sent by the far port (or by this one,
      // when the peer has no ports), whose link state decides whether it was lost.
      // The event's 64-bit argument carries the frame's address (set in transmit).
      // NOLINTNEXTLINE(performance-no-int-to-ptr)
      Packet* p = reinterpret_cast<Packet*>(static_cast<uintptr_t>(arg));
      Port& tx = far_ != nullptr ? *far_ : *this;
      if (p->type == PacketType::kData) arrived_payload_ += p->payload;
      if (tx.impaired_ && tx.lost_on_link(p)) [[unlikely]]
        return;
      if (!is_link_control(p->type)) ++counters_.deliveries;
      if (far_ != nullptr) {
        owner_.receive(p, index_);
      } else {
        peer_->receive(p, peer_port_);
      }
      return;
    }
    default:
      if (kind == kCreditTimer) on_credit_timer();
      return;
  }
}

void Port::on_credit_timer() {
  credit_timer_ = false;
  for (uint8_t prio = 0; prio < kNumPriorities; ++prio) {
    if (rx_freed_[prio] > rx_reported_[prio]) credit_due_ |= 1U << prio;
  }
  if (credit_due_ != 0) send_credits();
}

// Credit frames go ahead of data: one starts now if the port is idle, else at the end
// of the frame on the wire (its TxDone sends them before asking the owner for data).
void Port::send_credits() {
  const Time now = sim_.now();
  if (defer_while_busy(now)) return;
  transmit(credit_frame(), now);
  if (credit_due_ != 0 && !tx_booked_) {  // another lane's update is due as well
    tx_booked_ = true;
    sim_.schedule_at(busy_until_, EventPriority::kTransmit, this, kTxDone);
  }
}

bool Port::on_pause_frame(uint8_t prio, uint16_t quanta) {
  const Time now = sim_.now();
  ++counters_.pause_rx;
  if (pause_until_[prio] <= now) {
    // A new pause episode: close the previous one.
    paused_closed_[prio] += pause_until_[prio] - pause_since_[prio];
    if (observer_ != nullptr && pause_until_[prio] > pause_since_[prio]) {
      observer_->pause_episode(*this, prio, pause_since_[prio], pause_until_[prio]);
    }
    pause_since_[prio] = now;
  }
  pause_until_[prio] = quanta == 0 ? now : now + pause_quanta_time(quanta);
  return quanta == 0;
}

void Port::close_pause_episodes(Time now) {
  if (observer_ == nullptr) return;
  for (uint8_t prio = 0; prio < kNumPriorities; ++prio) {
    const Time end = std::min(pause_until_[prio], now);
    if (end > pause_since_[prio]) observer_->pause_episode(*this, prio, pause_since_[prio], end);
  }
}

Time Port::paused_time(uint8_t prio, Time now) const {
  return paused_closed_[prio] + (std::min(pause_until_[prio], now) - pause_since_[prio]);
}

void Port::enable_credits(const CreditLink& c) {
  credit_ = c;
  credit_lanes_ = c.lanes;
  for (uint8_t prio = 0; prio < kNumPriorities; ++prio) {
    tx_limit_[prio] = credit_lane(prio) ? c.credits : 0;
    starved_since_[prio] = Time::max();
  }
}

bool Port::has_credit(uint8_t prio, uint32_t wire, Time now) {
  if (!credit_lane(prio) || tx_used_[prio] + credit_blocks(wire) <= tx_limit_[prio]) return true;
  if (starved_since_[prio] == Time::max()) starved_since_[prio] = now;
  return false;
}

void Port::spend_credit(const Packet& p) {
  if (!credit_lane(p.priority)) return;
  tx_used_[p.priority] += credit_blocks(p.wire);
  if (tx_used_[p.priority] > tx_limit_[p.priority]) ++counters_.credit_overruns;
}

void Port::on_credit_frame(uint8_t prio, int64_t limit) {
  ++counters_.credit_rx;
  // Limits only grow; an older update overtaken by a newer one changes nothing.
  tx_limit_[prio] = std::max(tx_limit_[prio], limit);
  if (starved_since_[prio] != Time::max()) {
    starved_closed_[prio] += sim_.now() - starved_since_[prio];
    starved_since_[prio] = Time::max();
  }
  kick();
}

void Port::return_credits(uint8_t prio, uint32_t wire) {
  rx_freed_[prio] += credit_blocks(wire);
  if (rx_freed_[prio] - rx_reported_[prio] >= credit_.update) {
    credit_due_ |= 1U << prio;
    send_credits();
  } else if (!credit_timer_) {
    credit_timer_ = true;
    sim_.schedule_in(credit_.interval, EventPriority::kTimer, this, kCreditTimer);
  }
}

Packet* Port::credit_frame() {
  const auto prio = static_cast<uint8_t>(__builtin_ctz(credit_due_));
  credit_due_ &= ~(1U << prio);
  rx_reported_[prio] = rx_freed_[prio];
  Packet* f = pool_.acquire();
  f->type = PacketType::kCredit;
  f->priority = prio;
  f->set_credit_limit(credit_.credits + rx_freed_[prio]);
  f->wire = kCreditWireBytes;
  return f;
}

Time Port::starved_time(uint8_t prio, Time now) const {
  const Time open = starved_since_[prio] < now ? now - starved_since_[prio] : Time::zero();
  return starved_closed_[prio] + open;
}

int64_t Port::in_flight_payload() const {
  return counters_.tx_payload_bytes - (far_ != nullptr ? far_->arrived_payload_ : arrived_payload_);
}

}  // namespace aifabric
