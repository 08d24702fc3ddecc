#include "aifabric/fabric/network.h"

#include <algorithm>

#include "aifabric/topo/routing.h"
#include "aifabric/transport/ideal_fct.h"

namespace aifabric {

Network::Network(Simulator& sim, const TopologyGraph& graph, FabricConfig cfg)
    : sim_(sim), graph_(graph), cfg_(std::move(cfg)) {
  nic_.transport = &cfg_.transport;
  nic_.cc = &cfg_.cc.selected();
  nic_.cc_params = &cfg_.cc.params();
  nic_.keep_queue_pairs = cfg_.keep_queue_pairs;
  if (nic_.cc->cnp_interval != nullptr) {
    nic_.cnp_interval = nic_.cc->cnp_interval(*nic_.cc_params);
    nic_.send_cnp = nic_.cnp_interval != Time::max();
  }
  const auto& nodes = graph.nodes();
  device_of_node_.assign(nodes.size(), -1);
  for (uint32_t id = 0; id < nodes.size(); ++id) {
    const TopoNode& n = nodes[id];
    if (n.kind == NodeKind::kHost) {
      device_of_node_[id] = static_cast<int64_t>(hosts_.size());
      hosts_.push_back(std::make_unique<Host>(sim, pool_, static_cast<uint32_t>(hosts_.size()),
                                              n.ext_id, n.name, nic_, this));
      hosts_.back()->set_home(id);
    } else {
      device_of_node_[id] = static_cast<int64_t>(switches_.size());
      switches_.push_back(std::make_unique<Switch>(
          sim, pool_, id, n.name, cfg_.switch_config,
          cfg_.lb.selected().make(cfg_.lb.params(), lb_seed(id, kNoClass)),
          cfg_.transport.mtu.count() + kRoceHeaderBytes + kL1OverheadBytes));
      switches_.back()->set_home(id);
      // A traffic class with a scheme of its own gets its own balancer, seeded apart
      // (lb_seed), so the controllers that predict a class's hash predict this one.
      for (uint8_t prio = 0; prio < kNumPriorities; ++prio) {
        if (!cfg_.class_lb[prio]) continue;
        const Choice<LbAlgorithm>& c = *cfg_.class_lb[prio];
        switches_.back()->set_class_balancer(prio,
                                             c.selected().make(c.params(), lb_seed(id, prio)));
      }
      if (nic_.cc->needs_int) switches_.back()->enable_int();
    }
  }
  // Ports in link order, so that a node's port i is its i-th adjacent link.
  auto add_port = [&](uint32_t node, const LinkParams& l) -> Port& {
    const int64_t d = device_of_node_[node];
    return nodes[node].kind == NodeKind::kHost ? hosts_[d]->add_port(l) : switches_[d]->add_port(l);
  };
  auto node_of = [&](uint32_t node) -> Node* {
    const int64_t d = device_of_node_[node];
    return nodes[node].kind == NodeKind::kHost ? static_cast<Node*>(hosts_[d].get())
                                               : static_cast<Node*>(switches_[d].get());
  };
  std::vector<uint16_t> next_port(nodes.size(), 0);
  const SwitchConfig& sw = cfg_.switch_config;
  const int64_t max_frame = cfg_.transport.mtu.count() + kRoceHeaderBytes + kL1OverheadBytes;
  for (const TopoLink& l : graph.links()) {
    Port& pa = add_port(l.a, l.params);
    Port& pb = add_port(l.b, l.params);
    if (sw.cbfc.enabled) {
      // Both ends of a link grant each other the same credits: NICs and switches read
      // one CBFC config.
      CreditLink c;
      for (int64_t prio : sw.cbfc.priorities) c.lanes |= static_cast<uint8_t>(1U << prio);
      c.block = sw.cbfc.block.count();
      c.credits = SharedBuffer::credits_for(sw, l.params, max_frame) / c.block;
      c.update = (SharedBuffer::credit_update_bytes(sw, max_frame) + c.block - 1) / c.block;
      c.interval = sw.cbfc.interval;
      pa.enable_credits(c);
      pb.enable_credits(c);
    }
    pa.connect(node_of(l.b), next_port[l.b], &pb);
    pb.connect(node_of(l.a), next_port[l.a], &pa);
    ++next_port[l.a];
    ++next_port[l.b];
  }
  auto tables = compute_shortest_paths(graph);
  for (uint32_t id = 0; id < nodes.size(); ++id) {
    if (nodes[id].kind == NodeKind::kSwitch) {
      Switch& s = *switches_[device_of_node_[id]];
      s.table() = std::move(tables[id]);
      s.finalize();
      if (nic_.cc->make_port_feedback != nullptr) s.enable_port_feedback(*nic_.cc, *nic_.cc_params);
    }
  }
}

uint64_t Network::lb_seed(uint32_t node, uint8_t prio) const {
  if (prio == kNoClass || !cfg_.class_lb[prio]) {
    return sim_.derive_seed(graph_.nodes()[node].name + "/lb");
  }
  return sim_.derive_seed(graph_.nodes()[node].name + "/lb/" + std::to_string(prio));
}

Port& Network::port(uint32_t node, size_t i) {
  const int64_t d = device_of_node_[node];
  return graph_.nodes()[node].kind == NodeKind::kHost ? hosts_[d]->port() : switches_[d]->port(i);
}

const Port& Network::port(uint32_t node, size_t i) const {
  return const_cast<Network*>(this)->port(node, i);
}

const Switch* Network::switch_of(uint32_t node) const {
  return const_cast<Network*>(this)->switch_of(node);
}

Switch* Network::switch_of(uint32_t node) {
  if (graph_.nodes()[node].kind == NodeKind::kHost) return nullptr;
  return switches_[device_of_node_[node]].get();
}

Status Network::add_flows(std::vector<FlowSpec> flows) {
  const auto base = static_cast<uint32_t>(flows_.size());
  for (size_t i = 0; i < flows.size(); ++i) {
    FlowSpec& f = flows[i];
    const std::string where = "flow " + std::to_string(i);
    if (f.src >= hosts_.size() || f.dst >= hosts_.size()) {
      return Status::error(where + ": host " + std::to_string(std::max(f.src, f.dst)) +
                           " does not exist (the topology has " + std::to_string(hosts_.size()) +
                           " hosts)");
    }
    if (f.src == f.dst) return Status::error(where + ": source and destination are the same host");
    if (f.size <= 0) return Status::error(where + ": size must be positive");
    if (f.priority > 7) return Status::error(where + ": priority must be 0..7");
    f.id = base + static_cast<uint32_t>(i);
    f.sport = source_port(f);
  }
  for (auto& f : flows) {
    std::unique_ptr<PathChooser> paths;
    if (path_selection_) paths = make_path_chooser(path_selection_(f), f);
    nic_index_.push_back(hosts_[f.src]->add_flow(f, std::move(paths)));
    flows_.push_back(f);
  }
  return Status::ok();
}

uint16_t Network::source_port(const FlowSpec& f) const {
  if (f.sport != 0) return f.sport;
  if (!planned_ports_.empty()) {
    const auto it = planned_ports_.find(host_pair(f.src, f.dst));
    if (it != planned_ports_.end()) return it->second;
  }
  // RoCEv2 NICs pick the UDP source port per QP; draw it from the ephemeral range.
  const std::string key = ports_per_connection_
                              ? "conn/" + std::to_string(f.src) + ">" + std::to_string(f.dst)
                              : "sport/" + std::to_string(f.id);
  return static_cast<uint16_t>(49152 + sim_.derive_seed(key) % 16384);
}

void Network::flow_finished(const SenderQp& qp) {
  // The receiver may go too once every data packet sent has reached it.
  hosts_[qp.flow().dst]->sender_ended(qp.flow().id, qp.stats().packets_sent);
  if (observer_ != nullptr) {
    observer_->flow_done(qp.flow().id, qp.state() == SenderQp::State::kDone);
  }
}

size_t Network::flows_finished() const {
  size_t n = 0;
  for (const auto& h : hosts_) n += h->flows_finished();
  return n;
}

void Network::run(Time stop_at) {
  sim_.run_until_idle(stop_at);
}

FlowOutcome Network::outcome(uint32_t flow) const {
  FlowOutcome o;
  o.spec = &flows_[flow];
  const Host& src = *hosts_[flows_[flow].src];
  o.sender = src.result_of(nic_index_[flow]);
  o.qp = src.sender_of(nic_index_[flow]);
  if (o.sender == nullptr) return o;
  o.receiver = hosts_[flows_[flow].dst]->receiver_result_of(flow);
  if (o.receiver == nullptr) o.receiver = &no_receiver_;
  return o;
}

Time Network::ideal_fct(const FlowSpec& f) const {
  // The path along the first shortest-path port at each switch.
  std::vector<LinkParams> path;
  uint32_t node = graph_.hosts()[f.src];
  const uint32_t target = graph_.hosts()[f.dst];
  path.push_back(graph_.links()[graph_.adjacent(node)[0].link].params);
  node = graph_.adjacent(node)[0].peer;
  while (node != target) {
    const Switch& s = *switches_[device_of_node_[node]];
    const auto hops = s.table().next_hops(f.dst);
    if (hops.empty()) return Time::max();
    const Adjacent& a = graph_.adjacent(node)[hops[0]];
    path.push_back(graph_.links()[a.link].params);
    node = a.peer;
  }
  return aifabric::ideal_fct(path, f.size, cfg_.transport.mtu.count());
}

int64_t Network::payload_in_network() const {
  int64_t sum = 0;
  for (const auto& s : switches_) {
    sum += s->queued_payload();
    for (size_t i = 0; i < s->port_count(); ++i) sum += s->port(i).in_flight_payload();
  }
  for (const auto& h : hosts_) sum += h->port().in_flight_payload();
  return sum;
}

}  // namespace aifabric
