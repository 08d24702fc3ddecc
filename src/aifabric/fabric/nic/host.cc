#include "aifabric/fabric/nic/host.h"

#include <algorithm>

namespace aifabric {

Host::Host(Simulator& sim, PacketPool& pool, uint32_t index, uint32_t node_id, std::string name,
           const TransportConfig& transport, FlowListener* listener)
    : sim_(sim),
      pool_(pool),
      index_(index),
      node_id_(node_id),
      name_(std::move(name)),
      transport_(transport),
      listener_(listener) {}

Port& Host::add_port(const LinkParams& link) {
  port_ = std::make_unique<Port>(sim_, pool_, *this, 0, link, sim_.derive_seed(name_ + "/link/0"));
  return *port_;
}

uint32_t Host::open_receiver(const FlowSpec& flow, uint32_t remote_qpn, Time cnp_interval,
                             bool send_cnp) {
  const auto qpn = static_cast<uint32_t>(receivers_.size());
  receivers_.push_back(
      std::make_unique<ReceiverQp>(flow, remote_qpn, transport_, cnp_interval, send_cnp));
  return qpn;
}

SenderQp& Host::open_sender(const FlowSpec& flow, uint32_t remote_qpn, const CcAlgorithm& cc,
                            const Params& cc_params, const PathSelection& paths) {
  senders_.push_back(std::make_unique<SenderQp>(sim_, pool_, *this, flow, remote_qpn, transport_,
                                                cc, cc_params, port_->link().rate, paths));
  SenderQp& qp = *senders_.back();
  wake(qp);
  return qp;
}

void Host::wake(SenderQp& qp) {
  if (qp.has_data() && !qp.in_active_list) {
    qp.in_active_list = true;
    active_.push_back(&qp);
  }
  port_->kick();
}

void Host::finished(SenderQp& qp) {
  if (listener_ != nullptr) listener_->flow_finished(qp);
}

bool Host::backlogged(uint16_t /*port*/) const {
  return !control_.empty() || !active_.empty();
}

Packet* Host::next_to_send(uint16_t /*port*/, Time now, Time& retry_at) {
  if (!control_.empty()) {
    const uint8_t prio = control_.front()->priority;
    if (!port_->paused(prio, now)) return control_.pop();
    retry_at = std::min(retry_at, port_->pause_until(prio));
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
    ++rr_;
    return qp->next_packet(now);
  }
  return nullptr;
}

void Host::receive(Packet* p, uint16_t /*port*/) {
  switch (p->type) {
    case PacketType::kPause: {
      const bool resumed = port_->on_pause_frame(p->priority, p->pause_quanta);
      pool_.release(p);
      if (resumed) port_->kick();
      return;
    }
    case PacketType::kData: {
      Packet* out[2];
      const int n = receivers_[p->dst_qp]->on_data(*p, sim_.now(), pool_, out);
      pool_.release(p);
      for (int i = 0; i < n; ++i) control_.push(out[i]);
      if (n > 0) port_->kick();
      return;
    }
    default: {
      SenderQp& qp = *senders_[p->dst_qp];
      qp.on_control(*p);
      pool_.release(p);
      return;
    }
  }
}

}  // namespace aifabric
