// Host (the NIC) wired to a recording peer and inside a 2-host fabric: control frames
// before data, round robin among sending queue pairs, paused priorities skipped,
// receivers made on a flow's first packet and found by flow id, and one unit of the
// simulator's outstanding work per flow from add_flow to its completion.
#include "aifabric/fabric/nic/host.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <functional>
#include <memory>
#include <vector>

#include "aifabric/fabric/network.h"

namespace aifabric {
namespace {

constexpr int64_t kFrame = 4096 + kRoceHeaderBytes + kL1OverheadBytes;  // 4178
// Serialization at 400 Gbps: 8 bits / 4e11 b/s = 20 ps per byte.
constexpr Time ser(int64_t bytes) {
  return Time::ps(20 * bytes);
}
constexpr Time kDelay = Time::us(1);

// The far end of the host's cable: records every frame with its transmission start
// (arrival - delay - serialization).
struct Peer final : Node {
  struct Rx {
    PacketType type;
    uint32_t flow;
    uint8_t priority;
    uint64_t psn;
    uint32_t sender_qp;
    uint32_t wire;
    Time start;
  };
  Simulator& sim;
  PacketPool& pool;
  std::vector<Rx> rx;
  Peer(Simulator& s, PacketPool& p) : sim(s), pool(p) {}
  void receive(Packet* p, uint16_t /*port*/) override {
    rx.push_back({p->type, p->flow, p->priority, p->psn, p->sender_qp, p->wire,
                  sim.now() - kDelay - ser(p->wire)});
    pool.release(p);
  }
  Packet* next_to_send(uint16_t, Time, Time&) override { return nullptr; }
  bool backlogged(uint16_t) const override { return false; }
  std::vector<Rx> data() const {
    std::vector<Rx> d;
    for (const Rx& r : rx) {
      if (r.type == PacketType::kData) d.push_back(r);
    }
    return d;
  }
};

struct Script final : EventHandler {
  Simulator& sim;
  std::vector<std::function<void()>> fns;
  explicit Script(Simulator& s) : sim(s) {}
  void at(Time t, std::function<void()> f) {
    fns.push_back(std::move(f));
    sim.schedule_at(t, EventPriority::kApplication, this, 0, fns.size() - 1);
  }
  void handle_event(uint32_t /*kind*/, uint64_t arg) override { fns[arg](); }
};

// Host 0 on a 400 Gbps, 1 us cable to a Peer, congestion control "none" (line rate).
struct Rig {
  Simulator sim;
  PacketPool pool;
  TransportConfig transport;
  const CcAlgorithm* cc = find_cc_algorithm("none");
  std::unique_ptr<Params> cc_params = cc->make_params();
  NicConfig nic;
  Peer peer{sim, pool};
  std::unique_ptr<Host> host;
  Script script{sim};
  Rig() {
    nic.transport = &transport;
    nic.cc = cc;
    nic.cc_params = cc_params.get();
    host = std::make_unique<Host>(sim, pool, 0, 0, "h0", nic, nullptr);
    host->add_port(LinkParams{BitRate::gbps(400), kDelay, 0}).connect(&peer, 0);
  }
  uint32_t flow(uint32_t id, int64_t size, uint8_t prio = 3, Time start = Time::zero()) {
    FlowSpec f;
    f.id = id;
    f.src = 0;
    f.dst = 1;
    f.size = size;
    f.start = start;
    f.priority = prio;
    f.sport = static_cast<uint16_t>(50000 + id);
    return host->add_flow(f, nullptr);
  }
  // A data packet of a flow from host 1 to this host, as the wire would deliver it.
  Packet* incoming(uint32_t flow, uint64_t psn, uint32_t payload, bool last) {
    Packet* p = pool.acquire();
    p->type = PacketType::kData;
    p->flow = flow;
    p->src = 1;
    p->dst = 0;
    p->sender_qp = 5;
    p->psn = psn;
    p->payload = payload;
    p->wire = payload + kRoceHeaderBytes + kL1OverheadBytes;
    p->echo_sport = 1234;
    p->sport = 1234;
    p->priority = 3;
    p->last = last;
    return p;
  }
  Packet* pause(uint8_t prio, uint16_t quanta) {
    Packet* p = pool.acquire();
    p->type = PacketType::kPause;
    p->priority = prio;
    p->set_pause_quanta(quanta);
    p->wire = kPauseWireBytes;
    return p;
  }
};

TEST(Host, TwoFlowsShareThePortRoundRobin) {
  // Two backlogged queue pairs at line rate: the NIC alternates between them, so each
  // gets every other frame and half the port.
  Rig r;
  r.flow(0, 1 << 20);
  r.flow(1, 1 << 20);
  r.sim.run_until(Time::us(20));
  const auto d = r.peer.data();
  // 20 us of a 400 Gbps port, less the 1 us cable: ~227 frames of 83.56 ns.
  ASSERT_GT(d.size(), 200U);
  int64_t bytes[2] = {0, 0};
  Time expect_start;
  for (size_t i = 0; i < d.size(); ++i) {
    EXPECT_EQ(d[i].flow, i % 2) << i;
    EXPECT_EQ(d[i].start, expect_start) << i;  // back to back: the port never idles
    expect_start += ser(d[i].wire);
    bytes[d[i].flow] += d[i].wire;
  }
  EXPECT_LE(std::abs(bytes[0] - bytes[1]), kFrame);
}

TEST(Host, ControlFramesGoBeforeQueuedData) {
  // A data packet of another flow arrives mid-frame while a flow keeps the port busy:
  // its ACK leaves at the very next frame boundary, ahead of the waiting data.
  Rig r;
  r.flow(0, 1 << 20);
  const Time t_in = Time::ns(1010);  // inside a data frame (frames end at k x 83.56 ns)
  r.script.at(t_in, [&] { r.host->receive(r.incoming(77, 0, 1000, true), 0); });
  r.sim.run_until(Time::us(5));
  size_t ack = r.peer.rx.size();
  for (size_t i = 0; i < r.peer.rx.size(); ++i) {
    if (r.peer.rx[i].type == PacketType::kAck) {
      ack = i;
      break;
    }
  }
  ASSERT_LT(ack, r.peer.rx.size()) << "no ACK sent";
  ASSERT_GT(ack, 0U);
  const Peer::Rx& a = r.peer.rx[ack];
  const Peer::Rx& before = r.peer.rx[ack - 1];
  EXPECT_EQ(a.flow, 77U);
  EXPECT_EQ(a.psn, 1U);  // the next expected psn
  EXPECT_EQ(a.sender_qp, 5U);
  EXPECT_EQ(a.priority, r.transport.ack_priority);
  // The frame before the ACK was the one on the wire when the packet arrived.
  EXPECT_LE(before.start, t_in);
  EXPECT_GT(before.start + ser(before.wire), t_in);
  EXPECT_EQ(a.start, before.start + ser(before.wire));
  // And data follows right after the ACK.
  ASSERT_LT(ack + 1, r.peer.rx.size());
  EXPECT_EQ(r.peer.rx[ack + 1].type, PacketType::kData);
  EXPECT_EQ(r.peer.rx[ack + 1].start, a.start + ser(a.wire));
}

TEST(Host, APausedPriorityIsSkippedAndResumesAtThePauseEnd) {
  // Flow 0 on priority 3 and flow 1 on priority 4 alternate; at 2 us the peer pauses
  // priority 3 for 1000 quanta (1000 x 512 bits / 400 Gbps = 1.28 us): flow 1 takes
  // every frame boundary until the pause ends, then they alternate again.
  Rig r;
  r.flow(0, 1 << 20, 3);
  r.flow(1, 1 << 20, 4);
  const Time t_p = Time::us(2);
  const Time end = t_p + Time::ps(1000 * 512 * 1000 / 400);
  r.script.at(t_p, [&] { r.host->receive(r.pause(3, 1000), 0); });
  r.sim.run_until(Time::us(8));
  const auto d = r.peer.data();
  ASSERT_GT(d.size(), 60U);
  int during = 0;
  Time first_after = Time::max();
  for (const Peer::Rx& x : d) {
    const bool started_in_pause = x.start > t_p && x.start < end;
    if (started_in_pause) {
      EXPECT_EQ(x.flow, 1U) << "priority 3 sent at " << x.start.ps();
      ++during;
    }
    if (x.flow == 0 && x.start >= end) first_after = std::min(first_after, x.start);
  }
  // 1.28 us / 83.56 ns: 15 frame boundaries, all taken by flow 1.
  EXPECT_GE(during, 15);
  // Priority 3 is back at the first frame boundary after the pause ends.
  EXPECT_GE(first_after, end);
  EXPECT_LT(first_after, end + ser(kFrame) + ser(kFrame));
  EXPECT_EQ(r.host->port().paused_time(3, Time::us(8)), end - t_p);
}

TEST(Host, AnOnlyFlowPausedWakesExactlyAtThePauseEnd) {
  // Nothing else to send: the port goes idle and wakes at pause_until (retry_at).
  Rig r;
  r.flow(0, 1 << 20, 3);
  const Time t_p = Time::us(2);
  const Time end = t_p + Time::ps(1000 * 512 * 1000 / 400);
  r.script.at(t_p, [&] { r.host->receive(r.pause(3, 1000), 0); });
  r.sim.run_until(Time::us(6));
  const auto d = r.peer.data();
  Time first_after = Time::max();
  for (const Peer::Rx& x : d) {
    EXPECT_FALSE(x.start > t_p && x.start < end) << x.start.ps();
    if (x.start >= end) first_after = std::min(first_after, x.start);
  }
  EXPECT_EQ(first_after, end);
}

TEST(Host, ReceiversAreMadeOnTheFirstPacketAndFoundByFlowId) {
  Rig r;
  EXPECT_EQ(r.host->receiver_of(7), nullptr);
  EXPECT_TRUE(r.host->receivers().empty());
  r.host->receive(r.incoming(7, 0, 4096, false), 0);
  const ReceiverQp* seven = r.host->receiver_of(7);
  ASSERT_NE(seven, nullptr);
  EXPECT_EQ(seven->flow_id(), 7U);
  EXPECT_EQ(r.host->receivers().size(), 1U);
  r.host->receive(r.incoming(42, 0, 100, true), 0);
  EXPECT_EQ(r.host->receivers().size(), 2U);
  // The next packet of flow 7 goes to the same receiver, which accepts it in order.
  r.host->receive(r.incoming(7, 1, 2000, true), 0);
  EXPECT_EQ(r.host->receivers().size(), 2U);
  EXPECT_EQ(r.host->receiver_of(7), seven);
  EXPECT_EQ(seven->stats().packets_received, 2);
  EXPECT_EQ(seven->stats().accepted_bytes, 4096 + 2000);
  EXPECT_EQ(r.host->receiver_of(42)->stats().accepted_bytes, 100);
  EXPECT_EQ(r.host->receiver_of(99), nullptr);
  // Many flows: the table grows and still finds each one.
  for (uint32_t f = 1000; f < 1100; ++f) r.host->receive(r.incoming(f, 0, 64, true), 0);
  for (uint32_t f = 1000; f < 1100; ++f) {
    ASSERT_NE(r.host->receiver_of(f), nullptr) << f;
    EXPECT_EQ(r.host->receiver_of(f)->flow_id(), f);
  }
  EXPECT_EQ(r.host->receiver_of(7), seven);
  r.sim.run();  // the ACKs leave
  EXPECT_EQ(r.pool.live(), 0U);
}

TEST(Host, AReceiverThatLostPacketsIsKeptForALateCopy) {
  // A lossy first link: some of the sender's frames never arrive, so when the flow has
  // ended the receiver has seen fewer frames than were sent and a copy may still be on
  // its way: it must stay (freeing it would let a late frame reach freed memory).
  TopologyGraph g;
  const uint32_t h0 = g.add_node(NodeKind::kHost, "h0", 0);
  const uint32_t h1 = g.add_node(NodeKind::kHost, "h1", 0);
  const uint32_t s0 = g.add_node(NodeKind::kSwitch, "s0", 1);
  LinkParams lossy;
  lossy.loss_rate = 0.02;
  g.add_link(h0, s0, lossy);
  g.add_link(h1, s0, LinkParams{});
  FabricConfig cfg;
  cfg.cc.select("none");
  Simulator sim;
  Network net(sim, g, std::move(cfg));
  ASSERT_TRUE(net.add_flows({FlowSpec{0, 0, 1, 1 << 20, Time::zero()}}).is_ok());
  net.run(Time::ms(100));
  const FlowOutcome o = net.outcome(0);
  ASSERT_NE(o.sender, nullptr);
  ASSERT_EQ(o.sender->state(), SenderQp::State::kDone);
  const Host& dst = *net.hosts()[1];
  ASSERT_NE(dst.receiver_result_of(0), nullptr);
  // Frames were lost: fewer arrived than were sent, and the receiver lives on.
  EXPECT_LT(dst.receiver_result_of(0)->arrivals(), o.sender->stats().packets_sent);
  EXPECT_NE(dst.receiver_of(0), nullptr);
  EXPECT_EQ(o.receiver->stats().accepted_bytes, 1 << 20);
}

TEST(Host, OutstandingWorkIsOneUnitPerFlowUntilItFinishes) {
  // Two hosts on one switch; three flows, one starting later. Each add holds one unit
  // at once (even before the flow starts); the run ends when the last flow's completion
  // releases the last unit, at that flow's finish time.
  TopologyGraph g;
  const uint32_t h0 = g.add_node(NodeKind::kHost, "h0", 0);
  const uint32_t h1 = g.add_node(NodeKind::kHost, "h1", 0);
  const uint32_t s0 = g.add_node(NodeKind::kSwitch, "s0", 1);
  g.add_link(h0, s0, LinkParams{});
  g.add_link(h1, s0, LinkParams{});
  FabricConfig cfg;
  cfg.cc.select("none");
  Simulator sim;
  Network net(sim, g, std::move(cfg));
  std::vector<FlowSpec> flows(3);
  flows[0] = FlowSpec{0, 0, 1, 1 << 20, Time::zero()};
  flows[1] = FlowSpec{1, 0, 1, 1 << 20, Time::zero()};
  flows[2] = FlowSpec{2, 1, 0, 256 << 10, Time::us(30)};
  EXPECT_EQ(sim.outstanding(), 0);
  ASSERT_TRUE(net.add_flows({flows[0]}).is_ok());
  EXPECT_EQ(sim.outstanding(), 1);
  ASSERT_TRUE(net.add_flows({flows[1], flows[2]}).is_ok());
  EXPECT_EQ(sim.outstanding(), 3);
  // Nothing started yet: no queue pair, no receiver.
  EXPECT_EQ(net.outcome(2).sender, nullptr);
  net.run(Time::ms(10));
  EXPECT_EQ(sim.outstanding(), 0);
  EXPECT_EQ(net.flows_finished(), 3U);
  EXPECT_EQ(net.hosts()[0]->flows_finished(), 2U);
  EXPECT_EQ(net.hosts()[1]->flows_finished(), 1U);
  Time last;
  for (uint32_t i = 0; i < 3; ++i) {
    const FlowOutcome o = net.outcome(i);
    ASSERT_NE(o.sender, nullptr);
    EXPECT_EQ(o.sender->state(), SenderQp::State::kDone);
    EXPECT_EQ(o.receiver->stats().accepted_bytes, flows[i].size);
    last = std::max(last, o.sender->finish_time());
  }
  EXPECT_EQ(sim.now(), last);
  // Receivers lived at the destinations, one per flow. Every frame arrived (a lossless
  // fabric) and every flow ended, so every queue pair was freed and only its results
  // stay, found by flow id.
  EXPECT_EQ(net.hosts()[1]->receivers().size(), 2U);
  EXPECT_EQ(net.hosts()[0]->receivers().size(), 1U);
  for (uint32_t i = 0; i < 3; ++i) {
    const Host& dst = *net.hosts()[flows[i].dst];
    EXPECT_EQ(dst.receiver_of(i), nullptr) << i;
    ASSERT_NE(dst.receiver_result_of(i), nullptr) << i;
    EXPECT_EQ(dst.receiver_result_of(i)->arrivals(), net.outcome(i).sender->stats().packets_sent);
  }
  EXPECT_EQ(net.hosts()[0]->receiver_result_of(0), nullptr);  // flow 0 went to host 1
  // A sender outlives its flow while a timer of its own is pending (the run ended at
  // the last completion, its retransmission timers still queued); once they have run,
  // it is freed and its result is what stays.
  const SenderStats before = net.outcome(0).sender->stats();
  const Time finished_at = net.outcome(0).sender->finish_time();
  sim.run();
  for (uint32_t i = 0; i < 3; ++i) {
    EXPECT_EQ(net.outcome(i).qp, nullptr) << i;
    EXPECT_EQ(net.outcome(i).sender->state(), SenderQp::State::kDone) << i;
  }
  EXPECT_EQ(net.outcome(0).sender->stats().packets_sent, before.packets_sent);
  EXPECT_EQ(net.outcome(0).sender->stats().acks, before.acks);
  EXPECT_EQ(net.outcome(0).sender->finish_time(), finished_at);
  // The two flows of host 0 shared its port: they started together and were the same
  // size, so they finished within a few frames of each other (each at ~half rate:
  // 2 MiB at 400 Gbps take ~5.4 us in all).
  const Time f0 = net.outcome(0).sender->finish_time();
  const Time f1 = net.outcome(1).sender->finish_time();
  EXPECT_LT((f0 > f1 ? f0 - f1 : f1 - f0), ser(kFrame) * 3);
}

}  // namespace
}  // namespace aifabric
