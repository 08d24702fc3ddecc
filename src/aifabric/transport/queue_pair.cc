#include "aifabric/transport/queue_pair.h"

#include <algorithm>
#include <utility>

namespace aifabric {
namespace {
enum Kind : uint32_t { kRto = 0, kCcTimer = 1, kRecovery = 2 };
}  // namespace

SenderQp::SenderQp(Simulator& sim, PacketPool& pool, Nic& nic, const FlowSpec& flow, uint32_t qpn,
                   const TransportConfig& cfg, const CcAlgorithm& cc, const Params& cc_params,
                   BitRate line_rate, std::unique_ptr<PathChooser> paths)
    : sim_(sim),
      pool_(pool),
      nic_(nic),
      flow_(flow),
      qpn_(qpn),
      cfg_(cfg),
      cc_(cc.make(cc_params, line_rate, *this)),
      recovery_(cfg.recovery.selected().make_sender(cfg.recovery.params(), *this)),
      paths_(std::move(paths)),
      entropy_(flow_entropy(flow.src, flow.dst, flow.sport, flow.dport)),
      mtu_(static_cast<uint64_t>(cfg.mtu.count())),
      needs_int_(cc.needs_int || cc.make_port_feedback != nullptr),
      needs_grant_(cc.make_port_feedback != nullptr),
      credit_driven_(cc.pull_share != nullptr),
      next_tx_(sim.now()),
      last_progress_(sim.now()) {
  w_.total = packet_count(flow.size, mtu_);
  w_.new_data_end = w_.total;
  recovery_->on_start(w_);
  if (credit_driven_) credits_ = cc_->initial_credits();
}

Packet* SenderQp::next_packet(Time now) {
  const uint64_t psn = recovery_->next_psn(w_);
  const int64_t offset = static_cast<int64_t>(psn * mtu_);
  const auto payload =
      static_cast<uint32_t>(std::min<int64_t>(static_cast<int64_t>(mtu_), flow_.size - offset));
  Packet* p = pool_.acquire();
  p->type = PacketType::kData;
  p->flow = flow_.id;
  p->src = flow_.src;
  p->dst = flow_.dst;
  p->sender_qp = qpn_;
  p->dport = flow_.dport;
  p->echo_sport = flow_.sport;  // data: the connection's port, which the ACKs carry back
  if (paths_ == nullptr) {
    p->sport = flow_.sport;
    p->entropy = entropy_;
  } else {
    p->sport = paths_->next_sport();
    p->entropy = flow_entropy(flow_.src, flow_.dst, p->sport, flow_.dport);
  }
  p->psn = psn;
  p->last = psn + 1 == w_.total;
  p->payload = std::max<uint32_t>(payload, 0);
  p->wire = p->payload + kRoceHeaderBytes + kL1OverheadBytes;
  p->priority = flow_.priority;
  p->ecn_capable = true;
  p->sent_at = now;
  // The timeout runs from the oldest outstanding packet's send (or the last progress):
  // a sender that had nothing in flight, e.g. paced at a low rate, starts the clock now
  // rather than from an ACK long ago.
  if (w_.snd_una >= w_.max_sent) last_progress_ = now;
  if (needs_int_) {
    p->int_slot = pool_.telemetry().acquire();
    if (needs_grant_) cc_->request_grant(pool_.telemetry().at(p->int_slot).grant, p->wire);
  }
  if (psn < w_.max_sent) {
    ++stats_.retx_packets;
  } else {
    w_.max_sent = psn + 1;
  }
  recovery_->on_sent(psn, now, w_);
  ++stats_.packets_sent;
  stats_.payload_sent += p->payload;
  cc_->on_packet_sent(p->wire);
  if (credit_driven_) [[unlikely]]
    spend_credit(*p);
  next_tx_ = now + cc_->rate().transmit_time(p->wire);
  if (!rto_armed_) arm_rto();
  return p;
}

// A packet costs a credit; it asks for a pull only while what is left to send (new data
// and packets declared lost) exceeds the credits in hand and the pulls already asked
// for, so the receiver does not pull for data that is not there (a pull that finds
// nothing to send wastes its slot of the receiver's link).
void SenderQp::spend_credit(Packet& p) {
  --credits_;
  const int64_t left =
      static_cast<int64_t>(w_.total > w_.snd_nxt ? w_.total - w_.snd_nxt : 0) + w_.resend_pending;
  p.wants_pull = left > credits_ + asked_;
  if (p.wants_pull) ++asked_;
}

// Packets the recovery mode just declared lost (beyond the `pending` before) took their
// asks with them: no pull will come for them. Each is assumed to have asked; one that
// had not (or a trimmed one whose header's pull is on its way) costs a pull that finds
// nothing to send, where an ask never forgotten would leave the sender waiting.
void SenderQp::forget_lost_asks(int64_t pending) {
  if (w_.resend_pending > pending)
    asked_ = std::max<int64_t>(0, asked_ - (w_.resend_pending - pending));
}

void SenderQp::arm_rto() {
  rto_armed_ = true;
  ++timers_;
  sim_.schedule_at(last_progress_ + cfg_.rto, EventPriority::kTimer, this, kRto);
}

void SenderQp::handle_event(uint32_t kind, uint64_t arg) {
  --timers_;
  if (state_ == State::kActive) on_timer(kind, arg);
  // Last: the NIC may free this queue pair.
  if (retirable()) nic_.retire(*this);
}

void SenderQp::on_timer(uint32_t kind, uint64_t arg) {
  if (kind == kCcTimer) {
    cc_->on_timer(static_cast<uint32_t>(arg));
    nic_.wake(*this);
    return;
  }
  if (kind == kRecovery) {
    const int64_t pending = w_.resend_pending;
    recovery_->on_timer(w_);
    if (credit_driven_) [[unlikely]]
      forget_lost_asks(pending);
    return;
  }
  rto_armed_ = false;
  const Time now = sim_.now();
  if (w_.snd_una >= w_.max_sent) {  // nothing outstanding: the next send re-arms
    if (!credit_driven_ || credits_ > 0 || !has_data()) return;
    // Unless no send will come: data left, no credit, nothing in flight to be pulled
    // for. The pulls it waits for were lost; after a timeout's wait it sends one
    // packet unasked and asks again for the rest.
    if (now - last_progress_ < cfg_.rto) {
      arm_rto();
      return;
    }
    ++stats_.timeouts;
    credits_ = 1;
    asked_ = 0;
    last_progress_ = now;
    nic_.wake(*this);
    return;
  }
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
  recovery_->on_timeout(w_);
  // Credits may all be spent on packets that never arrived (a dropped header owes no
  // pull): the timeout's retransmission goes without one, and the pulls asked for are
  // asked for again.
  if (credit_driven_) {
    credits_ = std::max<int64_t>(credits_, 1);
    asked_ = 0;
  }
  last_progress_ = now;
  arm_rto();
  nic_.wake(*this);
}

void SenderQp::set_timer(Time at, uint32_t tag) {
  ++timers_;
  sim_.schedule_at(at, EventPriority::kTimer, this, kCcTimer, tag);
}

void SenderQp::set_recovery_timer(Time at) {
  ++timers_;
  sim_.schedule_at(at, EventPriority::kTimer, this, kRecovery);
}

int64_t SenderQp::advance(uint64_t acked_psn) {
  if (acked_psn <= w_.snd_una) return 0;
  const int64_t newly = static_cast<int64_t>((acked_psn - w_.snd_una) * mtu_);
  recovery_->on_advance(acked_psn, w_);
  w_.snd_una = acked_psn;
  last_progress_ = sim_.now();
  retries_ = 0;
  w_.snd_nxt = std::max(w_.snd_nxt, w_.snd_una);
  return newly;
}

void SenderQp::feedback(const Packet& p, Time rtt, int64_t newly_acked) {
  AckEvent ev;
  ev.newly_acked_bytes = newly_acked;
  ev.rtt = rtt;
  ev.hops = p.echo_hops;
  ev.ecn_echo = p.echo_ce;
  cc_->on_ack(ev);
  if (w_.snd_una >= w_.total) {
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
      if (paths_ != nullptr) paths_->on_ack(p, rtt);
      recovery_->on_ack(p, rtt, w_);
      feedback(p, rtt, advance(p.psn));
      if (state_ == State::kActive) {
        const int64_t pending = w_.resend_pending;
        recovery_->after_ack(w_);
        if (credit_driven_) [[unlikely]]
          forget_lost_asks(pending);
      }
      break;
    }
    case PacketType::kNack:
      ++stats_.nacks;
      feedback(p, sim_.now() - p.sent_at, advance(p.psn));
      if (state_ != State::kActive) break;
      if (p.trimmed) [[unlikely]] {
        ++stats_.trim_nacks;
        recovery_->on_trimmed(p.sack_psn, w_);
      } else {
        recovery_->on_nack(p.psn, w_);
      }
      break;
    case PacketType::kPull:
      ++stats_.pulls;
      if (p.psn > pulls_) {
        const auto n = static_cast<int64_t>(p.psn - pulls_);
        credits_ += n;
        asked_ = std::max<int64_t>(0, asked_ - n);
        pulls_ = p.psn;
      }
      break;
    case PacketType::kCnp:
      ++stats_.cnps;
      cc_->on_cnp();
      break;
    default:
      return;
  }
  if (p.int_slot != 0 && state_ == State::kActive) {
    const IntAckEvent ev{pool_.telemetry().at(p.int_slot), w_.snd_una * mtu_, w_.max_sent * mtu_,
                         sim_.now() - p.sent_at};
    cc_->on_int_ack(ev);
  }
  if (state_ == State::kActive) nic_.wake(*this);
}

