#include "aifabric/engine/flow/flow_engine.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <utility>

#include "aifabric/fabric/records.h"
#include "aifabric/transport/ideal_fct.h"

namespace aifabric {
namespace {

// kStart: a listed flow's start time (arg = its index); kDrained: a flow's last byte
// left (arg = solver id | generation << 32; stale once the generation moved);
// kDelivered: its latency later, it completed (arg = owner); kFailed: it has no route
// (arg = owner); kSolve: the batched re-solve of this timestamp.
enum Kind : uint32_t { kStart = 1, kDrained = 2, kDelivered = 3, kFailed = 4, kSolve = 5 };

}  // namespace

FlowEngine::FlowEngine(EngineContext& ctx) : FlowEngine(ctx.sim, ctx.net, &ctx.listener) {
  if (!net_.ports_per_connection()) {
    net_.set_ports_per_connection(true);
    restore_ports_ = true;
  }
}

FlowEngine::FlowEngine(Simulator& sim, Network& net) : FlowEngine(sim, net, nullptr) {}

FlowEngine::FlowEngine(Simulator& sim, Network& net, TransferListener* listener)
    : sim_(sim), net_(net), listener_(listener) {
  const TopologyGraph& g = net_.graph();
  const FabricConfig& cfg = net_.config();
  mtu_ = static_cast<double>(cfg.transport.mtu.count());
  // Payload share of a link: each data frame's headers and one ACK per packet (of the
  // flows coming the other way), as the analytic engine's goodput counts them.
  const double efficiency = mtu_ / (mtu_ + kRoceHeaderBytes + kL1OverheadBytes + kAckWireBytes);
  port_base_.resize(g.nodes().size());
  for (uint32_t id = 0; id < g.nodes().size(); ++id) {
    port_base_[id] = static_cast<uint32_t>(solver_.link_count());
    for (size_t i = 0; i < g.adjacent(id).size(); ++i) {
      const BitRate rate = net_.port(id, i).link().rate;
      solver_.add_link(static_cast<double>(rate.bits_per_second()) * efficiency / 8e12);
    }
  }
  link_bytes_.assign(solver_.link_count(), 0);
  link_packets_.assign(solver_.link_count(), 0);
  weight_of_prio_.assign(kNumPriorities, 1);
  if (cfg.switch_config.scheduler == Scheduler::kDwrr) {
    for (size_t p = 0; p < kNumPriorities && p < cfg.switch_config.weights.size(); ++p) {
      weight_of_prio_[p] = static_cast<double>(cfg.switch_config.weights[p]);
    }
  }
}

FlowEngine::~FlowEngine() {
  if (restore_ports_) net_.set_ports_per_connection(false);
}

Status FlowEngine::start(std::span<const Transfer> transfers) {
  const size_t hosts = net_.graph().hosts().size();
  for (const Transfer& t : transfers) {
    if (t.src >= hosts || t.dst >= hosts || t.src == t.dst) {
      return Status::error("transfer " + std::to_string(t.id) + ": hosts " + std::to_string(t.src) +
                           " -> " + std::to_string(t.dst) + " are not two hosts of the topology");
    }
  }
  for (const Transfer& t : transfers) {
    FlowSpec f;
    f.src = t.src;
    f.dst = t.dst;
    f.size = t.bytes;
    f.priority = t.priority;
    f.start = sim_.now();
    if (listener_ != nullptr) listener_->transfer_started(t.id);
    if (!begin(f, t.id))
      sim_.schedule_at(sim_.now(), EventPriority::kApplication, this, kFailed, t.id);
  }
  return Status::ok();
}

Status FlowEngine::add_flows(std::vector<FlowSpec> flows) {
  const size_t hosts = net_.graph().hosts().size();
  for (size_t i = 0; i < flows.size(); ++i) {
    const FlowSpec& f = flows[i];
    const std::string where = "flow " + std::to_string(i);
    if (f.src >= hosts || f.dst >= hosts) {
      return Status::error(where + ": host " + std::to_string(std::max(f.src, f.dst)) +
                           " does not exist (the topology has " + std::to_string(hosts) +
                           " hosts)");
    }
    if (f.src == f.dst) return Status::error(where + ": source and destination are the same host");
    if (f.size <= 0) return Status::error(where + ": size must be positive");
    if (f.priority > 7) return Status::error(where + ": priority must be 0..7");
  }
  const auto base = static_cast<uint32_t>(list_.size());
  for (size_t i = 0; i < flows.size(); ++i) {
    ListFlow lf;
    lf.spec = flows[i];
    lf.spec.id = base + static_cast<uint32_t>(i);
    lf.spec.sport = net_.source_port(lf.spec);
    sim_.schedule_at(lf.spec.start, EventPriority::kApplication, this, kStart, lf.spec.id);
    sim_.hold();
    list_.push_back(lf);
  }
  return Status::ok();
}

bool FlowEngine::begin(const FlowSpec& spec, uint32_t owner) {
  const TopologyGraph& g = net_.graph();
  Packet p;
  p.src = spec.src;
  p.dst = spec.dst;
  p.sport = net_.source_port(spec);
  p.dport = spec.dport;
  p.priority = spec.priority;
  p.entropy = flow_entropy(spec.src, spec.dst, p.sport, spec.dport);
  const uint32_t target = g.hosts()[spec.dst];
  const bool split = net_.config().lb_of(spec.priority).reorders;
  uses_.clear();
  // The path the packets take (with a split flow: the first equal-cost port at every
  // hop), for the latency.
  std::vector<LinkParams> path;
  uint32_t node = g.hosts()[spec.src];
  uses_.push_back({link_of(node, 0), 1});
  path.push_back(net_.port(node, 0).link());
  node = g.adjacent(node)[0].peer;
  const size_t max_hops = g.nodes().size();
  if (!split) {
    while (node != target) {
      Switch* s = net_.switch_of(node);
      if (s == nullptr || path.size() > max_hops) return false;
      const auto hops = s->table().next_hops(spec.dst);
      if (hops.empty()) return false;
      const uint16_t port = s->choose_port(p, hops);
      uses_.push_back({link_of(node, port), 1});
      path.push_back(net_.port(node, port).link());
      node = g.adjacent(node)[port].peer;
    }
  } else {
    // Even split at every hop: the mass at each node one hop nearer the destination.
    std::vector<std::pair<uint32_t, double>> frontier{{node, 1.0}}, next;
    for (uint32_t n = node; n != target;) {
      const Switch* s = net_.switch_of(n);
      if (s == nullptr || path.size() > max_hops) return false;
      const auto hops = s->table().next_hops(spec.dst);
      if (hops.empty()) return false;
      path.push_back(net_.port(n, hops[0]).link());
      n = g.adjacent(n)[hops[0]].peer;
    }
    for (size_t depth = 0; !frontier.empty(); ++depth) {
      if (depth > max_hops) return false;
      next.clear();
      for (const auto& [at, mass] : frontier) {
        if (at == target) continue;
        const Switch* s = net_.switch_of(at);
        if (s == nullptr) return false;
        const auto hops = s->table().next_hops(spec.dst);
        if (hops.empty()) return false;
        const double each = mass / static_cast<double>(hops.size());
        for (uint16_t port : hops) {
          uses_.push_back({link_of(at, port), each});
          next.emplace_back(g.adjacent(at)[port].peer, each);
        }
      }
      std::sort(next.begin(), next.end());
      frontier.clear();
      for (const auto& e : next) {
        if (!frontier.empty() && frontier.back().first == e.first) {
          frontier.back().second += e.second;
        } else {
          frontier.push_back(e);
        }
      }
    }
  }
  const Time latency = path_latency(path, spec.size, net_.config().transport.mtu.count());
  const uint32_t id = solver_.add_flow(uses_, weight_of_prio_[spec.priority]);
  if (id >= active_.size()) active_.resize(id + 1);
  Active& a = active_[id];
  a.owner = owner;
  a.bytes = static_cast<double>(std::max<int64_t>(spec.size, 0));
  a.remaining = a.bytes;
  a.rate = 0;
  a.since = sim_.now();
  a.latency = latency;
  ++a.generation;
  if (listener_ == nullptr) list_[owner].slot = id;
  request_solve();
  return true;
}

void FlowEngine::request_solve() {
  if (solve_pending_) return;
  solve_pending_ = true;
  sim_.schedule_at(sim_.now(), EventPriority::kApplication, this, kSolve, 0);
}

void FlowEngine::solve() {
  solve_pending_ = false;
  const Time now = sim_.now();
  for (uint32_t id : solver_.solve()) {
    Active& a = active_[id];
    a.remaining = std::max(0.0, a.remaining - a.rate * static_cast<double>((now - a.since).ps()));
    a.since = now;
    a.rate = solver_.rate(id);
    ++a.generation;
    if (a.rate <= 0) continue;  // waits for capacity (a zero-rate link)
    const double ps = std::ceil(a.remaining / a.rate);
    const Time drain = now + Time::ps(static_cast<int64_t>(std::min(ps, 4e18)));
    sim_.schedule_at(drain, EventPriority::kTimer, this, kDrained,
                     id | (static_cast<uint64_t>(a.generation) << 32));
  }
}

void FlowEngine::account(uint32_t flow, double bytes) {
  for (const MaxMinSolver::Use& u : solver_.uses(flow)) {
    link_bytes_[u.link] += bytes * u.share;
    link_packets_[u.link] += std::ceil(bytes / mtu_) * u.share;
  }
}

void FlowEngine::finish(uint32_t owner, bool completed) {
  if (listener_ != nullptr) {
    listener_->transfer_done(owner, completed);
    return;
  }
  ListFlow& f = list_[owner];
  f.slot = kNoSlot;
  if (completed) {
    f.done = sim_.now();
  } else {
    f.failed = true;
  }
  sim_.release();
}

void FlowEngine::handle_event(uint32_t kind, uint64_t arg) {
  switch (kind) {
    case kStart: {
      ListFlow& f = list_[static_cast<uint32_t>(arg)];
      f.started = true;
      if (!begin(f.spec, f.spec.id)) finish(f.spec.id, false);
      return;
    }
    case kSolve:
      solve();
      return;
    case kDrained: {
      const auto id = static_cast<uint32_t>(arg);
      Active& a = active_[id];
      if (static_cast<uint32_t>(arg >> 32) != a.generation) return;  // re-timed since
      account(id, a.bytes);
      solver_.remove_flow(id);
      ++a.generation;
      request_solve();
      sim_.schedule_at(sim_.now() + a.latency, EventPriority::kTimer, this, kDelivered, a.owner);
      return;
    }
    case kDelivered:
      finish(static_cast<uint32_t>(arg), true);
      return;
    case kFailed:
      finish(static_cast<uint32_t>(arg), false);
      return;
    default:
      return;
  }
}

void FlowEngine::record(FabricRecord& r, Time end) const {
  // Bytes of flows still draining at `end` count as far as they got.
  std::vector<double> bytes = link_bytes_;
  std::vector<double> packets = link_packets_;
  std::vector<double> sent_of_slot(active_.size(), -1);
  for (uint32_t id = 0; id < active_.size(); ++id) {
    const auto uses = solver_.uses(id);
    if (uses.empty()) continue;
    const Active& a = active_[id];
    const double left =
        std::max(0.0, a.remaining - a.rate * static_cast<double>((end - a.since).ps()));
    const double sent = a.bytes - left;
    sent_of_slot[id] = sent;
    for (const MaxMinSolver::Use& u : uses) {
      bytes[u.link] += sent * u.share;
      packets[u.link] += std::ceil(sent / mtu_) * u.share;
    }
  }
  Time last;
  bool all_done = true;
  for (const ListFlow& f : list_) {
    FlowRow row;
    row.spec = f.spec;
    row.ideal = net_.ideal_fct(f.spec);
    if (f.done != Time::max()) {
      row.status = FlowRow::Status::kDone;
      row.fct = f.done - f.spec.start;
      row.slowdown = row.fct.to_seconds() / row.ideal.to_seconds();
      row.received_bytes = f.spec.size;
      row.payload_sent = f.spec.size;
      last = std::max(last, f.done);
    } else {
      all_done = false;
      row.status = f.failed    ? FlowRow::Status::kFailed
                   : f.started ? FlowRow::Status::kUnfinished
                               : FlowRow::Status::kNotStarted;
      if (f.slot != kNoSlot && sent_of_slot[f.slot] >= 0) {
        row.payload_sent = static_cast<int64_t>(sent_of_slot[f.slot]);
      }
    }
    r.payload_sent += row.payload_sent;
    r.payload_received += row.received_bytes;
    r.flows.push_back(row);
  }
  if (listener_ == nullptr) {
    r.makespan = all_done ? last : end;
    r.stopped_early = !all_done;
    r.payload_in_network = r.payload_sent - r.payload_received;
  } else {
    r.makespan = end;
  }
  const TopologyGraph& g = net_.graph();
  r.ports.clear();
  for (uint32_t id = 0; id < g.nodes().size(); ++id) {
    const auto& adj = g.adjacent(id);
    for (size_t i = 0; i < adj.size(); ++i) {
      const uint32_t l = link_of(id, i);
      // The ACKs of the data coming the other way leave on this port.
      uint32_t back = l;
      const auto& peer_adj = g.adjacent(adj[i].peer);
      for (size_t j = 0; j < peer_adj.size(); ++j) {
        if (peer_adj[j].link == adj[i].link) back = link_of(adj[i].peer, j);
      }
      PortRow row = port_row(net_, id, i);
      const auto data = static_cast<int64_t>(std::llround(packets[l]));
      const auto acks = static_cast<int64_t>(std::llround(packets[back]));
      row.counters.tx_payload_bytes = static_cast<int64_t>(std::llround(bytes[l]));
      row.counters.tx_data_packets = data;
      row.counters.tx_packets = data + acks;
      row.counters.tx_bytes = row.counters.tx_payload_bytes +
                              data * (kRoceHeaderBytes + kL1OverheadBytes) + acks * kAckWireBytes;
      row.utilization = port_utilization(row, r.makespan);
      r.ports.push_back(row);
    }
  }
}

}  // namespace aifabric
