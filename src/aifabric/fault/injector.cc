#include "aifabric/fault/injector.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <limits>

#include "aifabric/topo/routing.h"

namespace aifabric {
namespace {

std::string rate_text(BitRate r) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%g Gb/s", static_cast<double>(r.bits_per_second()) / 1e9);
  return buf;
}

// A step's time: the latest of the times it completed (Time::max(): not yet).
void latest(Time& step, Time t) {
  step = step == Time::max() ? t : std::max(step, t);
}

}  // namespace

FaultInjector::FaultInjector(Network& net, FaultPlan plan, const RecoverySpec& recovery)
    : sim_(net.sim()), net_(net), plan_(std::move(plan)), rec_(recovery), view_(net.graph()) {
  const TopologyGraph& g = net.graph();
  for (const ScheduledFault& f : plan_.faults) {
    FaultRow r;
    r.at = f.at;
    r.kind = f.kind;
    r.element = f.element;
    rows_.push_back(r);
  }
  flows_of_fault_.resize(rows_.size());
  installed_.assign(g.nodes().size(), 0);
  known_down_.resize(g.nodes().size());
  acted_on_.resize(g.nodes().size());
  for (uint32_t n = 0; n < g.nodes().size(); ++n) {
    known_down_[n].assign(g.adjacent(n).size(), 0);
    if (Switch* s = net.switch_of(n)) s->set_notice_handler(this);
  }
  charged_fault_.assign(g.links().size(), -1);
  seen_packets_.assign(g.links().size(), {0, 0});
  seen_bytes_.assign(g.links().size(), {0, 0});
  seen_flows_.assign(g.links().size(), {0, 0});
  cp_started_.assign(plan_.changes.size(), 0);
  for (uint32_t i = 0; i < plan_.changes.size(); ++i) {
    sim_.schedule_at(plan_.changes[i].at, EventPriority::kTimer, this, kChange, i);
  }
}

void FaultInjector::handle_event(uint32_t kind, uint64_t arg) {
  switch (kind) {
    case kChange:
      apply(plan_.changes[arg]);
      return;
    case kDetect:
      detect(static_cast<uint32_t>(arg >> 1), static_cast<uint32_t>(arg & 1));
      return;
    case kNotice:
      process_notice(arrivals_[arg]);
      return;
    case kInstall:
      install(static_cast<uint32_t>(arg >> 32), static_cast<uint32_t>(arg & 0xffffffffU));
      return;
    case kReweight:
      reweight(static_cast<uint32_t>(arg));
      return;
    default:
      return;
  }
}

std::array<Port*, 2> FaultInjector::ports(uint32_t link) {
  const TopologyGraph& g = net_.graph();
  const TopoLink& k = g.links()[link];
  return {&net_.port(k.a, g.port_of(k.a, link)), &net_.port(k.b, g.port_of(k.b, link))};
}

void FaultInjector::settle_link(uint32_t link) {
  const auto ps = ports(link);
  const int64_t f = charged_fault_[link];
  for (size_t e = 0; e < 2; ++e) {
    const PortCounters& c = ps[e]->counters();
    const auto& flows = ps[e]->blackholed_flows();
    if (f >= 0) {
      FaultRow& r = rows_[static_cast<size_t>(f)];
      r.blackholed_packets += c.blackholed - seen_packets_[link][e];
      r.blackholed_bytes += c.blackholed_payload - seen_bytes_[link][e];
      auto& of = flows_of_fault_[static_cast<size_t>(f)];
      of.insert(of.end(), flows.begin() + static_cast<std::ptrdiff_t>(seen_flows_[link][e]),
                flows.end());
    }
    if (f >= 0 && c.blackholed > seen_packets_[link][e]) {
      latest(rows_[static_cast<size_t>(f)].blackhole_end, ps[e]->last_blackholed());
    }
    seen_packets_[link][e] = c.blackholed;
    seen_bytes_[link][e] = c.blackholed_payload;
    seen_flows_[link][e] = flows.size();
  }
}

