// Helpers for engine tests: a fabric built in code from a topology graph and configs,
// plus the byte-conservation check every end-to-end test applies.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "aifabric/core/simulator.h"
#include "aifabric/fabric/network.h"
#include "aifabric/fabric/records.h"
#include "aifabric/fabric/switch/switch_config.h"
#include "aifabric/lb/load_balancer.h"
#include "aifabric/topo/builders/leaf_spine/leaf_spine.h"
#include "aifabric/topo/graph.h"
#include "aifabric/transport/cc/congestion_control.h"
#include "aifabric/transport/transport_config.h"
#include "tests/fingerprint.h"

namespace aifabric::testing {

struct TestFabric {
  TestFabric() = default;
  TestFabric(const TestFabric&) = delete;
  TestFabric& operator=(const TestFabric&) = delete;
  // A fabric that ran leaves its fingerprint (tests/fingerprint.h).
  ~TestFabric() {
    if (!sim || !net || sim->events_processed() == 0) return;
    Fingerprint fp(sim->events_processed());
    for (uint32_t i = 0; i < net->flows().size(); ++i) {
      const FlowOutcome o = net->outcome(i);
      if (o.sender == nullptr) {
        fp.add_flow(-1, 0);
      } else {
        fp.add_flow(static_cast<int>(o.sender->state()), o.sender->finish_time().ps());
      }
    }
    expect_fingerprint(fp);
  }

  SwitchConfig sw;
  TransportConfig transport;
  std::string cc_name = "none";
  bool keep_queue_pairs = false;  // FabricConfig::keep_queue_pairs
  TopologyGraph graph;
  std::unique_ptr<Simulator> sim;
  std::unique_ptr<Network> net;

  // Builds the network; call after adjusting the configs.
  Network& build(uint64_t seed = 1) {
    FabricConfig f;
    f.switch_config = sw;
    f.transport = transport;
    f.cc.select(cc_name);
    f.lb.select("ecmp");
    f.keep_queue_pairs = keep_queue_pairs;
    sim = std::make_unique<Simulator>(seed);
    net = std::make_unique<Network>(*sim, graph, std::move(f));
    return *net;
  }
};

// One leaf and one spine with `hosts` hosts on the leaf (the builder's 400 Gb/s, 1 us
// links unless the caller changes them before building the graph).
inline LeafSpineConfig one_leaf(int64_t hosts) {
  LeafSpineConfig ls;
  ls.leaves = 1;
  ls.spines = 1;
  ls.hosts_per_leaf = hosts;
  return ls;
}

// Hosts first .. first + n - 1 each send `size` bytes to `dst` from t = 0, in order.
inline std::vector<FlowSpec> incast(uint32_t first, uint32_t n, uint32_t dst, int64_t size) {
  std::vector<FlowSpec> flows;
  for (uint32_t s = first; s < first + n; ++s) {
    FlowSpec f;
    f.src = s;
    f.dst = dst;
    f.size = size;
    flows.push_back(f);
  }
  return flows;
}

// Calls `f` with the counters of every port of the network, hosts' and switches'.
template <class F>
void for_each_port(const Network& net, F&& f) {
  for (const auto& h : net.hosts()) f(h->port().counters());
  for (const auto& s : net.switches()) {
    for (size_t i = 0; i < s->port_count(); ++i) f(s->port(i).counters());
  }
}

// Every flow completed, and its receiver accepted exactly its bytes.
inline void expect_all_delivered(const Network& net) {
  for (uint32_t i = 0; i < net.flows().size(); ++i) {
    const FlowOutcome o = net.outcome(i);
    ASSERT_NE(o.sender, nullptr);
    EXPECT_EQ(o.sender->state(), SenderQp::State::kDone) << "flow " << i;
    EXPECT_EQ(o.receiver->stats().accepted_bytes, o.spec->size) << "flow " << i;
  }
}

// Payload conservation: every payload byte a sender put on the wire was accepted or
// discarded by a receiver, dropped in a switch or on a link, or is still in the fabric.
inline void expect_conservation(const Network& net) {
  int64_t sent = 0, received = 0, dropped = 0;
  for (const auto& h : net.hosts()) {
    h->for_each_sender([&sent](const SenderResult& s) { sent += s.stats().payload_sent; });
    h->for_each_receiver([&received](const ReceiverResult& r) {
      received += r.stats().accepted_bytes + r.stats().discarded_bytes;
    });
  }
  for_each_port(net, [&dropped](const PortCounters& pc) {
    dropped += pc.drop_payload + pc.link_drop_payload;
  });
  EXPECT_EQ(sent, received + dropped + net.payload_in_network())
      << "sent=" << sent << " received=" << received << " dropped=" << dropped;
}

// Jain's fairness index of `x`: (sum x)^2 / (n sum x^2); 1 = equal shares.
inline double jain(const std::vector<double>& x) {
  double sum = 0, sq = 0;
  for (double v : x) {
    sum += v;
    sq += v * v;
  }
  return sq > 0 ? sum * sum / (static_cast<double>(x.size()) * sq) : 0;
}

// Payload bytes flow `flow`'s receiver has accepted so far (0 before it exists).
inline int64_t accepted(const Network& net, uint32_t flow) {
  const FlowOutcome o = net.outcome(flow);
  return o.receiver != nullptr ? o.receiver->stats().accepted_bytes : 0;
}

// PFC frames sent by every switch port.
inline int64_t pause_frames(const Network& net) {
  int64_t n = 0;
  for (const auto& s : net.switches()) {
    for (size_t p = 0; p < s->port_count(); ++p) n += s->port(p).counters().pause_tx;
  }
  return n;
}

// The node of `g` called `name`.
inline uint32_t node_id(const TopologyGraph& g, const std::string& name) {
  for (uint32_t i = 0; i < g.nodes().size(); ++i) {
    if (g.nodes()[i].name == name) return i;
  }
  ADD_FAILURE() << "no node " << name;
  return 0;
}

// The port `from` transmits on towards its neighbour `to`.
inline Port& port_towards(Network& net, const std::string& from, const std::string& to) {
  const TopologyGraph& g = net.graph();
  const uint32_t a = node_id(g, from);
  const uint32_t b = node_id(g, to);
  const auto& adj = g.adjacent(a);
  for (size_t i = 0; i < adj.size(); ++i) {
    if (adj[i].peer == b) return net.port(a, i);
  }
  ADD_FAILURE() << from << " has no link to " << to;
  return net.port(a, 0);
}

}  // namespace aifabric::testing
