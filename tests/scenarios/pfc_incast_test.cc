// 16-to-1 incast at line rate with PFC on (default SwitchConfig, no congestion
// control): the fabric must be lossless, share the bottleneck equally among the
// senders, keep every queue inside the buffer and every ingress inside XOFF threshold
// plus headroom, and push pause frames back hop by hop until they reach the senders'
// NICs.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "aifabric/topo/builders/fat_tree/fat_tree.h"
#include "aifabric/topo/builders/leaf_spine/leaf_spine.h"
#include "aifabric/topo/builders/rail_optimized/rail_optimized.h"
#include "tests/test_fabric.h"

namespace aifabric {
namespace {

constexpr int kSenders = 16;
constexpr int64_t kFlowBytes = 4LL * 1024 * 1024;
// Goodput of a 400 Gbps link: each 4178-byte frame (4096 payload + 62 header + 20
// preamble/IFG) carries 4096 payload bytes.
constexpr double kGoodputBps = 400e9 * 4096.0 / 4178.0;

std::vector<FlowSpec> incast_flows(uint32_t receiver) {
  return testing::incast(0, kSenders, receiver, kFlowBytes);
}

// Runs in 50 us steps until every flow has finished; at `sample_at` records each
// flow's accepted bytes (all flows are then still active).
std::vector<int64_t> run_and_sample(Network& net, Time sample_at) {
  std::vector<int64_t> sample;
  for (Time t = Time::us(50); net.flows_finished() < net.flows().size(); t += Time::us(50)) {
    net.run(t);
    if (t == sample_at) {
      for (uint32_t i = 0; i < net.flows().size(); ++i) {
        sample.push_back(net.outcome(i).receiver->stats().accepted_bytes);
      }
    }
    if (t > Time::ms(100)) break;  // a hang; the checks below report it
  }
  return sample;
}

// Each sender's share of what the receiver accepted by the sample instant. With a FIFO
// bottleneck and per-ingress XOFF thresholds every sender gets 1/16 (the issue asks
// for 5 %); the sample is taken mid-run so start-up effects are diluted.
void expect_equal_shares(const std::vector<int64_t>& sample) {
  ASSERT_EQ(sample.size(), static_cast<size_t>(kSenders));
  int64_t total = 0;
  for (int64_t b : sample) total += b;
  ASSERT_GT(total, 0);
  for (size_t i = 0; i < sample.size(); ++i) {
    const double share = static_cast<double>(sample[i]) / static_cast<double>(total);
    EXPECT_NEAR(share * kSenders, 1.0, 0.05) << "flow " << i << " share " << share;
  }
}

// Every flow delivered and, lossless, nothing ever resent.
void expect_all_delivered_without_resending(const Network& net) {
  testing::expect_all_delivered(net);
  for (uint32_t i = 0; i < net.flows().size(); ++i) {
    EXPECT_EQ(net.outcome(i).sender->stats().retx_packets, 0) << "flow " << i;
  }
}

// No drops anywhere, and every buffer bound the switch model promises.
void expect_lossless_and_bounded(const Network& net, const SwitchConfig& cfg,
                                 const std::vector<int64_t>& xoff_at_start) {
  for (size_t s = 0; s < net.switches().size(); ++s) {
    const Switch& sw = *net.switches()[s];
    const SwitchCounters& c = sw.counters();
    EXPECT_EQ(c.buffer_drops, 0) << sw.name();
    EXPECT_EQ(c.headroom_drops, 0) << sw.name();
    EXPECT_EQ(c.no_route_drops, 0) << sw.name();
    EXPECT_LE(c.max_buffer_used, cfg.buffer.count()) << sw.name();
    int64_t headroom = 0;
    for (size_t p = 0; p < sw.port_count(); ++p) {
      const PortCounters& pc = sw.port(p).counters();
      EXPECT_EQ(pc.drops, 0) << sw.name() << " port " << p;
      EXPECT_EQ(pc.link_drops, 0) << sw.name() << " port " << p;
      EXPECT_LE(pc.max_queue_bytes, cfg.buffer.count()) << sw.name() << " port " << p;
      headroom = std::max(headroom, sw.headroom_per_queue(p));
    }
    // The dynamic XOFF threshold is alpha x free shared buffer, largest when the
    // buffer is empty (the value read before the run); past it an ingress may only
    // fill its headroom.
    EXPECT_LE(c.max_ingress_bytes, xoff_at_start[s] + headroom) << sw.name();
  }
  for (const auto& h : net.hosts()) EXPECT_EQ(h->port().counters().link_drops, 0);
}

std::vector<int64_t> xoff_thresholds(const Network& net) {
  std::vector<int64_t> out;
  for (const auto& s : net.switches()) out.push_back(s->xoff_threshold());
  return out;
}

TEST(PfcIncast, SingleSwitchIsLosslessFairAndKeepsTheBottleneckBusy) {
  testing::TestFabric tf;
  tf.graph = build_leaf_spine(testing::one_leaf(kSenders + 1));
  Network& net = tf.build();
  const auto xoff = xoff_thresholds(net);
  const uint32_t receiver = kSenders;
  ASSERT_TRUE(net.add_flows(incast_flows(receiver)).is_ok());
  const auto sample = run_and_sample(net, Time::us(700));

  expect_all_delivered_without_resending(net);
  expect_equal_shares(sample);
  expect_lossless_and_bounded(net, tf.sw, xoff);

  // FCTs nearly equal: a fair FIFO drains all 16 flows together (5 %, the issue's).
  Time first = Time::max();
  Time last;
  for (uint32_t i = 0; i < kSenders; ++i) {
    first = std::min(first, net.outcome(i).sender->finish_time());
    last = std::max(last, net.outcome(i).sender->finish_time());
  }
  EXPECT_LE(last.to_seconds() / first.to_seconds(), 1.05);
  // PFC must not waste the bottleneck: 64 MiB through one 400 Gbps port takes
  // 64 MiB / goodput (1.369 ms), plus the first frame's path and the last ACK's return
  // (a few microseconds, < 0.6 %); allow 1 %.
  const double drain = kSenders * kFlowBytes * 8.0 / kGoodputBps;
  EXPECT_GE(last.to_seconds(), drain);
  EXPECT_LE(last.to_seconds(), drain * 1.01);

  // Every sender was paused by the switch and received the pause.
  for (uint32_t i = 0; i < kSenders; ++i) {
    const std::string host = "host" + std::to_string(i);
    EXPECT_GT(testing::port_towards(net, "leaf0", host).counters().pause_tx, 0) << host;
    EXPECT_GT(net.hosts()[i]->port().counters().pause_rx, 0) << host;
  }

  // Cost guard: one data packet costs about six events here (two hops of delivery and
  // transmit-done, plus its ACK); a port that books duplicate transmit-done events
  // once cost ~350 per packet in exactly this incast.
  const int64_t packets = kSenders * kFlowBytes / 4096;
  EXPECT_LT(static_cast<int64_t>(tf.sim->events_processed()), 16 * packets);
  testing::expect_conservation(net);
}

// host0..15 -> leaf0 -> spine0 -> leaf1 -> host17. The fabric links carry the 16
// senders' aggregate (16 x 400 Gbps), so the only bottleneck is leaf1's port to the
// receiver: with 400 Gbps uplinks the 16 flows would already collide on leaf0's uplink
// and the pauses would travel one hop only. Here the congestion tree must grow back
// leaf1 -> spine0 -> leaf0 -> the 16 NICs.
TEST(PfcIncast, TwoHopCongestionTreeReachesTheSenderNics) {
  testing::TestFabric tf;
  LeafSpineConfig ls;
  ls.leaves = 2;
  ls.spines = 1;
  ls.hosts_per_leaf = kSenders + 1;
  ls.fabric_link.rate = BitRate::gbps(400LL * kSenders);
  tf.graph = build_leaf_spine(ls);
  Network& net = tf.build();
  const auto xoff = xoff_thresholds(net);
  const uint32_t receiver = kSenders + 1;  // first host of leaf1
  ASSERT_TRUE(net.add_flows(incast_flows(receiver)).is_ok());
  const auto sample = run_and_sample(net, Time::us(700));

  expect_all_delivered_without_resending(net);
  expect_equal_shares(sample);
  // Includes headroom_drops == 0 on the 6.4 Tbps ingress: an XOFF there lasts only
  // 65535 x 512 bits / 6.4 Tbps = 5.2 us, so it must be refreshed at that link's own
  // pace (the refresh once followed the slowest port's 84 us pause and leaf1 dropped
  // ~90k frames from its headroom).
  expect_lossless_and_bounded(net, tf.sw, xoff);

  // The hop-by-hop chain, from the bottleneck back to the sources.
  EXPECT_GT(testing::port_towards(net, "leaf1", "spine0").counters().pause_tx, 0);
  EXPECT_GT(testing::port_towards(net, "spine0", "leaf1").counters().pause_rx, 0);
  EXPECT_GT(testing::port_towards(net, "spine0", "leaf0").counters().pause_tx, 0);
  EXPECT_GT(testing::port_towards(net, "leaf0", "spine0").counters().pause_rx, 0);
  for (uint32_t i = 0; i < kSenders; ++i) {
    const std::string host = "host" + std::to_string(i);
    EXPECT_GT(testing::port_towards(net, "leaf0", host).counters().pause_tx, 0) << host;
    EXPECT_GT(net.hosts()[i]->port().counters().pause_rx, 0) << host;
  }
  // Only the bottleneck direction congests: nothing pauses the receiver's side.
  EXPECT_EQ(
      testing::port_towards(net, "leaf1", "host" + std::to_string(receiver)).counters().pause_rx,
      0);

  // Same drain-time bound as the single switch: the tree must not idle the bottleneck.
  // Each XON has to reach spine0 and the data to come back (2 x 1 us) before leaf1's
  // queue runs dry, so leaf1 must resume while its queue is still deep; when the
  // headroom was freed only by the last frames to arrive, XON left with the queue
  // empty and the port idled 2 us in every ~100 us pause cycle (2.4 % slower).
  Time last;
  for (uint32_t i = 0; i < kSenders; ++i)
    last = std::max(last, net.outcome(i).sender->finish_time());
  const double drain = kSenders * kFlowBytes * 8.0 / kGoodputBps;
  EXPECT_LE(last.to_seconds(), drain * 1.01);
  testing::expect_conservation(net);
}

}  // namespace
}  // namespace aifabric
