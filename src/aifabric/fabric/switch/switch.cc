#include "aifabric/fabric/switch/switch.h"

#include <algorithm>

namespace aifabric {
namespace {
enum Kind : uint32_t { kPfcRefresh = 1 };
}  // namespace

Switch::Switch(Simulator& sim, PacketPool& pool, uint32_t id, std::string name,
               const SwitchConfig& cfg, std::unique_ptr<LoadBalancer> lb, int64_t max_frame)
    : sim_(sim),
      pool_(pool),
      id_(id),
      name_(std::move(name)),
      cfg_(cfg),
      lb_(std::move(lb)),
      rng_(sim.stream(name_ + "/ecn")),
      k_min_(cfg.ecn.k_min.count()),
      k_max_(cfg.ecn.k_max.count()),
      max_frame_(max_frame) {
  if (cfg_.pfc.enabled) {
    for (int64_t p : cfg_.pfc.priorities) lossless_[static_cast<size_t>(p)] = true;
  }
  lb_of_prio_.fill(lb_.get());
}

void Switch::set_class_balancer(uint8_t prio, std::unique_ptr<LoadBalancer> lb) {
  lb_of_prio_[prio] = lb.get();
  class_lbs_.push_back(std::move(lb));
}

Port& Switch::add_port(const LinkParams& link) {
  const auto idx = static_cast<uint16_t>(ports_.size());
  ports_.push_back(std::make_unique<Port>(
      sim_, pool_, *this, idx, link, sim_.derive_seed(name_ + "/link/" + std::to_string(idx))));
  egress_.emplace_back();
  ingress_.emplace_back();
  return *ports_.back();
}

void Switch::finalize() {
  int64_t reserved = 0;
  for (size_t i = 0; i < ports_.size(); ++i) {
    const LinkParams& l = ports_[i]->link();
    int64_t h = cfg_.pfc.headroom.count();
    if (h == 0) {
      // What can still arrive after XOFF leaves: the round trip of the cable at line
      // rate, a frame the upstream has started, a frame ahead of our pause frame, and
      // a frame of slack; plus the pause frames themselves.
      h = 2 * l.rate.bytes_in(l.delay) + 3 * max_frame_ + int64_t{2} * kPauseWireBytes;
    }
    ingress_[i].headroom_size = h;
    for (int p = 0; p < kNumPriorities; ++p) {
      if (lossless_[p]) reserved += h;
    }
    // Pause quanta are 512 bit times of this link, so the same XOFF lasts 16x less on a
    // 6.4 Tbps link than on a 400 Gbps one: the refresh must follow each port's own
    // pause time, or a fast link's XOFF lapses before it is renewed.
    ingress_[i].refresh =
        cfg_.pfc.refresh > Time::zero()
            ? cfg_.pfc.refresh
            : ports_[i]->pause_quanta_time(static_cast<uint16_t>(cfg_.pfc.quanta)) / 2;
  }
  shared_size_ = cfg_.buffer.count() - reserved;
}

int64_t Switch::xoff_threshold() const {
  if (cfg_.pfc.xoff_alpha > 0) {
    return static_cast<int64_t>(cfg_.pfc.xoff_alpha * static_cast<double>(std::max<int64_t>(
                                                          shared_size_ - shared_used_, 0)));
  }
  return cfg_.pfc.xoff.count();
}

void Switch::receive(Packet* p, uint16_t in) {
  if (p->type == PacketType::kPause) {
    const bool resumed = ports_[in]->on_pause_frame(p->priority, p->pause_quanta);
    pool_.release(p);
    if (resumed) ports_[in]->kick();
    return;
  }
  const auto hops = table_.next_hops(p->dst);
  if (hops.empty()) {
    drop(p, in, counters_.no_route_drops);
    return;
  }
  const uint16_t out =
      hops.size() == 1 ? hops[0] : lb_of_prio_[p->priority]->choose(*p, hops, *this, sim_.now());
  p->in_port = in;
  if (!admit(p, in, out)) return;
  EgressState& e = egress_[out];
  e.q[p->priority].push(p);
  e.nonempty |= 1U << p->priority;
  e.bytes += p->wire;
  PortCounters& pc = ports_[out]->counters();
  pc.max_queue_bytes = std::max(pc.max_queue_bytes, e.bytes);
  ports_[out]->kick();
}

bool Switch::admit(Packet* p, uint16_t in, uint16_t out) {
  const int64_t size = p->wire;
  const uint8_t prio = p->priority;
  if (lossless_[prio]) {
    IngressState& ing = ingress_[in];
    IngressClass& c = ing.cls[prio];
    const int64_t threshold = xoff_threshold();
    bool to_headroom = false;
    if (!c.xoff && c.shared + size <= threshold && shared_used_ + size <= shared_size_) {
      c.shared += size;
      shared_used_ += size;
    } else if (c.headroom + size <= ing.headroom_size) {
      c.headroom += size;
      to_headroom = true;
    } else {
      drop(p, out, counters_.headroom_drops);
      return false;
    }
    if (!c.xoff && to_headroom) {  // crossed the XOFF threshold
      c.xoff = true;
      send_pause(in, prio, static_cast<uint16_t>(cfg_.pfc.quanta));
      const uint64_t arg =
          (static_cast<uint64_t>(++c.refresh_gen) << 32) | (static_cast<uint64_t>(in) << 8) | prio;
      sim_.schedule_in(ing.refresh, EventPriority::kTimer, this, kPfcRefresh, arg);
    }
    counters_.max_ingress_bytes = std::max(counters_.max_ingress_bytes, c.shared + c.headroom);
  } else {
    const int64_t free = shared_size_ - shared_used_;
    const double limit = cfg_.egress_alpha * static_cast<double>(free);
    if (size > free || static_cast<double>(egress_[out].q[prio].bytes() + size) > limit) {
      drop(p, out, counters_.buffer_drops);
      return false;
    }
    shared_used_ += size;
  }
  buffered_ += size;
  counters_.max_buffer_used = std::max(counters_.max_buffer_used, buffered_);
  return true;
}

void Switch::release_buffer(const Packet* p) {
  const int64_t size = p->wire;
  buffered_ -= size;
  const uint8_t prio = p->priority;
  if (!lossless_[prio]) {
    shared_used_ -= size;
    return;
  }
  // Departing bytes leave the ingress's headroom pool first, as a Broadcom-style MMU
  // counts its PG headroom (so does the HPCC ns-3 switch-mmu.cc). Charging the packet's
  // own pool instead would free the headroom only when the frames that arrived after
  // XOFF leave, i.e. with the egress queue nearly empty: XON would go out too late and
  // the port would idle for the pause round trip.
  IngressClass& c = ingress_[p->in_port].cls[prio];
  const int64_t from_headroom = std::min(c.headroom, size);
  c.headroom -= from_headroom;
  c.shared -= size - from_headroom;
  shared_used_ -= size - from_headroom;
  if (c.xoff && c.headroom == 0 &&
      c.shared <= std::max<int64_t>(xoff_threshold() - cfg_.pfc.xon_offset.count(), 0)) {
    c.xoff = false;
    send_pause(p->in_port, prio, 0);
  }
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
  f->pause_quanta = quanta;
  f->wire = kPauseWireBytes;
  egress_[port].control.push(f);
  ports_[port]->kick();
}

void Switch::handle_event(uint32_t kind, uint64_t arg) {
  if (kind != kPfcRefresh) return;
  const auto prio = static_cast<uint8_t>(arg & 0xff);
  const auto port = static_cast<uint16_t>((arg >> 8) & 0xffff);
  const auto gen = static_cast<uint32_t>(arg >> 32);
  IngressClass& c = ingress_[port].cls[prio];
  if (!c.xoff || c.refresh_gen != gen) return;
  send_pause(port, prio, static_cast<uint16_t>(cfg_.pfc.quanta));
  sim_.schedule_in(ingress_[port].refresh, EventPriority::kTimer, this, kPfcRefresh, arg);
}

bool Switch::backlogged(uint16_t port) const {
  return egress_[port].bytes > 0 || !egress_[port].control.empty();
}

Packet* Switch::next_to_send(uint16_t port, Time now, Time& retry_at) {
  EgressState& e = egress_[port];
  if (!e.control.empty()) return e.control.pop();
  if (e.bytes == 0) return nullptr;
  return dequeue(e, port, now, retry_at);
}

Packet* Switch::dequeue(EgressState& e, uint16_t port, Time now, Time& retry_at) {
  const Port& pt = *ports_[port];
  int chosen = -1;
  if (cfg_.scheduler == Scheduler::kStrict) {
    for (uint32_t m = e.nonempty; m != 0;) {
      const int prio = 31 - __builtin_clz(m);  // highest non-empty priority
      if (!pt.paused(static_cast<uint8_t>(prio), now)) {
        chosen = prio;
        break;
      }
      retry_at = std::min(retry_at, pt.pause_until(static_cast<uint8_t>(prio)));
      m &= ~(1U << prio);
    }
  } else {
    // Deficit round robin: a queue earns one quantum (weight x max frame) when its
    // turn begins and sends while its deficit covers the head frame; then the turn
    // passes on. An empty queue keeps no credit.
    for (int step = 0; step < 2 * kNumPriorities + 1; ++step) {
      const int prio = e.rr;
      PacketQueue& q = e.q[prio];
      const bool paused = !q.empty() && pt.paused(static_cast<uint8_t>(prio), now);
      if (!q.empty() && !paused) {
        if (!e.credited) {
          e.deficit[prio] += cfg_.weights[prio] * max_frame_;
          e.credited = true;
        }
        if (e.deficit[prio] >= q.front()->wire) {
          chosen = prio;
          break;
        }
      }
      if (paused) retry_at = std::min(retry_at, pt.pause_until(static_cast<uint8_t>(prio)));
      if (q.empty()) e.deficit[prio] = 0;
      e.rr = static_cast<uint8_t>((prio + 1) % kNumPriorities);
      e.credited = false;
    }
    if (chosen >= 0) e.deficit[chosen] -= e.q[chosen].front()->wire;
  }
  if (chosen < 0) return nullptr;
  PacketQueue& q = e.q[chosen];
  const int64_t depth = q.bytes();
  Packet* p = q.pop();
  if (q.empty()) e.nonempty &= ~(1U << chosen);
  e.bytes -= p->wire;
  release_buffer(p);
  if (p->ecn_capable && cfg_.ecn.enabled) mark_ecn(p, depth, port);
  return p;
}

void Switch::mark_ecn(Packet* p, int64_t depth, uint16_t port) {
  if (depth <= k_min_) return;
  bool mark = depth > k_max_;
  if (!mark) {
    const double prob = cfg_.ecn.p_max * static_cast<double>(depth - k_min_) /
                        static_cast<double>(std::max<int64_t>(k_max_ - k_min_, 1));
    mark = rng_.bernoulli(prob);
  }
  if (mark && !p->ecn_ce) {
    p->ecn_ce = true;
    ++ports_[port]->counters().ecn_marked;
  }
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
