#include "aifabric/fabric/nic/host.h"

#include <algorithm>
#include <cmath>

namespace aifabric {
namespace {
enum Kind : uint32_t { kFlowStart = 0, kPull = 1 };
constexpr uint32_t kNoReceiver = ~0U;
}  // namespace

Host::Host(Simulator& sim, PacketPool& pool, uint32_t index, uint32_t node_id, std::string name,
           const NicConfig& cfg, FlowListener* listener)
    : sim_(sim),
      pool_(pool),
      index_(index),
      node_id_(node_id),
      name_(std::move(name)),
      cfg_(cfg),
      listener_(listener) {}

Port& Host::add_port(const LinkParams& link) {
  port_ = std::make_unique<Port>(sim_, pool_, *this, 0, link, sim_.derive_seed(name_ + "/link/0"));
  port_->set_home(home());
  if (cfg_.cc->pull_share != nullptr) {
    // One full data frame per pull, at the pull share of the link.
    const Time frame =
        link.rate.transmit_time(cfg_.transport->mtu.count() + kRoceHeaderBytes + kL1OverheadBytes);
    const double share = cfg_.cc->pull_share(*cfg_.cc_params);
    pacer_ = std::make_unique<PullPacer>(
        Time::ps(std::llround(static_cast<double>(frame.ps()) / share)));
  }
  return *port_;
}

uint32_t Host::add_flow(const FlowSpec& flow, std::unique_ptr<PathChooser> paths) {
  const auto i = static_cast<uint32_t>(flows_.size());
  flows_.push_back(PendingFlow{flow, std::move(paths)});
  sim_.hold();
  sim_.note_start(home(), flow.start);
  sim_.schedule_at(flow.start, EventPriority::kApplication, this, kFlowStart, i);
  return i;
}

void Host::handle_event(uint32_t kind, uint64_t arg) {
  if (kind == kPull) {
    pull_armed_ = false;
    send_pulls();
    return;
  }
  if (kind != kFlowStart) return;
  PendingFlow& f = flows_[arg];
  f.qpn = static_cast<uint32_t>(senders_.size());
  senders_.push_back(std::make_unique<SenderQp>(sim_, pool_, *this, f.spec, f.qpn, *cfg_.transport,
                                                *cfg_.cc, *cfg_.cc_params, port_->link().rate,
                                                std::move(f.paths)));
  senders_.back()->set_home(home());
  wake(*senders_.back());
}

const SenderQp* Host::sender_of(uint32_t index) const {
  const uint32_t qpn = flows_[index].qpn;
  return qpn == FlowTable::kAbsent ? nullptr : senders_[qpn].get();
}

const SenderResult* Host::result_of(uint32_t index) const {
  const uint32_t qpn = flows_[index].qpn;
  if (qpn == FlowTable::kAbsent) return nullptr;
  if (senders_[qpn] != nullptr) return senders_[qpn].get();
  return &ended_[qpn];
}

const ReceiverQp* Host::receiver_of(uint32_t flow) const {
  const uint32_t i = receiver_index_.find(flow);
  return i == FlowTable::kAbsent ? nullptr : receivers_[i].get();
}

const ReceiverResult* Host::receiver_result_of(uint32_t flow) const {
  const uint32_t i = receiver_index_.find(flow);
  if (i == FlowTable::kAbsent) return nullptr;
  if (receivers_[i] != nullptr) return receivers_[i].get();
  return &rx_ended_[i];
}

void Host::sender_ended(uint32_t flow, int64_t packets_sent) {
  if (cfg_.keep_queue_pairs) return;
  const uint32_t r = receiver_index_.find(flow);
  if (r == FlowTable::kAbsent) return;  // nothing arrived yet: kept when it does
  if (receivers_[r]->arrivals() == packets_sent) {
    retire_receiver(r);
  } else {
    rx_expect_[r] = packets_sent;
  }
}

void Host::retire_receiver(uint32_t r) {
  if (rx_ended_.size() <= r) rx_ended_.resize(std::max<size_t>(r + 1, rx_ended_.size() * 2));
  rx_ended_[r] = *receivers_[r];
  receivers_[r].reset();
}

void Host::wake(SenderQp& qp) {
  if (qp.has_data() && !qp.in_active_list) {
    qp.in_active_list = true;
    active_.push_back(&qp);
  }
  port_->kick();
}

void Host::finished(SenderQp& qp) {
  ++finished_;
  if (listener_ != nullptr) listener_->flow_finished(qp);
  sim_.release();
}

void Host::retire(SenderQp& qp) {
  if (cfg_.keep_queue_pairs) return;
  const uint32_t q = qp.qpn();
  if (ended_.size() <= q) ended_.resize(std::max<size_t>(q + 1, ended_.size() * 2));
  ended_[q] = qp;
  senders_[q].reset();
}

bool Host::backlogged(uint16_t /*port*/) const {
  return !control_.empty() || !active_.empty();
}

Packet* Host::next_to_send(uint16_t /*port*/, Time now, Time& retry_at) {
  if (!control_.empty()) {
    const Packet& f = *control_.front();
    if (!port_->blocked(f.priority, f.wire, now, retry_at)) return control_.pop();
  }
  size_t n = active_.size();
  for (size_t tried = 0; tried < n;) {
    if (rr_ >= n) rr_ = 0;
    SenderQp* qp = active_[rr_];
    if (!qp->has_data()) {
      qp->in_active_list = false;
      active_[rr_] = active_.back();
      active_.pop_back();
      --n;
      if (qp->retirable()) retire(*qp);
      continue;
    }
    ++tried;
    if (port_->paused(qp->priority(), now)) {
      retry_at = std::min(retry_at, port_->pause_until(qp->priority()));
      ++rr_;
      continue;
    }
    if (!qp->ready(now, retry_at)) {
      ++rr_;
      continue;
    }
    // A credit lane needs credits for the largest frame the queue pair may send next.
    if (port_->credit_lane(qp->priority()) &&
        !port_->has_credit(qp->priority(), static_cast<uint32_t>(max_frame()), now)) [[unlikely]] {
      ++rr_;
      continue;
    }
    ++rr_;
    return qp->next_packet(now);
  }
  return nullptr;
}

uint32_t Host::receiver_for(const Packet& p) {
  const uint32_t i = receiver_index_.find(p.flow);
  if (i != FlowTable::kAbsent) return i;
  const auto n = static_cast<uint32_t>(receivers_.size());
  receiver_index_.insert(p.flow, n);
  rx_expect_.push_back(-1);
  receivers_.push_back(
      std::make_unique<ReceiverQp>(p, *cfg_.transport, cfg_.cnp_interval, cfg_.send_cnp));
  return n;
}

// A data packet that asks for one, or a trimmed header, owes its sender a pull while the
// message misses packets; any frame without payload (a trimmed header, ACK, NACK, CNP,
// pull) took link time no pull asked for. Out of line, so that NICs without pulls keep
// receive as it was.
void Host::pace_pulls(const Packet& p, uint32_t r) {
  const Time now = sim_.now();
  if (p.type != PacketType::kData || p.trimmed) {
    pacer_->occupied(port_->link().rate.transmit_time(p.wire), now);
  }
  if (r != kNoReceiver && (p.wants_pull || p.trimmed) && receivers_[r]->wants_pulls()) {
    pacer_->owe(r);
  }
  if (pacer_->pending() && !pull_armed_) {
    pull_armed_ = true;
    sim_.schedule_at(pacer_->next_at(now), EventPriority::kTimer, this, kPull);
  }
}

void Host::send_pulls() {
  const Time now = sim_.now();
  // A freed receiver had its whole message: it wants no pull.
  while (pacer_->pending() &&
         (receivers_[pacer_->front()] == nullptr || !receivers_[pacer_->front()]->wants_pulls())) {
    pacer_->forgive_front();
  }
  if (!pacer_->pending()) return;
  if (pacer_->next_at(now) <= now) {
    ReceiverQp& rq = *receivers_[pacer_->take(now)];
    control_.push(rq.pull(pool_));
    port_->kick();
  }
  if (pacer_->pending()) {
    pull_armed_ = true;
    sim_.schedule_at(pacer_->next_at(now), EventPriority::kTimer, this, kPull);
  }
}

void Host::receive(Packet* p, uint16_t /*port*/) {
  // A NIC consumes what arrives at once: a credit lane's blocks go straight back.
  if (port_->has_credit_lanes()) [[unlikely]] {
    if (port_->credit_lane(p->priority) && !is_link_control(p->type)) {
      port_->return_credits(p->priority, p->wire);
    }
  }
  switch (p->type) {
    case PacketType::kPause: {
      const bool resumed = port_->on_pause_frame(p->priority, p->pause_quanta());
      pool_.release(p);
      if (resumed) port_->kick();
      return;
    }
    case PacketType::kCredit:
      port_->on_credit_frame(p->priority, p->credit_limit());
      pool_.release(p);
      return;
    case PacketType::kNotice:  // a switch's failure notice: a NIC has no routes to repair
      pool_.release(p);
      return;
    case PacketType::kData: {
      Packet* out[2];
      const uint32_t r = receiver_for(*p);
      ReceiverQp& rq = *receivers_[r];
      const int n = rq.on_data(*p, sim_.now(), pool_, out);
      if (pacer_ != nullptr) [[unlikely]]
        pace_pulls(*p, r);
      pool_.release(p);
      if (rx_expect_[r] == rq.arrivals()) [[unlikely]]
        retire_receiver(r);
      for (int i = 0; i < n; ++i) control_.push(out[i]);
      if (n > 0) port_->kick();
      return;
    }
    default: {
      if (pacer_ != nullptr) [[unlikely]]
        pace_pulls(*p, kNoReceiver);
      // A freed queue pair had ended: it would have ignored the frame.
      SenderQp* qp = senders_[p->sender_qp].get();
      if (qp != nullptr) {
        qp->on_control(*p);
        if (qp->retirable()) retire(*qp);
      }
      pool_.release(p);
      return;
    }
  }
}

}  // namespace aifabric
