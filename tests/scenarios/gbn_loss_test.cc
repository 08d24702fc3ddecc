// Loss recovery by go-back-N. Without PFC a 16-to-1 incast into a small buffer must
// drop, yet every byte must still arrive; with corrupting links every loss must cost
// about one round trip of retransmission, as go-back-N resends everything sent after
// the lost frame until the NACK reaches the sender.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "aifabric/topo/builders/fat_tree/fat_tree.h"
#include "aifabric/topo/builders/leaf_spine/leaf_spine.h"
#include "aifabric/topo/builders/rail_optimized/rail_optimized.h"
#include "tests/test_fabric.h"

namespace aifabric {
namespace {

constexpr int64_t kMtu = 4096;
constexpr int64_t kFrame = kMtu + 62 + 20;  // payload + RoCEv2 headers + preamble/IFG

struct Totals {
  int64_t retx = 0, nacks = 0, timeouts = 0;
  int64_t switch_drops = 0, switch_drop_payload = 0;
  int64_t link_drops = 0, link_drop_payload = 0;
  int64_t pauses = 0;
};

Totals totals(const Network& net) {
  Totals t;
  for (uint32_t i = 0; i < net.flows().size(); ++i) {
    const SenderStats& s = net.outcome(i).sender->stats();
    t.retx += s.retx_packets;
    t.nacks += s.nacks;
    t.timeouts += s.timeouts;
  }
  auto add_port = [&t](const PortCounters& pc) {
    t.switch_drops += pc.drops;
    t.switch_drop_payload += pc.drop_payload;
    t.link_drops += pc.link_drops;
    t.link_drop_payload += pc.link_drop_payload;
    t.pauses += pc.pause_tx;
  };
  testing::for_each_port(net, add_port);
  return t;
}

TEST(GoBackN, LossyIncastDropsButDeliversEveryByte) {
  testing::TestFabric tf;
  tf.sw.pfc.enabled = false;
  tf.sw.buffer = Bytes::mib(1);
  tf.graph = build_leaf_spine(testing::one_leaf(17));
  Network& net = tf.build();
  // 1 MiB: a whole number of MTUs, so dropped payload / MTU = frames.
  const std::vector<FlowSpec> flows = testing::incast(0, 16, 16, 1LL << 20);
  ASSERT_TRUE(net.add_flows(flows).is_ok());
  net.run(Time::sec(1));

  testing::expect_all_delivered(net);
  const Totals t = totals(net);
  const SwitchCounters& c = net.switches()[0]->counters();
  // 16 x 400 Gbps into one 400 Gbps port with no PFC and no congestion control.
  EXPECT_GT(c.buffer_drops, 0);
  EXPECT_EQ(c.headroom_drops, 0);  // nothing is lossless
  EXPECT_EQ(t.pauses, 0);
  EXPECT_EQ(t.link_drops, 0);
  // Each dropped data frame must be followed by a later transmission of the same
  // sequence number (every byte arrived), and distinct drops map to distinct later
  // transmissions: retransmissions >= dropped data frames.
  const int64_t dropped_frames = t.switch_drop_payload / kMtu;
  EXPECT_GT(dropped_frames, 0);
  EXPECT_GE(t.retx, dropped_frames);
  EXPECT_GT(t.nacks, 0);
  // Dynamic threshold with alpha = 1: a queue is admitted while depth < free buffer =
  // B - depth, so no queue exceeds B/2 plus the frame that crossed it.
  const Port& bottleneck = net.switches()[0]->port(16);
  EXPECT_LE(bottleneck.counters().max_queue_bytes, tf.sw.buffer.count() / 2 + kFrame);
  EXPECT_GT(bottleneck.counters().max_queue_bytes, tf.sw.buffer.count() / 4);  // it filled
  EXPECT_LE(c.max_buffer_used, tf.sw.buffer.count());
  testing::expect_conservation(net);
}

// Four disjoint flows through one switch, host links corrupting 1 frame in 1000 (both
// directions). No queue ever builds (each flow has its own ports), so every loss is a
// link loss.
TEST(GoBackN, CorruptingLinksCostOneRoundTripPerLoss) {
  testing::TestFabric tf;
  LeafSpineConfig ls;
  ls.leaves = 1;
  ls.spines = 1;
  ls.hosts_per_leaf = 8;
  ls.host_link.loss_rate = 1e-3;
  tf.graph = build_leaf_spine(ls);
  Network& net = tf.build();
  std::vector<FlowSpec> flows;
  for (uint32_t i = 0; i < 4; ++i) {
    FlowSpec f;
    f.src = i;
    f.dst = i + 4;
    f.size = 8LL << 20;
    flows.push_back(f);
  }
  ASSERT_TRUE(net.add_flows(flows).is_ok());
  net.run(Time::sec(1));

  testing::expect_all_delivered(net);
  const Totals t = totals(net);
  EXPECT_EQ(t.switch_drops, 0);
  // 4 x 2048 frames over 2 lossy links at 1e-3: ~16 data losses expected.
  const int64_t lost_frames = t.link_drop_payload / kMtu;
  EXPECT_GT(lost_frames, 0);
  EXPECT_GE(t.retx, lost_frames);  // the same argument as for the incast
  EXPECT_GT(t.nacks, 0);
  // Go-back-N cost: the receiver NACKs when the frame after the lost one arrives, and
  // the sender resends everything it sent between the lost frame and the NACK, i.e.
  // 1 + (lost frame + next frame's 2 hops + NACK's 2 hops) / frame time
  // = 1 + (4 x 1 us + 3 x 83.6 ns) / 83.6 ns ~ 52 frames per NACK. Losses near a
  // flow's end have fewer frames behind them; a lost NACK or lost retransmitted head
  // is recovered by timeout and may resend up to a whole flow. Tolerance 15 %.
  const double frame_time = kFrame * 8 / 400e9;
  const double per_nack = 1 + (4 * 1e-6 + 3 * frame_time) / frame_time;
  EXPECT_GE(static_cast<double>(t.retx), 0.85 * per_nack * static_cast<double>(t.nacks));
  EXPECT_LE(static_cast<double>(t.retx), 1.15 * per_nack * static_cast<double>(t.nacks) +
                                             static_cast<double>(t.timeouts) * 2048);
  testing::expect_conservation(net);
}

}  // namespace
}  // namespace aifabric