ReceiverQp::ReceiverQp(const Packet& first, const TransportConfig& cfg, Time cnp_interval,
                       bool send_cnp)
    : flow_(first.flow),
      src_(first.src),
      dst_(first.dst),
      sender_qp_(first.sender_qp),
      sport_(first.echo_sport),
      dport_(first.dport),
      entropy_(flow_entropy(first.dst, first.src, first.echo_sport, first.dport)),
      ack_priority_(static_cast<uint8_t>(cfg.ack_priority)),
      cnp_interval_(cnp_interval),
      send_cnp_(send_cnp),
      recovery_(cfg.recovery.selected().make_receiver(cfg.recovery.params())) {
  w_.ack_interval = cfg.ack_interval;
}

ReceiverQp::ReceiverQp(const FlowSpec& flow, uint32_t sender_qpn, const TransportConfig& cfg,
                       Time cnp_interval, bool send_cnp)
    : flow_(flow.id),
      src_(flow.src),
      dst_(flow.dst),
      sender_qp_(sender_qpn),
      sport_(flow.sport),
      dport_(flow.dport),
      entropy_(flow_entropy(flow.dst, flow.src, flow.sport, flow.dport)),
      ack_priority_(static_cast<uint8_t>(cfg.ack_priority)),
      cnp_interval_(cnp_interval),
      send_cnp_(send_cnp),
      recovery_(cfg.recovery.selected().make_receiver(cfg.recovery.params())) {
  w_.ack_interval = cfg.ack_interval;
  w_.total = packet_count(flow.size, static_cast<uint64_t>(cfg.mtu.count()));
}

