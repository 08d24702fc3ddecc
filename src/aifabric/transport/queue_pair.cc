#include "aifabric/transport/queue_pair.h"

#include <algorithm>

namespace aifabric {
namespace {
enum Kind : uint32_t { kRto = 0, kCcTimer = 1 };
}  // namespace

SenderQp::SenderQp(Simulator& sim, PacketPool& pool, Nic& nic, const FlowSpec& flow,
                   uint32_t remote_qpn, const TransportConfig& cfg, const CcAlgorithm& cc,
                   const Params& cc_params, BitRate line_rate)
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
      last_progress_(sim.now()) {
  total_pkts_ = packet_count(flow.size, mtu_);
}

bool SenderQp::ready(Time now, Time& retry_at) const {
  if (!has_data()) return false;
  int64_t window = cfg_.window.count();
  const int64_t cc_window = cc_->window_bytes();
  if (cc_window > 0) window = window > 0 ? std::min(window, cc_window) : cc_window;
  if (window > 0 && static_cast<int64_t>((snd_nxt_ - snd_una_) * mtu_) >= window) return false;
  if (next_tx_ > now) {
    retry_at = std::min(retry_at, next_tx_);
    return false;
  }
  return true;
}

Packet* SenderQp::next_packet(Time now) {
  const uint64_t psn = snd_nxt_++;
  const int64_t offset = static_cast<int64_t>(psn * mtu_);
  const auto payload =
      static_cast<uint32_t>(std::min<int64_t>(static_cast<int64_t>(mtu_), flow_.size - offset));
  Packet* p = pool_.acquire();
  p->type = PacketType::kData;
  p->flow = flow_.id;
  p->src = flow_.src;
  p->dst = flow_.dst;
  p->dst_qp = remote_qpn_;
  p->sport = flow_.sport;
  p->dport = flow_.dport;
  p->entropy = entropy_;
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
  snd_nxt_ = snd_una_;  // go back to the oldest unacknowledged packet
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
    case PacketType::kAck:
      ++stats_.acks;
      stats_.last_rtt = sim_.now() - p.sent_at;  // the ACK echoes the data packet's send time
      advance(p.psn);
      break;
    case PacketType::kNack:
      ++stats_.nacks;
      advance(p.psn);
      if (state_ == State::kActive && p.psn < snd_nxt_) snd_nxt_ = p.psn;  // go back
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

ReceiverQp::ReceiverQp(const FlowSpec& flow, uint32_t remote_qpn, const TransportConfig& cfg,
                       Time cnp_interval, bool send_cnp)
    : flow_(flow),
      remote_qpn_(remote_qpn),
      ack_interval_(cfg.ack_interval),
      ack_priority_(static_cast<uint8_t>(cfg.ack_priority)),
      cnp_interval_(cnp_interval),
      send_cnp_(send_cnp) {
  total_pkts_ = packet_count(flow.size, static_cast<uint64_t>(cfg.mtu.count()));
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
  return c;
}

int ReceiverQp::on_data(const Packet& p, Time now, PacketPool& pool, Packet* out[2]) {
  int n = 0;
  stats_.first_arrival = std::min(stats_.first_arrival, now);
  stats_.last_arrival = now;
  if (p.psn == expected_) {
    ++expected_;
    stats_.accepted_bytes += p.payload;
    if (static_cast<int64_t>(expected_ - acked_) >= ack_interval_ || expected_ == total_pkts_) {
      out[n++] = control(pool, PacketType::kAck, expected_, p);
      acked_ = expected_;
    }
  } else if (p.psn > expected_) {
    stats_.discarded_bytes += p.payload;
    if (nacked_ != static_cast<int64_t>(expected_)) {
      out[n++] = control(pool, PacketType::kNack, expected_, p);
      nacked_ = static_cast<int64_t>(expected_);
    }
  } else {
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

}  // namespace aifabric
