// Receiver-driven credits with trimming (transport/cc/eqds/) end to end, with PFC off
// and trimming on the data priority:
//  - incast 16 -> 1: the bottleneck's data queue never exceeds the trim threshold, every
//    flow completes, the incast drains at the receiver's line rate less only what the
//    trimmed headers took of its link, and the senders share it equally;
//  - two flows to one host reach a fair share at once, a third joins and leaves.
#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

#include "aifabric/topo/builders/leaf_spine/leaf_spine.h"
#include "tests/test_fabric.h"

namespace aifabric {
namespace {

using testing::accepted;
using testing::jain;
using testing::pause_frames;

constexpr int64_t kFrame = 4096 + kRoceHeaderBytes + kL1OverheadBytes;  // 4178 B on the wire
constexpr uint8_t kData = 3;                                            // data priority

void credits_with_trimming(testing::TestFabric& tf) {
  tf.cc_name = "eqds";
  tf.transport.recovery.select("selective");
  tf.sw.pfc.enabled = false;
  tf.sw.trimming.enabled = true;
}

int64_t trimmed_headers_received(const Network& net) {
  int64_t n = 0;
  for (const auto& h : net.hosts()) {
    h->for_each_receiver([&n](const ReceiverResult& r) { n += r.stats().trimmed_received; });
  }
  return n;
}

TEST(EqdsFabric, IncastSixteenToOneHoldsTheDataQueueAtTheTrimThresholdAndDrainsAtLineRate) {
  testing::TestFabric tf;
  credits_with_trimming(tf);
  LeafSpineConfig ls;  // 400 Gb/s, 1 us links
  ls.leaves = 3;
  ls.spines = 2;
  ls.hosts_per_leaf = 8;
  tf.graph = build_leaf_spine(ls);
  Network& net = tf.build();
  // Leaves 1 and 2 -> host 0 on leaf 0.
  const std::vector<FlowSpec> flows = testing::incast(8, 16, 0, 1 << 20);
  ASSERT_TRUE(net.add_flows(flows).is_ok());
  const Switch& leaf0 = *net.switches()[0];
  const uint16_t bottleneck = 0;  // leaf0's port to host 0
  int64_t peak_data = 0;
  // Goodput of each sender over [100 us, 250 us), when all are past their first round
  // trip and none is near its end.
  const Time mid_from = Time::us(100), mid_to = Time::us(250);
  std::vector<double> mid(flows.size());
  for (Time t = Time::ns(50); net.flows_finished() < flows.size() && t < Time::ms(5);
       t += Time::ns(50)) {
    net.run(t);
    peak_data = std::max(peak_data, leaf0.queue_bytes(bottleneck, kData));
    if (t == mid_from || t == mid_to) {
      for (uint32_t i = 0; i < flows.size(); ++i) {
        const auto b = static_cast<double>(accepted(net, i));
        mid[i] = t == mid_from ? -b : mid[i] + b;
      }
    }
  }
  net.run(Time::ms(5));
  testing::expect_all_delivered(net);
  testing::expect_conservation(net);
  EXPECT_EQ(pause_frames(net), 0);

  // An arrival is trimmed when 8 packets are queued (NDP's threshold), so at most 8 full
  // frames ever wait; the first round trip's initial windows (16 x 1 BDP) fill it.
  const SwitchCounters c = leaf0.counters();
  EXPECT_LE(peak_data, 8 * kFrame);
  EXPECT_GE(peak_data, 4 * kFrame) << "the incast never reached the queue";
  EXPECT_GT(c.trims, 0);
  EXPECT_EQ(c.trim_drops + c.buffer_drops, 0);
  // Trims are counted per switch and per egress port, and what they cut (a whole 4 KiB
  // payload each: the flows are whole packets) is the ports' dropped payload; every
  // header reached the receiver, which NACKed it.
  int64_t switch_trims = 0, port_trims = 0, cut = 0;
  for (const auto& sw : net.switches()) {
    switch_trims += sw->counters().trims;
    for (size_t i = 0; i < sw->port_count(); ++i) {
      port_trims += sw->port(i).counters().trims;
      cut += sw->port(i).counters().drop_payload;
    }
  }
  EXPECT_EQ(port_trims, switch_trims);
  EXPECT_EQ(cut, switch_trims * 4096);
  EXPECT_EQ(trimmed_headers_received(net), switch_trims);

  // Drain time against the receiver's link: it must carry every data frame once and
  // every trimmed header that reached the host, and cannot do it faster than line rate.
  // On top of that: one base RTT (8.4 us across two leaves: 8 links of 1 us plus store
  // and forward) before the first frame arrives and the last ACK is back, and one more
  // for the last trimmed packets' NACK, pull and resend. Pulls and ACKs travel the
  // other way (86 B each per 4178 B data frame, 4 % of host 0's uplink) and take
  // nothing from this link.
  Time drain;
  std::vector<double> tput;
  for (uint32_t i = 0; i < flows.size(); ++i) {
    const Time fct = net.outcome(i).sender->finish_time();
    drain = std::max(drain, fct);
    tput.push_back(static_cast<double>(flows[i].size) / fct.to_seconds());
  }
  const int64_t headers = trimmed_headers_received(net);
  const int64_t link_bytes = int64_t{16} * 256 * kFrame + headers * int64_t{kTrimmedWireBytes};
  const Time busy = BitRate::gbps(400).transmit_time(link_bytes);
  const Time rtt = Time::ns(8'400);
  Time first_done = Time::max();
  for (uint32_t i = 0; i < flows.size(); ++i) {
    first_done = std::min(first_done, net.outcome(i).sender->finish_time());
  }
  SCOPED_TRACE(::testing::Message()
               << "first done " << first_done.to_us() << " drain " << drain.to_us()
               << " us, link busy at least " << busy.to_us() << " us, " << headers << " headers");
  EXPECT_GE(drain, busy);
  EXPECT_LE(drain, busy + rtt * 2);
  // Every sender owed pulls gets the same share of them (round robin): over the middle
  // window each receives ~112 packets, equal to a packet or two, Jain >= 0.999.
  EXPECT_GE(jain(mid), 0.999) << ::testing::PrintToString(mid);
  // And together they receive one full frame per 83.56 ns (4178 B at 400 Gb/s): the
  // receiver's pulls, not the senders, set the rate. 150 us hold 1795.1 frame times;
  // a frame under way at each edge of the window allows +-2.
  double packets = 0;
  for (double b : mid) packets += b / 4096;
  EXPECT_NEAR(packets, 150e-6 / 83.56e-9, 2.0);
  // Completion times differ by how much of its initial window (1 BDP, 153 of a flow's
  // 256 packets) each flow got through the first round trip untrimmed. The worst case,
  // one flow's whole window through and none of the others', gives Jain 0.91 over the
  // throughputs (size / FCT); 16 flows sharing the first round trip measured 0.995.
  EXPECT_GE(jain(tput), 0.91);
}

// Credits must survive loss: a data packet lost on a link takes its ask with it, and a
// lost pull or ACK its credit. 16 -> 1 with every fabric link corrupting 1 frame in 1000
// (about 90 frames here): every flow still completes, and within the drain time plus
// two retransmission timeouts (a lost last packet has no later one for RACK to see).
// Before lost asks were asked for again, senders waited forever for pulls that never
// came.
TEST(EqdsFabric, IncastCompletesOverLossyLinks) {
  testing::TestFabric tf;
  credits_with_trimming(tf);
  LeafSpineConfig ls;
  ls.leaves = 3;
  ls.spines = 2;
  ls.hosts_per_leaf = 8;
  ls.fabric_link.loss_rate = 1e-3;
  tf.graph = build_leaf_spine(ls);
  Network& net = tf.build();
  const std::vector<FlowSpec> flows = testing::incast(8, 16, 0, 1 << 20);
  ASSERT_TRUE(net.add_flows(flows).is_ok());
  net.run(Time::ms(50));
  testing::expect_all_delivered(net);
  testing::expect_conservation(net);
  int64_t link_drops = 0;
  testing::for_each_port(net, [&](const PortCounters& pc) { link_drops += pc.link_drops; });
  EXPECT_GT(link_drops, 20);
  Time last;
  for (uint32_t i = 0; i < flows.size(); ++i) {
    last = std::max(last, net.outcome(i).sender->finish_time());
  }
  EXPECT_LT(last, Time::us(360) + tf.transport.rto * 2);
}

// Goodput of `flows` over [from, from + width); the data queue's peak at `port`.
struct Window {
  std::vector<double> gbps;
  int64_t peak_data = 0;
};

Window measure(Network& net, const Switch& sw, uint16_t port, const std::vector<uint32_t>& flows,
               Time from, Time width) {
  net.run(from);
  std::vector<int64_t> before;
  for (uint32_t f : flows) before.push_back(accepted(net, f));
  Window w;
  for (Time t = from + Time::ns(100); t <= from + width; t += Time::ns(100)) {
    net.run(t);
    w.peak_data = std::max(w.peak_data, sw.queue_bytes(port, kData));
  }
  for (size_t i = 0; i < flows.size(); ++i) {
    w.gbps.push_back(static_cast<double>(accepted(net, flows[i]) - before[i]) * 8 /
                     width.to_seconds() * 1e-9);
  }
  return w;
}

// host0 and host1 -> host3 from t = 0 and t = 25 us, host2 -> host3 during [300 us,
// 700 us) (its size gives it that long at a third of the link). Each phase is measured
// from 50 us after its change, in four 50 us windows.
TEST(EqdsFabric, TwoFlowsShareFairlyAThirdJoinsAndLeaves) {
  testing::TestFabric tf;
  credits_with_trimming(tf);
  tf.graph = build_leaf_spine(testing::one_leaf(4));
  Network& net = tf.build();
  const double goodput = 400.0 * 4096 / kFrame;
  FlowSpec a;
  a.src = 0;
  a.dst = 3;
  a.size = 1LL << 40;
  FlowSpec b = a;
  b.src = 1;
  b.start = Time::us(25);
  FlowSpec c = a;
  c.src = 2;
  c.start = Time::us(300);
  c.size = static_cast<int64_t>(goodput / 3 * 1e9 / 8 * 400e-6);
  ASSERT_TRUE(net.add_flows({a, b, c}).is_ok());
  const Switch& sw = *net.switches()[0];
  struct Phase {
    const char* name;
    Time from;
    std::vector<uint32_t> flows;
  };
  const std::vector<Phase> phases = {
      {"two flows", Time::us(75), {0, 1}},
      {"three flows", Time::us(350), {0, 1, 2}},
      {"after the third left", Time::us(800), {0, 1}},
  };
  for (const Phase& p : phases) {
    for (int i = 0; i < 4; ++i) {
      const Window w = measure(net, sw, 3, p.flows, p.from + Time::us(50) * i, Time::us(50));
      SCOPED_TRACE(::testing::Message()
                   << p.name << ", window " << i << ": " << ::testing::PrintToString(w.gbps)
                   << " Gbps, data queue peak " << w.peak_data);
      EXPECT_GE(jain(w.gbps), 0.95);
      double sum = 0;
      for (double g : w.gbps) sum += g;
      // Pulls fill the link with data: only a window's edges (a packet in flight
      // across it) and the headers of the join's trims take from the goodput.
      EXPECT_GE(sum, 0.97 * goodput);
      EXPECT_LE(w.peak_data, 8 * kFrame);
    }
    if (p.flows.size() == 3) {
      EXPECT_EQ(net.outcome(2).sender->state(), SenderQp::State::kActive);
    }
  }
  EXPECT_EQ(net.outcome(2).sender->state(), SenderQp::State::kDone);
  EXPECT_LT(net.outcome(2).sender->finish_time(), Time::us(750));
  EXPECT_EQ(pause_frames(net), 0);
  testing::expect_conservation(net);
}

}  // namespace
}  // namespace aifabric
