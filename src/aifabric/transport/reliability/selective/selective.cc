// Selective recovery: the sender's scoreboard and RACK, the receiver's reorder bitmap.
#include "aifabric/transport/reliability/selective/selective.h"

#include <algorithm>
#include <bit>

namespace aifabric {
namespace {

// The auto reorder window follows the largest RTT of the last one to two of these.
constexpr Time kRttMaxEpoch = Time::ms(1);

}  // namespace

void SelectiveParams::visit(ParamVisitor& v) {
  v.param("reorder_buffer", reorder_buffer,
          "packets the receiver accepts beyond the next expected one; a packet further ahead "
          "is dropped (counted as rob_overflow_drops)",
          Range{1, 1 << 20});
  v.param("reorder_window", reorder_window,
          "a packet not acknowledged although a later-sent one was is declared lost this long "
          "after its send time plus the minimum RTT; 0 = auto: the spread of recent RTTs "
          "(largest of the last 1-2 ms minus the smallest) plus max(min RTT / 4, 4us)");
  v.param("bdp_cap", bdp_cap,
          "IRN's BDP-FC: new data is sent only while fewer than this many packets lie between "
          "the oldest unacknowledged one and the next new one; 0 = no cap",
          Range{0, 1 << 20});
}

Status SelectiveParams::validate() const {
  if (reorder_window < Time::zero()) return Status::error("reorder_window must not be negative");
  return Status::ok();
}

// Packets declared lost go first.
uint64_t SelectiveSender::next_psn(SendWindow& w) {
  if (lost_pending_ > 0) {
    for (;;) {
      const uint64_t psn = retx_.front();
      retx_.pop_front();
      if (psn < w.snd_una || !slot(psn, w).lost) continue;  // acknowledged meanwhile, or resent
      Slot& s = slot(psn, w);
      s.lost = false;
      s.retransmitted = true;
      --lost_pending_;
      if (s.rack_lost) ++ctx_.sender_stats().loss_retx;
      s.rack_lost = false;
      sync(w);
      return psn;
    }
  }
  scoreboard_.push_back(Slot{});
  return w.snd_nxt++;
}

void SelectiveSender::on_sent(uint64_t psn, Time now, SendWindow& w) {
  slot(psn, w).sent_at = now;
  sent_order_.push_back(Sent{psn, now});
}

void SelectiveSender::on_advance(uint64_t to, SendWindow& w) {
  for (uint64_t psn = w.snd_una; psn < to; ++psn) {
    const Slot& s = scoreboard_.front();
    sacked_ -= s.sacked ? 1 : 0;
    lost_pending_ -= s.lost ? 1 : 0;
    scoreboard_.pop_front();
  }
  sync(w);
  cap(to, w);
}

void SelectiveSender::on_ack(const Packet& ack, Time rtt, SendWindow& w) {
  SenderStats& stats = ctx_.sender_stats();
  stats.min_rtt = std::min(stats.min_rtt, rtt);
  const Time now = ctx_.now();
  if (now >= rtt_epoch_end_) {
    rtt_max_prev_ = rtt_max_cur_;
    rtt_max_cur_ = Time::zero();
    rtt_epoch_end_ = now + kRttMaxEpoch;
  }
  rtt_max_cur_ = std::max(rtt_max_cur_, rtt);
  rack_time_ = std::max(rack_time_, ack.sent_at);
  const uint64_t psn = ack.sack_psn;
  if (psn >= w.snd_una && psn < w.snd_nxt) {
    Slot& s = slot(psn, w);
    // The echoed send time is the copy that arrived: older than our latest send means
    // the packet was not lost after all.
    if (s.retransmitted && ack.sent_at < s.sent_at) {
      s.retransmitted = false;
      ++stats.spurious_retx;
    }
    mark_sacked(psn, w);
  }
  // The packets before it the receiver also holds: what an earlier, lost ACK said.
  for (uint64_t bits = ack.sack_bits; bits != 0; bits &= bits - 1) {
    const uint64_t q = psn - 64 + static_cast<uint64_t>(std::countr_zero(bits));
    if (q >= w.snd_una && q < w.snd_nxt) mark_sacked(q, w);
  }
}

void SelectiveSender::mark_sacked(uint64_t psn, SendWindow& w) {
  Slot& s = slot(psn, w);
  if (s.sacked) return;
  s.sacked = true;
  ++sacked_;
  if (s.lost) {
    s.lost = false;
    s.rack_lost = false;
    --lost_pending_;
  }
  sync(w);
}

void SelectiveSender::on_timeout(SendWindow& w) {
  mark_lost(w.snd_una, false, w);  // resend only the oldest unacknowledged packet
}

// A trim is a loss the receiver saw: no reordering wait, queued behind earlier losses.
void SelectiveSender::on_trimmed(uint64_t psn, SendWindow& w) {
  if (psn < w.snd_una || psn >= w.snd_nxt) return;
  Slot& s = slot(psn, w);
  if (s.sacked) return;  // a later copy arrived whole
  if (!s.lost) {
    s.lost = true;
    s.rack_lost = false;
    ++lost_pending_;
  }
  retx_.push_back(psn);
  sync(w);
  ctx_.wake();
}

void SelectiveSender::on_timer(SendWindow& w) {
  if (ctx_.now() >= rack_timer_at_) rack_timer_at_ = Time::max();
  detect_losses(w);
}

// Auto: the spread of recent RTTs, which sprayed packets show as the queueing
// difference between their paths, plus a margin for how far it can grow before the
// next sample. A spurious retransmission widens it by itself: the late original's ACK
// is an RTT sample as large as its lateness.
Time SelectiveSender::reorder_window() const {
  if (p_.reorder_window > Time::zero()) return p_.reorder_window;
  const Time min_rtt = ctx_.sender_stats().min_rtt;
  const Time spread = std::max(rtt_max_cur_, rtt_max_prev_) - min_rtt;
  return spread + std::max(min_rtt / 4, kMinAutoReorderWindow);
}

void SelectiveSender::mark_lost(uint64_t psn, bool by_rack, SendWindow& w) {
  Slot& s = slot(psn, w);
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
  sync(w);
}

// RACK (RFC 8985) over the transmissions in send order: one sent before the latest
// delivered transmission is lost once min RTT + reordering window have passed since it
// was sent. Deadlines grow along the list, so the walk stops at the first one not due.
void SelectiveSender::detect_losses(SendWindow& w) {
  const Time min_rtt = ctx_.sender_stats().min_rtt;
  if (min_rtt == Time::max()) return;
  const Time now = ctx_.now();
  const Time wait = min_rtt + reorder_window();
  bool lost_any = false;
  while (!sent_order_.empty()) {
    const Sent tx = sent_order_.front();
    if (tx.psn < w.snd_una) {
      sent_order_.pop_front();
      continue;
    }
    const Slot& s = slot(tx.psn, w);
    if (s.sacked || s.lost || s.sent_at != tx.at) {  // delivered, or superseded
      sent_order_.pop_front();
      continue;
    }
    if (tx.at >= rack_time_) break;  // nothing sent after it is known delivered yet
    const Time deadline = tx.at + wait;
    if (now < deadline) {
      if (deadline < rack_timer_at_) {
        rack_timer_at_ = deadline;
        ctx_.set_recovery_timer(deadline);
      }
      break;
    }
    sent_order_.pop_front();
    mark_lost(tx.psn, true, w);
    lost_any = true;
  }
  if (lost_any) ctx_.wake();
}

SelectiveReceiver::SelectiveReceiver(const SelectiveParams& p)
    : rob_size_(static_cast<uint64_t>(p.reorder_buffer)) {}

Packet* SelectiveReceiver::ack(ControlFactory& f, const ReceiveWindow& w,
                               const Packet& data) const {
  Packet* c = f.control(PacketType::kAck, w.expected, data);
  c->sack_bits = sack_bitmap(data.psn, w);
  return c;
}

// Which of the 64 packets before `psn` are held beyond the cumulative point (bit i =
// packet psn - 64 + i): repeated in every ACK, so one lost ACK loses no information
// the next one does not carry again.
uint64_t SelectiveReceiver::sack_bitmap(uint64_t psn, const ReceiveWindow& w) const {
  if (held_ == 0) return 0;
  const uint64_t lo = std::max(w.expected, psn >= 64 ? psn - 64 : 0);
  if (lo >= psn) return 0;
  // [lo, psn) lies inside [expected, expected + reorder_buffer): no ring aliasing.
  const uint64_t idx = lo & rob_mask_;
  const size_t word = idx >> 6;
  const uint64_t off = idx & 63;
  uint64_t bits = rob_bits_[word] >> off;
  if (off != 0) bits |= rob_bits_[(word + 1) & (rob_bits_.size() - 1)] << (64 - off);
  const uint64_t n = psn - lo;  // 1..64 packets, bit 0 = lo
  if (n == 64) return bits;
  return (bits & ((1ULL << n) - 1)) << (64 - n);
}

// Direct placement: a packet inside the reorder buffer is written to its place in the
// message at once (its payload counts as accepted); the bitmap only remembers that it
// arrived, so the cumulative point can jump over it when the hole before it fills. The
// bitmap (a ring of at least reorder_buffer bits) is allocated when a first packet
// arrives early; until then nothing is held.
int SelectiveReceiver::on_data(const Packet& p, ReceiveWindow& w, ReceiverStats& st,
                               ControlFactory& f, Packet** out) {
  int n = 0;
  const uint64_t psn = p.psn;
  if (psn < w.expected || (psn < w.expected + rob_size_ && held_ > 0 && held(psn))) {
    ++st.duplicate_packets;
    st.discarded_bytes += p.payload;
    out[n++] = ack(f, w, p);  // re-ACK a duplicate
  } else if (psn >= w.expected + rob_size_) {
    // No room to place it: dropped unacknowledged, so the sender's RACK sees a loss.
    ++st.ooo_packets;
    ++st.rob_overflow_drops;
    st.discarded_bytes += p.payload;
  } else {
    st.accepted_bytes += p.payload;
    if (psn + 1 < highest_) {
      const auto depth = static_cast<int64_t>(highest_ - 1 - psn);
      ++st.reordered_packets;
      st.reorder_depth_sum += depth;
      st.reorder_depth_max = std::max(st.reorder_depth_max, depth);
    }
    highest_ = std::max(highest_, psn + 1);
    if (psn == w.expected) {
      const bool fills_hole = held_ > 0;
      ++w.expected;
      while (held_ > 0 && held(w.expected)) {
        set_held(w.expected, false);
        ++w.expected;
        --held_;
      }
      if (fills_hole || static_cast<int64_t>(w.expected - w.acked) >= w.ack_interval ||
          w.expected == w.total) {
        out[n++] = ack(f, w, p);
        w.acked = w.expected;
      }
    } else {
      ++st.ooo_packets;
      if (rob_bits_.empty()) {
        const uint64_t bits = std::bit_ceil(std::max<uint64_t>(rob_size_, 64));
        rob_mask_ = bits - 1;
        rob_bits_.assign(bits / 64, 0);
      }
      set_held(psn, true);
      ++held_;
      st.rob_max_packets = std::max(st.rob_max_packets, held_);
      out[n++] = ack(f, w, p);
      w.acked = w.expected;
    }
  }
  st.rob_occupancy_sum += held_;
  return n;
}

}  // namespace aifabric