void FaultInjector::apply(const LinkChange& c) {
  const TopologyGraph& g = net_.graph();
  const TopoLink& k = g.links()[c.link];
  const uint32_t index = static_cast<uint32_t>(&c - plan_.changes.data());
  FaultRow& row = rows_[c.fault];
  row.happened = true;
  const auto ps = ports(c.link);
  LinkEvent ev{sim_.now(), "", k.a, k.b, g.port_of(k.a, c.link), ""};
  switch (c.op) {
    case LinkChange::Op::kDown:
    case LinkChange::Op::kUp: {
      const bool up = c.op == LinkChange::Op::kUp;
      settle_link(c.link);
      // Frames lost on a down link count for the fault that took it down.
      if (!up) charged_fault_[c.link] = c.fault;
      for (Port* p : ps) p->set_up(up);
      ev.kind = up ? "link_up" : "link_down";
      for (uint32_t end = 0; end < 2; ++end) {
        sim_.schedule_in(rec_.detection_delay(), EventPriority::kTimer, this, kDetect,
                         (static_cast<uint64_t>(index) << 1) | end);
      }
      break;
    }
    case LinkChange::Op::kRate:
      for (Port* p : ps) p->set_rate(c.rate);
      view_.set_link_rate(c.link, c.rate);
      row.detected = std::min(row.detected, sim_.now());  // both ends see it at once
      ev.kind = "link_rate";
      ev.detail = rate_text(c.rate);
      if (rec_.controller_delay > Time::zero()) {
        sim_.schedule_in(rec_.controller_delay, EventPriority::kTimer, this, kReweight, c.fault);
      }
      break;
    case LinkChange::Op::kBer: {
      for (Port* p : ps) p->set_bit_error_rate(c.ber);
      char buf[48];
      std::snprintf(buf, sizeof buf, "ber %g", c.ber);
      ev.kind = "link_ber";
      ev.detail = buf;
      break;
    }
  }
  events_.push_back(std::move(ev));
}

void FaultInjector::detect(uint32_t change, uint32_t end) {
  const LinkChange& c = plan_.changes[change];
  const TopologyGraph& g = net_.graph();
  const TopoLink& k = g.links()[c.link];
  const bool down = c.op == LinkChange::Op::kDown;
  // A state that is over by the time it would be seen is never seen.
  if (ports(c.link)[0]->up() == down) return;
  const uint32_t node = end == 0 ? k.a : k.b;
  if (static_cast<int64_t>(node) == c.dead_switch) return;  // a switch that is off sees nothing
  FaultRow& row = rows_[c.fault];
  row.detected = std::min(row.detected, sim_.now());
  Switch* sw = net_.switch_of(node);
  const uint16_t port = g.port_of(node, c.link);
  net_.port(node, port).set_detected_down(down, sw != nullptr);
  if (sw == nullptr) return;  // a NIC has no routes: its leaf's detection counts
  known_down_[node][port] = down ? 1 : 0;
  if (down && rec_.mode != RepairMode::kControlPlane) {
    std::vector<uint32_t> alone = sw->table().remove_port(port);
    latest(row.local_repair, sim_.now());
    if (rec_.mode == RepairMode::kRemote && !alone.empty()) {
      send_notices(node, port, c.fault, node, port, std::move(alone));
    }
  }
  if (cp_started_[change] == 0) {
    cp_started_[change] = 1;
    view_.set_link_up(c.link, !down);
    start_control_plane(c.fault, node);
  }
}

void FaultInjector::start_control_plane(uint32_t fault, uint32_t detector) {
  const TopologyGraph& g = view_;
  // Hop distances from the detecting switch over the switches it can still reach.
  constexpr uint32_t kInf = std::numeric_limits<uint32_t>::max();
  std::vector<uint32_t> dist(g.nodes().size(), kInf);
  std::vector<uint32_t> frontier{detector}, next;
  dist[detector] = 0;
  while (!frontier.empty()) {
    next.clear();
    for (uint32_t u : frontier) {
      for (const Adjacent& a : g.adjacent(u)) {
        if (!g.links()[a.link].up || g.nodes()[a.peer].kind != NodeKind::kSwitch) continue;
        if (dist[a.peer] == kInf) {
          dist[a.peer] = dist[u] + 1;
          next.push_back(a.peer);
        }
      }
    }
    frontier.swap(next);
  }
  Generation gen{compute_shortest_paths(g), fault, 0};
  Time last;
  const auto id = static_cast<uint32_t>(generations_.size() + 1);
  for (uint32_t n = 0; n < g.nodes().size(); ++n) {
    if (dist[n] == kInf || g.nodes()[n].kind != NodeKind::kSwitch) continue;
    const Time at = rec_.cp_propagation * static_cast<int64_t>(dist[n]) + rec_.cp_computation +
                    rec_.cp_fib_update;
    sim_.schedule_in(at, EventPriority::kTimer, this, kInstall,
                     (static_cast<uint64_t>(id) << 32) | n);
    ++gen.pending;
    last = std::max(last, sim_.now() + at);
  }
  // Converged when its last switch has installed (known now: it is on the clock even if
  // the traffic ends first).
  if (gen.pending > 0) {
    FaultRow& row = rows_[fault];
    latest(row.control_plane_done, last);
  }
  generations_.push_back(std::move(gen));
}

