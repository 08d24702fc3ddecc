#include "aifabric/fabric/switch/switch.h"

#include <algorithm>

namespace aifabric {
namespace {
enum Kind : uint32_t { kPfcRefresh = 1, kEcnTune = 2 };
}  // namespace

Switch::Switch(Simulator& sim, PacketPool& pool, uint32_t id, std::string name,
               const SwitchConfig& cfg, std::unique_ptr<LoadBalancer> lb, int64_t max_frame)
    : sim_(sim),
      pool_(pool),
      id_(id),
      name_(std::move(name)),
      cfg_(cfg),
      lb_(std::move(lb)),
      buffer_(cfg_, max_frame),
      scheduler_(cfg_.scheduler, cfg_.weights, max_frame),
      marker_(cfg_.ecn, sim.stream(name_ + "/ecn")) {
  lb_of_prio_.fill(lb_.get());
  const EcnTuning& t = cfg_.ecn.tuning.selected();
  if (t.make != nullptr) tuner_ = t.make(cfg_.ecn.tuning.params());
  if (cfg_.trimming.enabled) trimmer_ = std::make_unique<Trimmer>(cfg_.trimming);
}

void Switch::set_class_balancer(uint8_t prio, std::unique_ptr<LoadBalancer> lb) {
  lb_of_prio_[prio] = lb.get();
  class_lbs_.push_back(std::move(lb));
}

Port& Switch::add_port(const LinkParams& link) {
  const auto idx = static_cast<uint16_t>(ports_.size());
  marker_.add_port(link.rate);
  ports_.push_back(std::make_unique<Port>(
      sim_, pool_, *this, idx, link, sim_.derive_seed(name_ + "/link/" + std::to_string(idx))));
  egress_.emplace_back();
  ports_.back()->set_home(home());
  return *ports_.back();
}

void Switch::finalize() {
  for (const auto& p : ports_) {
    buffer_.add_port(p->link(), p->pause_quanta_time(static_cast<uint16_t>(cfg_.pfc.quanta)));
  }
  buffer_.finalize();
  tuned_tx_.assign(ports_.size(), 0);
  tuned_marked_.assign(ports_.size(), 0);
  tuned_scale_.assign(ports_.size(), 1.0);
}

void Switch::enable_port_feedback(const CcAlgorithm& cc, const Params& params) {
  feedback_.clear();
  for (const auto& p : ports_) feedback_.push_back(cc.make_port_feedback(params, p->link().rate));
}

int64_t Switch::pause_frames_sent() const {
  int64_t n = 0;
  for (const auto& p : ports_) n += p->counters().pause_tx;
  return n;
}

// The first packet after an idle spell starts a tuning period from the counters now.
void Switch::arm_tuning() {
  for (size_t i = 0; i < ports_.size(); ++i) {
    tuned_tx_[i] = ports_[i]->counters().tx_bytes;
    tuned_marked_[i] = ports_[i]->counters().ecn_marked;
  }
  tuned_pauses_ = pause_frames_sent();
  tuning_armed_ = true;
  sim_.schedule_in(tuner_->period(), EventPriority::kTimer, this, kEcnTune, 0);
}

// One tuning period ended: every port's thresholds are rescaled from what it saw, and
// the next period starts from the counters read here. The timer re-arms while the
// switch carries traffic, and stops when a period was idle (the next packet in re-arms
// it).
void Switch::retune() {
  const int64_t pauses = pause_frames_sent();
  bool busy = false;
  for (size_t i = 0; i < ports_.size(); ++i) {
    const auto port = static_cast<uint16_t>(i);
    const int64_t tx = ports_[i]->counters().tx_bytes;
    EcnPortPeriod seen;
    seen.rate = ports_[i]->link().rate;
    seen.period = tuner_->period();
    seen.max_depth = marker_.take_max_depth(port);
    seen.tx_bytes = tx - tuned_tx_[i];
    seen.marked = ports_[i]->counters().ecn_marked - tuned_marked_[i];
    tuned_marked_[i] = ports_[i]->counters().ecn_marked;
    seen.pause_frames = pauses - tuned_pauses_;
    busy = busy || seen.tx_bytes > 0 || egress_[i].bytes > 0;
    tuned_tx_[i] = tx;
    tuned_scale_[i] = tuner_->scale(seen, tuned_scale_[i]);
    marker_.retune(port, tuned_scale_[i]);
  }
  tuned_pauses_ = pauses;
  tuning_armed_ = busy;
  if (busy) sim_.schedule_in(tuner_->period(), EventPriority::kTimer, this, kEcnTune, 0);
}

SwitchCounters Switch::counters() const {
  SwitchCounters c = counters_;
  c.max_ingress_bytes = buffer_.max_ingress_bytes();
  c.max_buffer_used = buffer_.max_buffer_used();
  return c;
}

void Switch::receive(Packet* p, uint16_t in) {
  if (tuner_ != nullptr && !tuning_armed_) [[unlikely]]
    arm_tuning();
  if (is_link_control(p->type)) {
    if (p->type == PacketType::kCredit) [[unlikely]] {
      ports_[in]->on_credit_frame(p->priority, p->credit_limit());
      pool_.release(p);
      return;
    }
    if (p->type == PacketType::kNotice) [[unlikely]] {
      const uint64_t notice = p->psn;
      pool_.release(p);
      if (notice_handler_ != nullptr) notice_handler_->on_notice(*this, in, notice);
      return;
    }
    const bool resumed = ports_[in]->on_pause_frame(p->priority, p->pause_quanta());
    pool_.release(p);
    if (resumed) ports_[in]->kick();
    return;
  }
  const auto hops = table_.next_hops(p->dst);
  if (hops.empty()) {
    drop(p, in, counters_.no_route_drops);
    return;
  }
  const uint16_t out = choose_port(*p, hops);
  p->in_port = in;
  ++p->hops;
  EgressQueues& e = egress_[out];
  if (trimmer_ != nullptr) [[unlikely]] {
    if (!trim(p, out)) return;
  }
  switch (buffer_.admit(*p, in, e.q[p->priority].bytes())) {
    case SharedBuffer::Verdict::kDropHeadroom:
      drop(p, out, counters_.headroom_drops);
      return;
    case SharedBuffer::Verdict::kDropBuffer:
      drop(p, out, counters_.buffer_drops);
      return;
    case SharedBuffer::Verdict::kDropCredit:
      drop(p, out, counters_.credit_drops);
      return;
    case SharedBuffer::Verdict::kAdmittedXoff: {
      const uint8_t prio = p->priority;
      send_pause(in, prio, static_cast<uint16_t>(cfg_.pfc.quanta));
      const uint64_t arg = (static_cast<uint64_t>(buffer_.next_refresh_gen(in, prio)) << 32) |
                           (static_cast<uint64_t>(in) << 8) | prio;
      sim_.schedule_in(buffer_.refresh_interval(in), EventPriority::kTimer, this, kPfcRefresh, arg);
      break;
    }
    case SharedBuffer::Verdict::kAdmitted:
      break;
  }
  if (!feedback_.empty()) [[unlikely]]
    feedback_enqueue(*p, out, e.bytes);
  e.push(p);
  PortCounters& pc = ports_[out]->counters();
  pc.max_queue_bytes = std::max(pc.max_queue_bytes, e.bytes);
  ports_[out]->kick();
}

// Out of line, so that runs without trimming keep receive as it was. The payload a trim
// cuts counts as dropped payload of the port (byte conservation), the trim as a trim.
bool Switch::trim(Packet* p, uint16_t out) {
  uint32_t cut = 0;
  switch (trimmer_->on_arrival(*p, egress_[out], cut)) {
    case Trimmer::Verdict::kPass:
      return true;
    case Trimmer::Verdict::kDrop:
      drop(p, out, counters_.trim_drops);
      return false;
    case Trimmer::Verdict::kTrimmed: {
      ++counters_.trims;
      PortCounters& pc = ports_[out]->counters();
      ++pc.trims;
      pc.drop_payload += cut;
      return true;
    }
  }
  return true;
}

void Switch::drop(Packet* p, uint16_t out, int64_t& cause) {
  ++cause;
  PortCounters& pc = ports_[out]->counters();
  ++pc.drops;
  if (p->type == PacketType::kData) pc.drop_payload += p->payload;
  pool_.release(p);
}

void Switch::send_pause(uint16_t port, uint8_t prio, uint16_t quanta) {
  Packet* f = pool_.acquire();
  f->type = PacketType::kPause;
  f->priority = prio;
  f->set_pause_quanta(quanta);
  f->wire = kPauseWireBytes;
  egress_[port].control.push(f);
  ports_[port]->kick();
}

void Switch::send_notice(uint16_t port, uint64_t notice) {
  Packet* f = pool_.acquire();
  f->type = PacketType::kNotice;
  f->priority = kNumPriorities - 1;
  f->psn = notice;
  f->wire = kNoticeWireBytes;
  egress_[port].control.push(f);
  ports_[port]->kick();
}

void Switch::handle_event(uint32_t kind, uint64_t arg) {
  if (kind == kEcnTune) {
    retune();
    return;
  }
  if (kind != kPfcRefresh) return;
  const auto prio = static_cast<uint8_t>(arg & 0xff);
  const auto port = static_cast<uint16_t>((arg >> 8) & 0xffff);
  const auto gen = static_cast<uint32_t>(arg >> 32);
  if (!buffer_.xoff(port, prio) || buffer_.refresh_gen(port, prio) != gen) return;
  send_pause(port, prio, static_cast<uint16_t>(cfg_.pfc.quanta));
  sim_.schedule_in(buffer_.refresh_interval(port), EventPriority::kTimer, this, kPfcRefresh, arg);
}

bool Switch::backlogged(uint16_t port) const {
  return egress_[port].bytes > 0 || !egress_[port].control.empty();
}

Packet* Switch::next_to_send(uint16_t port, Time now, Time& retry_at) {
  EgressQueues& e = egress_[port];
  if (!e.control.empty()) return e.control.pop();
  if (e.bytes == 0) return nullptr;
  int64_t depth = 0;
  Packet* p = scheduler_.dequeue(e, *ports_[port], now, retry_at, depth);
  if (p == nullptr) return nullptr;
  if (buffer_.release(*p)) {
    if (buffer_.credit_lane(p->priority)) {
      ports_[p->in_port]->return_credits(p->priority, p->wire);
    } else {
      send_pause(p->in_port, p->priority, 0);
    }
  }
  marker_.on_dequeue(p, port, depth, ports_[port]->counters());
  if (int_ != nullptr) [[unlikely]]
    stamp_int(*p, port, now);
  if (!feedback_.empty()) [[unlikely]]
    feedback_dequeue(*p, port);
  return p;
}

void Switch::feedback_enqueue(const Packet& p, uint16_t port, int64_t queued) {
  const IntStack* st = p.int_slot != 0 ? &pool_.telemetry().at(p.int_slot) : nullptr;
  feedback_[port]->on_enqueue(p, st, queued, sim_.now());
}

void Switch::feedback_dequeue(const Packet& p, uint16_t port) {
  IntStack* st = p.int_slot != 0 ? &pool_.telemetry().at(p.int_slot) : nullptr;
  feedback_[port]->on_dequeue(p, st, sim_.now());
}

// Out of line, so that runs without INT keep next_to_send as it was.
void Switch::stamp_int(const Packet& p, uint16_t port, Time now) {
  int_->on_dequeue(p, *ports_[port], egress_[port].bytes, now);
}

int64_t Switch::queued_payload() const {
  int64_t sum = 0;
  for (const auto& e : egress_) {
    for (const auto& q : e.q) {
      for (const Packet* p = q.front(); p != nullptr; p = p->next) {
        if (p->type == PacketType::kData) sum += p->payload;
      }
    }
  }
  return sum;
}

}  // namespace aifabric
