#include "aifabric/transport/queue_pair.h"

#include <algorithm>
#include <bit>
#include <utility>

namespace aifabric {
namespace {
enum Kind : uint32_t { kRto = 0, kCcTimer = 1, kRack = 2 };

// The auto reorder window follows the largest RTT of the last one to two of these.
constexpr Time kRttMaxEpoch = Time::ms(1);
}  // namespace

SenderQp::SenderQp(Simulator& sim, PacketPool& pool, Nic& nic, const FlowSpec& flow,
                   uint32_t remote_qpn, const TransportConfig& cfg, const CcAlgorithm& cc,
                   const Params& cc_params, BitRate line_rate, const PathSelection& paths)
    : sim_(sim),
      pool_(pool),
      nic_(nic),
      flow_(flow),
      remote_qpn_(remote_qpn),
      cfg_(cfg),
      cc_(cc.make(cc_params, line_rate, *this)),
      entropy_(flow_entropy(flow.src, flow.dst, flow.sport, flow.dport)),
      mtu_(static_cast<uint64_t>(cfg.mtu.count())),
      next_tx_(sim.now()),
      last_progress_(sim.now()),
      paths_(paths),
      // Mixed with the flow id so that flows handed the same seed still spray apart.
      rng_(paths.seed ^ mix64(flow.id + 1)),
      selective_(cfg.recovery == Recovery::kSelective) {
  total_pkts_ = packet_count(flow.size, mtu_);
  if (paths_.sport_max < paths_.sport_min) std::swap(paths_.sport_min, paths_.sport_max);
}

bool SenderQp::ready(Time now, Time& retry_at) const {
  if (!has_data()) return false;
  int64_t window = cfg_.window.count();
  const int64_t cc_window = cc_->window_bytes();
  if (cc_window > 0) window = window > 0 ? std::min(window, cc_window) : cc_window;
  if (window > 0) {
    // Selective: bytes in flight are the outstanding packets neither SACKed nor
    // declared lost (RFC 6675's pipe); go-back-N: everything outstanding.
    uint64_t in_flight = snd_nxt_ - snd_una_;
    if (selective_) in_flight -= static_cast<uint64_t>(sacked_ + lost_pending_);
    if (static_cast<int64_t>(in_flight * mtu_) >= window) return false;
  }
  if (next_tx_ > now) {
    retry_at = std::min(retry_at, next_tx_);
    return false;
  }
  return true;
}

uint16_t SenderQp::pick_sport() {
  switch (paths_.mode) {
    case SprayMode::kOff:
      return flow_.sport;
    case SprayMode::kRoundRobin:
      if (!paths_.sports.empty()) {
        const uint16_t port = paths_.sports[rr_next_];
        if (++rr_next_ == paths_.sports.size()) rr_next_ = 0;
        return port;
      }
      break;
    case SprayMode::kAdaptive:
      if (!good_.empty()) {
        const uint16_t port = good_.front();
        good_.pop_front();
        return port;
      }
      break;
    case SprayMode::kRandom:
      break;
  }
  const uint64_t span = static_cast<uint64_t>(paths_.sport_max - paths_.sport_min) + 1;
  return static_cast<uint16_t>(paths_.sport_min + rng_.below(span));
}

// REPS: a port whose packet crossed the fabric without an ECN mark (and, with a
// threshold, fast enough) is worth reusing. When the FIFO is full the newest good
// port is forgotten: the ones already waiting are as good and older feedback is used
// first.
void SenderQp::recycle_sport(const Packet& ack, Time rtt) {
  if (ack.echo_ce) return;
  if (paths_.rtt_threshold > Time::zero() && rtt >= paths_.rtt_threshold) return;
  if (static_cast<int64_t>(good_.size()) >= paths_.recycle) return;
  good_.push_back(ack.echo_sport);
}

// The next psn to send: in selective mode, packets declared lost come first.
uint64_t SenderQp::next_psn() {
  if (!selective_) return snd_nxt_++;
  if (lost_pending_ > 0) {
    for (;;) {
      const uint64_t psn = retx_.front();
      retx_.pop_front();
      if (psn < snd_una_ || !slot(psn).lost) continue;  // acknowledged meanwhile, or resent
      Slot& s = slot(psn);
      s.lost = false;
      s.retransmitted = true;
      --lost_pending_;
      if (s.rack_lost) ++stats_.loss_retx;
      s.rack_lost = false;
      return psn;
    }
  }
  scoreboard_.push_back(Slot{});
  return snd_nxt_++;
}

Packet* SenderQp::next_packet(Time now) {
  const uint64_t psn = next_psn();
  const int64_t offset = static_cast<int64_t>(psn * mtu_);
  const auto payload =
      static_cast<uint32_t>(std::min<int64_t>(static_cast<int64_t>(mtu_), flow_.size - offset));
  Packet* p = pool_.acquire();
  p->type = PacketType::kData;
  p->flow = flow_.id;
  p->src = flow_.src;
  p->dst = flow_.dst;
  p->dst_qp = remote_qpn_;
  p->dport = flow_.dport;
  if (paths_.mode == SprayMode::kOff) {
    p->sport = flow_.sport;
    p->entropy = entropy_;
  } else {
    p->sport = pick_sport();
    p->entropy = flow_entropy(flow_.src, flow_.dst, p->sport, flow_.dport);
  }
  p->psn = psn;
  p->payload = std::max<uint32_t>(payload, 0);
  p->wire = p->payload + kRoceHeaderBytes + kL1OverheadBytes;
  p->priority = flow_.priority;
  p->ecn_capable = true;
  p->sent_at = now;
  if (psn < max_sent_) {
    ++stats_.retx_packets;
  } else {
    max_sent_ = psn + 1;
  }
  if (selective_) {
    slot(psn).sent_at = now;
    sent_order_.push_back(Sent{psn, now});
  }
  ++stats_.packets_sent;
  stats_.payload_sent += p->payload;
  cc_->on_packet_sent(p->wire);
  next_tx_ = now + cc_->rate().transmit_time(p->wire);
  if (!rto_armed_) arm_rto();
  return p;
}

void SenderQp::arm_rto() {
  rto_armed_ = true;
  sim_.schedule_at(last_progress_ + cfg_.rto, EventPriority::kTimer, this, kRto);
}

void SenderQp::handle_event(uint32_t kind, uint64_t arg) {
  if (state_ != State::kActive) return;
  if (kind == kCcTimer) {
    cc_->on_timer(static_cast<uint32_t>(arg));
    nic_.wake(*this);
    return;
  }
  if (kind == kRack) {
    if (sim_.now() >= rack_timer_at_) rack_timer_at_ = Time::max();
    detect_losses();
    return;
  }
  rto_armed_ = false;
  const Time now = sim_.now();
  if (snd_una_ >= max_sent_) return;  // nothing outstanding: the next send re-arms
  if (now - last_progress_ < cfg_.rto) {
    arm_rto();
    return;
  }
  ++stats_.timeouts;
  if (++retries_ > cfg_.retry_limit) {
    state_ = State::kFailed;
    finish_ = now;
    nic_.finished(*this);
    return;
  }
  if (selective_) {
    mark_lost(snd_una_, false);  // resend only the oldest unacknowledged packet
  } else {
    snd_nxt_ = snd_una_;  // go back to the oldest unacknowledged packet
  }
  last_progress_ = now;
  arm_rto();
  nic_.wake(*this);
}

void SenderQp::set_timer(Time at, uint32_t tag) {
  sim_.schedule_at(at, EventPriority::kTimer, this, kCcTimer, tag);
}

void SenderQp::advance(uint64_t acked_psn) {
  if (acked_psn <= snd_una_) return;
  const int64_t newly = static_cast<int64_t>((acked_psn - snd_una_) * mtu_);
  if (selective_) {
    for (uint64_t psn = snd_una_; psn < acked_psn; ++psn) {
      const Slot& s = scoreboard_.front();
      sacked_ -= s.sacked ? 1 : 0;
      lost_pending_ -= s.lost ? 1 : 0;
      scoreboard_.pop_front();
    }
  }
  snd_una_ = acked_psn;
  last_progress_ = sim_.now();
  retries_ = 0;
  snd_nxt_ = std::max(snd_nxt_, snd_una_);
  AckEvent ev;
  ev.newly_acked_bytes = newly;
  cc_->on_ack(ev);
  if (snd_una_ >= total_pkts_) {
    state_ = State::kDone;
    finish_ = sim_.now();
    nic_.finished(*this);
  }
}

void SenderQp::on_control(const Packet& p) {
  if (state_ != State::kActive) return;
  switch (p.type) {
    case PacketType::kAck: {
      ++stats_.acks;
      const Time rtt = sim_.now() - p.sent_at;  // the ACK echoes the data packet's send time
      stats_.last_rtt = rtt;
      if (paths_.mode == SprayMode::kAdaptive) recycle_sport(p, rtt);
      if (selective_) {
        on_selective_ack(p, rtt);
        advance(p.psn);
        if (state_ == State::kActive) detect_losses();
      } else {
        advance(p.psn);
      }
      break;
    }
    case PacketType::kNack:
      ++stats_.nacks;
      advance(p.psn);
      if (!selective_ && state_ == State::kActive && p.psn < snd_nxt_) snd_nxt_ = p.psn;  // go back
      break;
    case PacketType::kCnp:
      ++stats_.cnps;
      cc_->on_cnp();
      break;
    default:
      return;
  }
  if (state_ == State::kActive) nic_.wake(*this);
}

void SenderQp::on_selective_ack(const Packet& ack, Time rtt) {
  stats_.min_rtt = std::min(stats_.min_rtt, rtt);
  const Time now = sim_.now();
  if (now >= rtt_epoch_end_) {
    rtt_max_prev_ = rtt_max_cur_;
    rtt_max_cur_ = Time::zero();
    rtt_epoch_end_ = now + kRttMaxEpoch;
  }
  rtt_max_cur_ = std::max(rtt_max_cur_, rtt);
  rack_time_ = std::max(rack_time_, ack.sent_at);
  const uint64_t psn = ack.sack_psn;
  if (psn >= snd_una_ && psn < snd_nxt_) {
    Slot& s = slot(psn);
    // The echoed send time is the copy that arrived: older than our latest send means
    // the packet was not lost after all.
    if (s.retransmitted && ack.sent_at < s.sent_at) {
      s.retransmitted = false;
      ++stats_.spurious_retx;
    }
    mark_sacked(psn);
  }
  // The packets before it the receiver also holds: what an earlier, lost ACK said.
  for (uint64_t bits = ack.sack_bits; bits != 0; bits &= bits - 1) {
    const uint64_t q = psn - 64 + static_cast<uint64_t>(std::countr_zero(bits));
    if (q >= snd_una_ && q < snd_nxt_) mark_sacked(q);
  }
}

void SenderQp::mark_sacked(uint64_t psn) {
  Slot& s = slot(psn);
  if (s.sacked) return;
  s.sacked = true;
  ++sacked_;
  if (s.lost) {
    s.lost = false;
    s.rack_lost = false;
    --lost_pending_;
  }
}

// Auto: the spread of recent RTTs, which sprayed packets show as the queueing
// difference between their paths, plus a margin for how far it can grow before the
// next sample. A spurious retransmission widens it by itself: the late original's ACK
// is an RTT sample as large as its lateness.
Time SenderQp::reorder_window() const {
  if (cfg_.reorder_window > Time::zero()) return cfg_.reorder_window;
  const Time spread = std::max(rtt_max_cur_, rtt_max_prev_) - stats_.min_rtt;
  return spread + std::max(stats_.min_rtt / 4, kMinAutoReorderWindow);
}

void SenderQp::mark_lost(uint64_t psn, bool by_rack) {
  Slot& s = slot(psn);
  if (!s.lost) {
    s.lost = true;
    s.rack_lost = by_rack;
    ++lost_pending_;
  }
  if (by_rack) {
    retx_.push_back(psn);
  } else {
    retx_.push_front(psn);  // a timeout's retransmission goes first
  }
}

// RACK (RFC 8985) over the transmissions in send order: one sent before the latest
// delivered transmission is lost once min RTT + reordering window have passed since it
// was sent. Deadlines grow along the list, so the walk stops at the first one not due.
void SenderQp::detect_losses() {
  if (stats_.min_rtt == Time::max()) return;
  const Time now = sim_.now();
  const Time wait = stats_.min_rtt + reorder_window();
  bool lost_any = false;
  while (!sent_order_.empty()) {
    const Sent tx = sent_order_.front();
    if (tx.psn < snd_una_) {
      sent_order_.pop_front();
      continue;
    }
    const Slot& s = slot(tx.psn);
    if (s.sacked || s.lost || s.sent_at != tx.at) {  // delivered, or superseded
      sent_order_.pop_front();
      continue;
    }
    if (tx.at >= rack_time_) break;  // nothing sent after it is known delivered yet
    const Time deadline = tx.at + wait;
    if (now < deadline) {
      if (deadline < rack_timer_at_) {
        rack_timer_at_ = deadline;
        sim_.schedule_at(deadline, EventPriority::kTimer, this, kRack);
      }
      break;
    }
    sent_order_.pop_front();
    mark_lost(tx.psn, true);
    lost_any = true;
  }
  if (lost_any) nic_.wake(*this);
}

ReceiverQp::ReceiverQp(const FlowSpec& flow, uint32_t remote_qpn, const TransportConfig& cfg,
                       Time cnp_interval, bool send_cnp)
    : flow_(flow),
      remote_qpn_(remote_qpn),
      ack_interval_(cfg.ack_interval),
      ack_priority_(static_cast<uint8_t>(cfg.ack_priority)),
      cnp_interval_(cnp_interval),
      send_cnp_(send_cnp),
      selective_(cfg.recovery == Recovery::kSelective),
      rob_size_(static_cast<uint64_t>(cfg.reorder_buffer)) {
  total_pkts_ = packet_count(flow.size, static_cast<uint64_t>(cfg.mtu.count()));
  if (selective_) {
    // No bigger than the message needs: a short flow never holds more than its packets.
    const uint64_t bits = std::bit_ceil(std::max<uint64_t>(std::min(rob_size_, total_pkts_), 64));
    rob_mask_ = bits - 1;
    rob_bits_.assign(bits / 64, 0);
  }
}

Packet* ReceiverQp::control(PacketPool& pool, PacketType type, uint64_t psn,
                            const Packet& data) const {
  Packet* c = pool.acquire();
  c->type = type;
  c->flow = flow_.id;
  c->src = flow_.dst;
  c->dst = flow_.src;
  c->dst_qp = remote_qpn_;
  c->sport = flow_.sport;
  c->dport = flow_.dport;
  c->entropy = flow_entropy(flow_.dst, flow_.src, flow_.sport, flow_.dport);
  c->psn = psn;
  c->wire = type == PacketType::kCnp ? kCnpWireBytes : kAckWireBytes;
  c->priority = ack_priority_;
  c->sent_at = data.sent_at;
  c->sack_psn = data.psn;
  c->echo_sport = data.sport;
  c->echo_ce = data.ecn_ce;
  return c;
}

int ReceiverQp::on_data(const Packet& p, Time now, PacketPool& pool, Packet* out[2]) {
  int n = 0;
  stats_.first_arrival = std::min(stats_.first_arrival, now);
  stats_.last_arrival = now;
  ++stats_.packets_received;
  if (selective_) {
    n = on_data_selective(p, pool, out);
  } else if (p.psn == expected_) {
    ++expected_;
    stats_.accepted_bytes += p.payload;
    if (static_cast<int64_t>(expected_ - acked_) >= ack_interval_ || expected_ == total_pkts_) {
      out[n++] = control(pool, PacketType::kAck, expected_, p);
      acked_ = expected_;
    }
  } else if (p.psn > expected_) {
    ++stats_.ooo_packets;
    stats_.discarded_bytes += p.payload;
    if (nacked_ != static_cast<int64_t>(expected_)) {
      out[n++] = control(pool, PacketType::kNack, expected_, p);
      nacked_ = static_cast<int64_t>(expected_);
    }
  } else {
    ++stats_.duplicate_packets;
    stats_.discarded_bytes += p.payload;
    out[n++] = control(pool, PacketType::kAck, expected_, p);  // re-ACK a duplicate
  }
  if (p.ecn_ce) {
    ++stats_.ecn_marked;
    if (send_cnp_ && (last_cnp_ == Time::max() || now - last_cnp_ >= cnp_interval_)) {
      last_cnp_ = now;
      ++stats_.cnps_sent;
      out[n++] = control(pool, PacketType::kCnp, expected_, p);
    }
  }
  return n;
}

Packet* ReceiverQp::selective_ack(PacketPool& pool, const Packet& data) {
  Packet* c = control(pool, PacketType::kAck, expected_, data);
  c->sack_bits = sack_bitmap(data.psn);
  return c;
}

// Which of the 64 packets before `psn` are held beyond the cumulative point (bit i =
// packet psn - 64 + i): repeated in every ACK, so one lost ACK loses no information
// the next one does not carry again.
uint64_t ReceiverQp::sack_bitmap(uint64_t psn) const {
  if (held_ == 0) return 0;
  const uint64_t lo = std::max(expected_, psn >= 64 ? psn - 64 : 0);
  if (lo >= psn) return 0;
  // [lo, psn) lies inside [expected, expected + reorder_buffer): no ring aliasing.
  const uint64_t idx = lo & rob_mask_;
  const size_t w = idx >> 6;
  const uint64_t off = idx & 63;
  uint64_t bits = rob_bits_[w] >> off;
  if (off != 0) bits |= rob_bits_[(w + 1) & (rob_bits_.size() - 1)] << (64 - off);
  const uint64_t n = psn - lo;  // 1..64 packets, bit 0 = lo
  if (n == 64) return bits;
  return (bits & ((1ULL << n) - 1)) << (64 - n);
}

// Direct placement: a packet inside the reorder buffer is written to its place in the
// message at once (its payload counts as accepted); the bitmap only remembers that it
// arrived, so the cumulative point can jump over it when the hole before it fills.
int ReceiverQp::on_data_selective(const Packet& p, PacketPool& pool, Packet* out[2]) {
  int n = 0;
  const uint64_t psn = p.psn;
  if (psn < expected_ || (psn < expected_ + rob_size_ && held(psn))) {
    ++stats_.duplicate_packets;
    stats_.discarded_bytes += p.payload;
    out[n++] = selective_ack(pool, p);  // re-ACK a duplicate
  } else if (psn >= expected_ + rob_size_) {
    // No room to place it: dropped unacknowledged, so the sender's RACK sees a loss.
    ++stats_.ooo_packets;
    ++stats_.rob_overflow_drops;
    stats_.discarded_bytes += p.payload;
  } else {
    stats_.accepted_bytes += p.payload;
    if (psn + 1 < highest_) {
      const auto depth = static_cast<int64_t>(highest_ - 1 - psn);
      ++stats_.reordered_packets;
      stats_.reorder_depth_sum += depth;
      stats_.reorder_depth_max = std::max(stats_.reorder_depth_max, depth);
    }
    highest_ = std::max(highest_, psn + 1);
    if (psn == expected_) {
      const bool fills_hole = held_ > 0;
      ++expected_;
      while (held_ > 0 && held(expected_)) {
        set_held(expected_, false);
        ++expected_;
        --held_;
      }
      if (fills_hole || static_cast<int64_t>(expected_ - acked_) >= ack_interval_ ||
          expected_ == total_pkts_) {
        out[n++] = selective_ack(pool, p);
        acked_ = expected_;
      }
    } else {
      ++stats_.ooo_packets;
      set_held(psn, true);
      ++held_;
      stats_.rob_max_packets = std::max(stats_.rob_max_packets, held_);
      out[n++] = selective_ack(pool, p);
      acked_ = expected_;
    }
  }
  stats_.rob_occupancy_sum += held_;
  return n;
}

}  // namespace aifabric