void FaultInjector::install(uint32_t generation, uint32_t node) {
  Generation& gen = generations_[generation - 1];
  if (installed_[node] < generation) {
    Switch* sw = net_.switch_of(node);
    sw->table() = gen.tables[node];
    installed_[node] = generation;
    ++route_installs_;
    // The forwarding chip keeps a port it has seen die out of its groups, whatever the
    // new routes say, until it sees the port come back.
    if (rec_.mode != RepairMode::kControlPlane) {
      for (size_t p = 0; p < known_down_[node].size(); ++p) {
        if (known_down_[node][p] != 0) sw->table().remove_port(static_cast<uint16_t>(p));
      }
      // ... and the notices it acted on whose dead port is still dead.
      for (uint32_t i : acted_on_[node]) {
        const Arrival& a = arrivals_[i];
        const Notice& n = notices_[a.notice];
        if (known_down_[n.origin][n.origin_port] != 0) {
          sw->table().remove_port_for(a.port, n.attachments);
        }
      }
    }
  }
  if (--gen.pending == 0) {
    gen.tables.clear();
    gen.tables.shrink_to_fit();
  }
}

void FaultInjector::send_notices(uint32_t node, uint16_t except, uint32_t fault, uint32_t origin,
                                 uint16_t origin_port, std::vector<uint32_t> attachments) {
  const TopologyGraph& g = net_.graph();
  Switch* sw = net_.switch_of(node);
  const auto id = static_cast<uint32_t>(notices_.size());
  notices_.push_back(Notice{fault, origin, origin_port, std::move(attachments)});
  const auto& adj = g.adjacent(node);
  for (size_t p = 0; p < adj.size(); ++p) {
    if (p == except || known_down_[node][p] != 0) continue;
    if (g.nodes()[adj[p].peer].kind != NodeKind::kSwitch) continue;
    sw->send_notice(static_cast<uint16_t>(p), id);
    ++rows_[fault].notices;
  }
}

void FaultInjector::on_notice(Switch& at, uint16_t in_port, uint64_t notice) {
  const auto i = static_cast<uint32_t>(arrivals_.size());
  arrivals_.push_back(Arrival{at.id(), in_port, static_cast<uint32_t>(notice)});
  sim_.schedule_in(rec_.notice_processing, EventPriority::kTimer, this, kNotice, i);
}

void FaultInjector::process_notice(const Arrival& a) {
  const Notice& n = notices_[a.notice];
  const uint32_t fault = n.fault;
  Switch* sw = net_.switch_of(a.node);
  std::vector<uint32_t> alone = sw->table().remove_port_for(a.port, n.attachments);
  FaultRow& row = rows_[fault];
  latest(row.notices_done, sim_.now());
  acted_on_[a.node].push_back(static_cast<uint32_t>(&a - arrivals_.data()));
  if (!alone.empty())
    send_notices(a.node, a.port, fault, n.origin, n.origin_port, std::move(alone));
}