// A control frame of `type` from `pool`, addressed back to the sender's queue pair on
// the connection's ports, at the ACK priority.
Packet* ReceiverQp::to_sender(PacketPool& pool, PacketType type) const {
  Packet* c = pool.acquire();
  c->type = type;
  c->flow = flow_;
  c->src = dst_;
  c->dst = src_;
  c->sender_qp = sender_qp_;
  c->sport = sport_;
  c->dport = dport_;
  c->entropy = entropy_;
  c->priority = ack_priority_;
  return c;
}

Packet* ReceiverQp::control(PacketType type, uint64_t psn, const Packet& data) {
  Packet* c = to_sender(*pool_, type);
  c->psn = psn;
  c->wire = type == PacketType::kCnp ? kCnpWireBytes : kAckWireBytes;
  c->sent_at = data.sent_at;
  c->sack_psn = data.psn;
  c->echo_sport = data.sport;
  c->echo_ce = data.ecn_ce;
  c->echo_hops = data.hops;
  if (data.int_slot != 0 && type != PacketType::kCnp) {
    // The ACK carries the data packet's INT stack back (HPCC); the data packet's own
    // stack goes with it when the NIC releases it.
    IntTable& t = pool_->telemetry();
    c->int_slot = t.acquire();
    t.at(c->int_slot).copy_from(t.at(data.int_slot));
  }
  return c;
}

Packet* ReceiverQp::pull(PacketPool& pool) {
  Packet* c = to_sender(pool, PacketType::kPull);
  c->psn = static_cast<uint64_t>(++stats_.pulls_sent);
  c->wire = kPullWireBytes;
  return c;
}

int ReceiverQp::on_data(const Packet& p, Time now, PacketPool& pool, Packet* out[2]) {
  pool_ = &pool;
  stats_.first_arrival = std::min(stats_.first_arrival, now);
  stats_.last_arrival = now;
  if (p.last && w_.total == 0) w_.total = p.psn + 1;
  if (p.trimmed) [[unlikely]] {
    // Only the header came: ask for exactly this packet again.
    ++stats_.trimmed_received;
    Packet* nack = control(PacketType::kNack, w_.expected, p);
    nack->trimmed = true;
    out[0] = nack;
    return 1;
  }
  ++stats_.packets_received;
  int n = recovery_->on_data(p, w_, stats_, *this, out);
  if (p.ecn_ce) {
    ++stats_.ecn_marked;
    if (send_cnp_ && (last_cnp_ == Time::max() || now - last_cnp_ >= cnp_interval_)) {
      last_cnp_ = now;
      ++stats_.cnps_sent;
      out[n++] = control(PacketType::kCnp, w_.expected, p);
    }
  }
  return n;
}

}  // namespace aifabric
