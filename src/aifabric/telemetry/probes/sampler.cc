#include "aifabric/telemetry/probes/sampler.h"

namespace aifabric {

Sampler::Sampler(Network& net, const TelemetryConfig& cfg, std::span<const uint32_t> nodes)
    : net_(net),
      interval_(cfg.interval),
      alarm_queue_(cfg.alarm_queue),
      pause_storm_(cfg.pause_storm) {
  const TopologyGraph& g = net.graph();
  std::vector<const Switch*> switch_of_node(g.nodes().size(), nullptr);
  for (const auto& s : net.switches()) switch_of_node[s->id()] = s.get();
  std::vector<uint32_t> all;
  if (nodes.empty()) {
    all.resize(g.nodes().size());
    for (uint32_t id = 0; id < all.size(); ++id) all[id] = id;
    nodes = all;
  }
  for (const uint32_t id : nodes) {
    if (g.nodes()[id].kind == NodeKind::kHost) {
      hosts_.push_back(net.hosts()[static_cast<size_t>(g.host_index(id))].get());
    }
    for (size_t i = 0; i < g.adjacent(id).size(); ++i) {
      Port& p = net.port(id, i);
      p.set_observer(this, static_cast<uint32_t>(ports_.size()));
      ports_.push_back(&p);
      owner_switch_.push_back(switch_of_node[id]);
      rec_.node_of_port.push_back(id);
      rec_.index_of_port.push_back(static_cast<uint16_t>(i));
    }
  }
  queue_alarm_on_.assign(ports_.size(), 0);
  net.sim().schedule_at(net.sim().now(), EventPriority::kTimer, this, 0);
}

void Sampler::handle_event(uint32_t /*kind*/, uint64_t /*arg*/) {
  if (finished_) return;
  sample();
  if (rec_.samples.size() >= next_cap_) {
    // A long run: sample half as often from here on so memory stays bounded.
    interval_ = interval_ * 2;
    next_cap_ *= 2;
  }
  net_.sim().schedule_in(interval_, EventPriority::kTimer, this, 0);
}

void Sampler::sample() {
  const Time now = net_.sim().now();
  for (size_t i = 0; i < ports_.size(); ++i) {
    const Port& p = *ports_[i];
    const PortCounters& c = p.counters();
    PortSample s;
    s.port = static_cast<uint32_t>(i);
    s.t = now;
    s.out_octets = c.tx_bytes;
    s.out_payload_octets = c.tx_payload_bytes;
    s.out_pkts = c.tx_packets;
    s.queue_bytes =
        owner_switch_[i] != nullptr ? owner_switch_[i]->queue_bytes(rec_.index_of_port[i]) : 0;
    s.ecn_marked = c.ecn_marked;
    s.pause_tx = c.pause_tx;
    s.pause_rx = c.pause_rx;
    s.paused = Time::zero();
    for (uint8_t prio = 0; prio < kNumPriorities; ++prio) {
      const Time paused = p.paused_time(prio, now);
      const int64_t depth = owner_switch_[i] != nullptr
                                ? owner_switch_[i]->queue_bytes(rec_.index_of_port[i], prio)
                                : 0;
      s.paused += paused;
      if (depth > 0 || paused > Time::zero()) {
        rec_.queue_samples.push_back(QueueSample{s.port, prio, now, depth, paused});
      }
    }
    s.drops = c.drops;
    s.link_errors = c.link_drops;
    rec_.samples.push_back(s);
    // Queue alarm: raised when the depth first exceeds the threshold, cleared below it.
    if (alarm_queue_.count() > 0) {
      const bool above = s.queue_bytes > alarm_queue_.count();
      if (above && !queue_alarm_on_[i]) {
        rec_.events.push_back(TelemetryEvent{"alarm_queue", s.port, -1, now, now,
                                             "queue " + std::to_string(s.queue_bytes) + " B > " +
                                                 std::to_string(alarm_queue_.count()) + " B"});
      }
      queue_alarm_on_[i] = above ? 1 : 0;
    }
  }
  for (const Host* h : hosts_) {
    for (const auto& qp : h->senders()) {
      if (qp->state() != SenderQp::State::kActive) continue;
      rec_.qp_samples.push_back(QpSample{qp->flow().id, now, qp->cc().rate().bits_per_second(),
                                         qp->cc().window_bytes(), qp->stats().last_rtt,
                                         qp->stats().retx_packets, qp->stats().payload_sent});
    }
  }
}

void Sampler::pause_episode(const Port& port, uint8_t prio, Time start, Time end) {
  rec_.pauses.push_back(PauseEpisode{port.observer_id(), prio, start, end});
  if (pause_storm_ > Time::zero() && end - start > pause_storm_) {
    rec_.events.push_back(
        TelemetryEvent{"pause_storm", port.observer_id(), prio, start, end,
                       "paused " + std::to_string((end - start).to_us()) + " us"});
  }
}

void Sampler::finish() {
  if (finished_) return;
  sample();
  finished_ = true;
  for (Port* p : ports_) {
    p->close_pause_episodes(net_.sim().now());
    p->set_observer(nullptr, 0);
  }
}

}  // namespace aifabric