std::vector<std::vector<uint64_t>> FaultInjector::path_weights(const TopologyGraph& g,
                                                               const Network& net) {
  const size_t n = g.nodes().size();
  std::vector<std::vector<uint64_t>> w(n);
  // The attachments (switches hosts hang off) as every table numbers them.
  const ForwardingTable* any = nullptr;
  for (uint32_t u = 0; u < n && any == nullptr; ++u) {
    if (const Switch* s = net.switch_of(u); s != nullptr && s->table().hosts() > 0) {
      any = &s->table();
    }
  }
  if (any == nullptr) return w;
  const uint32_t attachments = any->attachments();
  std::vector<uint32_t> node_of(attachments, ForwardingTable::kNone);
  for (uint32_t h = 0; h < g.hosts().size(); ++h) {
    const uint32_t a = any->attachment_of(h);
    if (a != ForwardingTable::kNone && !g.adjacent(g.hosts()[h]).empty()) {
      node_of[a] = g.adjacent(g.hosts()[h])[0].peer;
    }
  }
  for (uint32_t u = 0; u < n; ++u) {
    if (g.nodes()[u].kind == NodeKind::kSwitch) {
      w[u].assign(static_cast<size_t>(attachments) * g.adjacent(u).size(), 0);
    }
  }
  constexpr uint32_t kInf = std::numeric_limits<uint32_t>::max();
  constexpr uint64_t kUnbounded = std::numeric_limits<uint64_t>::max() / 4;
  std::vector<uint32_t> dist(n);
  std::vector<uint64_t> cap(n);
  std::vector<uint32_t> order, next;
  for (uint32_t a = 0; a < attachments; ++a) {
    if (node_of[a] == ForwardingTable::kNone) continue;
    std::fill(dist.begin(), dist.end(), kInf);
    order.assign(1, node_of[a]);
    dist[node_of[a]] = 0;
    for (size_t i = 0; i < order.size(); ++i) {  // breadth first: `order` by distance
      const uint32_t u = order[i];
      for (const Adjacent& adj : g.adjacent(u)) {
        if (!g.links()[adj.link].up || g.nodes()[adj.peer].kind != NodeKind::kSwitch) continue;
        if (dist[adj.peer] == kInf) {
          dist[adj.peer] = dist[u] + 1;
          order.push_back(adj.peer);
        }
      }
    }
    cap[node_of[a]] = kUnbounded;
    for (size_t i = 1; i < order.size(); ++i) {
      const uint32_t u = order[i];
      const auto& adj = g.adjacent(u);
      uint64_t sum = 0;
      for (size_t p = 0; p < adj.size(); ++p) {
        const uint32_t v = adj[p].peer;
        if (!g.links()[adj[p].link].up || g.nodes()[v].kind != NodeKind::kSwitch) continue;
        if (dist[v] == kInf || dist[v] + 1 != dist[u]) continue;
        const auto rate =
            static_cast<uint64_t>(g.links()[adj[p].link].params.rate.bits_per_second());
        const uint64_t through = std::min(rate, cap[v]);
        w[u][static_cast<size_t>(a) * adj.size() + p] = through;
        sum += through;
      }
      cap[u] = sum;
    }
  }
  return w;
}

void FaultInjector::reweight(uint32_t fault) {
  auto w = path_weights(view_, net_);
  for (uint32_t u = 0; u < w.size(); ++u) {
    if (Switch* s = net_.switch_of(u)) s->set_path_weights(std::move(w[u]));
  }
  FaultRow& row = rows_[fault];
  latest(row.reweighted, sim_.now());
}

FaultRecord FaultInjector::finish() {
  for (uint32_t l = 0; l < net_.graph().links().size(); ++l) settle_link(l);
  FaultRecord r;
  r.mode = std::string(kRepairModeNames[static_cast<int>(rec_.mode)]);
  r.detection = std::string(kDetectionNames[static_cast<int>(rec_.detection)]);
  r.events = events_;
  r.route_installs = route_installs_;
  for (size_t f = 0; f < rows_.size(); ++f) {
    FaultRow row = rows_[f];
    auto rel = [&row](Time& t) {
      if (t != Time::max()) t = t - row.at;
    };
    rel(row.detected);
    rel(row.local_repair);
    rel(row.notices_done);
    rel(row.control_plane_done);
    rel(row.reweighted);
    rel(row.blackhole_end);
    std::vector<uint32_t> flows = flows_of_fault_[f];
    std::sort(flows.begin(), flows.end());
    flows.erase(std::unique(flows.begin(), flows.end()), flows.end());
    row.flows_affected = static_cast<uint32_t>(flows.size());
    for (uint32_t fl : flows) {
      const FlowOutcome o = net_.outcome(fl);
      if (o.sender != nullptr && o.sender->state() == SenderQp::State::kFailed) ++row.flows_failed;
    }
    r.blackholed_packets += row.blackholed_packets;
    r.notices += row.notices;
    r.rows.push_back(std::move(row));
  }
  return r;
}

}  // namespace aifabric
