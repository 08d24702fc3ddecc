#include "aifabric/telemetry/probes/sampler.h"

#include <algorithm>

namespace aifabric {

Sampler::Sampler(Network& net, const TelemetryConfig& cfg, Time interval, bool automatic,
                 Time start, std::span<const uint32_t> nodes)
    : net_(net),
      interval_(interval),
      alarm_queue_(cfg.alarm_queue),
      pause_storm_(cfg.pause_storm),
      automatic_(automatic) {
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
  last_.resize(ports_.size());
  held_.assign(ports_.size(), 0);
  written_.assign(ports_.size(), 0);
  pending_.resize(ports_.size());
  queue_paused_.assign(ports_.size() * kNumPriorities, Time::zero());
  net.sim().schedule_at(std::max(start, net.sim().now()), EventPriority::kTimer, this, 0);
}

void Sampler::handle_event(uint32_t /*kind*/, uint64_t /*arg*/) {
  if (finished_) return;
  sample();
  if (rec_.samples.size() >= next_cap_) {
    // A long run: sample half as often from here on so memory stays bounded.
    interval_ = interval_ * 2;
    next_cap_ *= 2;
  }
  // Automatic: the sampler visits fewer ports than a hundredth of the events the run
  // processed (its work and rows stay a few percent of the run's; deterministic: events
  // are counted, not timed).
  if (automatic_ && visits_ > (uint64_t{1} << 14) &&
      visits_ > net_.sim().events_processed() / 100) {
    interval_ = interval_ * 2;
  }
  net_.sim().schedule_in(interval_, EventPriority::kTimer, this, 0);
}

namespace {
bool same_counters(const PortSample& a, const PortSample& b) {
  return a.out_octets == b.out_octets && a.out_payload_octets == b.out_payload_octets &&
         a.out_pkts == b.out_pkts && a.queue_bytes == b.queue_bytes &&
         a.ecn_marked == b.ecn_marked && a.pause_tx == b.pause_tx && a.pause_rx == b.pause_rx &&
         a.paused == b.paused && a.drops == b.drops && a.link_errors == b.link_errors;
}
}  // namespace

// Of a run of samples with equal counters only the first and the last are written.
void Sampler::record(size_t port, const PortSample& s) {
  if (written_[port] && same_counters(s, last_[port])) {
    pending_[port] = s;
    held_[port] = 1;
    return;
  }
  if (held_[port]) rec_.samples.push_back(pending_[port]);
  held_[port] = 0;
  rec_.samples.push_back(s);
  last_[port] = s;
  written_[port] = 1;
}

void Sampler::sample() {
  const Time now = net_.sim().now();
  sampled_ = true;
  last_sample_ = now;
  visits_ += ports_.size();
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
      Time& last_paused = queue_paused_[i * kNumPriorities + prio];
      if (depth > 0 || paused != last_paused) {
        rec_.queue_samples.push_back(QueueSample{s.port, prio, now, depth, paused});
        last_paused = paused;
      }
    }
    s.drops = c.drops;
    s.link_errors = c.link_drops;
    record(i, s);
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
      if (qp == nullptr || qp->state() != SenderQp::State::kActive) continue;
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
  // The end of the run, unless a periodic sample was just taken at this very time.
  if (!sampled_ || last_sample_ != net_.sim().now()) sample();
  finished_ = true;
  // The end of every idle run (held rows were written late), then each table in the
  // order of its key in the store: a port's (a queue pair's) rows together, in time.
  for (size_t i = 0; i < ports_.size(); ++i) {
    if (held_[i]) rec_.samples.push_back(pending_[i]);
    held_[i] = 0;
  }
  std::stable_sort(rec_.samples.begin(), rec_.samples.end(),
                   [](const PortSample& a, const PortSample& b) {
                     return a.port != b.port ? a.port < b.port : a.t < b.t;
                   });
  std::stable_sort(rec_.qp_samples.begin(), rec_.qp_samples.end(),
                   [](const QpSample& a, const QpSample& b) {
                     return a.flow != b.flow ? a.flow < b.flow : a.t < b.t;
                   });
  std::stable_sort(rec_.queue_samples.begin(), rec_.queue_samples.end(),
                   [](const QueueSample& a, const QueueSample& b) {
                     if (a.port != b.port) return a.port < b.port;
                     return a.priority != b.priority ? a.priority < b.priority : a.t < b.t;
                   });
  for (Port* p : ports_) {
    p->close_pause_episodes(net_.sim().now());
    p->set_observer(nullptr, 0);
  }
}

}  // namespace aifabric
