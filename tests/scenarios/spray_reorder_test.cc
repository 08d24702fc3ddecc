// Packet spraying on a real leaf-spine fabric: every packet carries its own UDP source
// port, so one message spreads over all spines and arrives out of order. With
// selective recovery the receivers must absorb the reordering (no retransmission on a
// lossless fabric), with link corruption they must resend about what was lost, and
// with go-back-N the same reordering must cost retransmissions (the pathology that
// makes selective recovery necessary).
#include <gtest/gtest.h>

#include <algorithm>
#include <span>
#include <string>
#include <vector>

#include "aifabric/lb/ecmp/ecmp.h"
#include "aifabric/topo/builders/fat_tree/fat_tree.h"
#include "aifabric/topo/builders/leaf_spine/leaf_spine.h"
#include "aifabric/topo/builders/rail_optimized/rail_optimized.h"
#include "aifabric/transport/reliability/selective/selective.h"
#include "tests/test_fabric.h"

namespace aifabric {
namespace {

constexpr int64_t kMtu = 4096;
constexpr int kLeaves = 4;
constexpr int kSpines = 8;
constexpr int kHostsPerLeaf = 8;
constexpr int kHosts = kLeaves * kHostsPerLeaf;
constexpr int64_t kFlowBytes = 2LL * 1024 * 1024;  // 512 packets, a multiple of kSpines
constexpr int64_t kFlowPackets = kFlowBytes / kMtu;

// 4 leaves x 8 spines x 8 hosts per leaf, 400 Gbps and 1 us everywhere: non-blocking.
void build_fabric(testing::TestFabric& tf, double loss_rate = 0) {
  LeafSpineConfig ls;
  ls.leaves = kLeaves;
  ls.spines = kSpines;
  ls.hosts_per_leaf = kHostsPerLeaf;
  ls.host_link.loss_rate = loss_rate;
  ls.fabric_link.loss_rate = loss_rate;
  tf.graph = build_leaf_spine(ls);
  tf.build();
}

// A shift permutation: host i sends to the same slot on the next leaf, so every flow
// crosses the spines and every leaf uplink and downlink carries the same demand.
std::vector<FlowSpec> cross_leaf_flows() {
  std::vector<FlowSpec> flows;
  for (uint32_t i = 0; i < kHosts; ++i) {
    FlowSpec f;
    f.src = i;
    f.dst = (i + kHostsPerLeaf) % kHosts;
    f.size = kFlowBytes;
    flows.push_back(f);
  }
  return flows;
}

void spray_with(Network& net, std::string_view mode,
                std::vector<std::vector<uint16_t>> sports = {}) {
  net.set_path_selection([mode, sports = std::move(sports)](const FlowSpec& f) {
    PathSelection ps;
    ps.mode = mode;
    if (!sports.empty()) ps.sports = sports[f.id];
    ps.seed = 1000 + f.id;
    return ps;
  });
}

void run(Network& net) {
  ASSERT_TRUE(net.add_flows(cross_leaf_flows()).is_ok());
  net.run(Time::sec(1));
}

struct Totals {
  int64_t retx = 0, loss_retx = 0, spurious = 0, timeouts = 0, nacks = 0;
  int64_t ooo = 0, duplicates = 0, reordered = 0, depth_max = 0, rob_max = 0, overflow = 0;
  int64_t link_drops = 0, link_drop_payload = 0, data_frames = 0;
};

Totals totals(const Network& net) {
  Totals t;
  for (uint32_t i = 0; i < net.flows().size(); ++i) {
    const FlowOutcome o = net.outcome(i);
    const SenderStats& s = o.sender->stats();
    const ReceiverStats& r = o.receiver->stats();
    t.retx += s.retx_packets;
    t.loss_retx += s.loss_retx;
    t.spurious += s.spurious_retx;
    t.timeouts += s.timeouts;
    t.nacks += s.nacks;
    t.data_frames += s.packets_sent;
    t.ooo += r.ooo_packets;
    t.duplicates += r.duplicate_packets;
    t.reordered += r.reordered_packets;
    t.depth_max = std::max(t.depth_max, r.reorder_depth_max);
    t.rob_max = std::max(t.rob_max, r.rob_max_packets);
    t.overflow += r.rob_overflow_drops;
  }
  auto add = [&t](const PortCounters& pc) {
    t.link_drops += pc.link_drops;
    t.link_drop_payload += pc.link_drop_payload;
  };
  testing::for_each_port(net, add);
  return t;
}

// Data packets each spine sent down to the leaves (a spine's every port faces a leaf).
std::vector<int64_t> spine_data_packets(const Network& net) {
  std::vector<int64_t> out;
  for (const auto& s : net.switches()) {
    if (s->name().rfind("spine", 0) != 0) continue;
    int64_t n = 0;
    for (size_t p = 0; p < s->port_count(); ++p) n += s->port(p).counters().tx_data_packets;
    out.push_back(n);
  }
  return out;
}

// Reordering without loss: the receivers hold what arrives early and no packet is
// resent. Sprayed packets see different spine queues, so they must really arrive out
// of order.
void expect_reordered_but_no_retransmission(const Network& net) {
  testing::expect_all_delivered(net);
  const Totals t = totals(net);
  EXPECT_GT(t.ooo, 0);
  EXPECT_GT(t.reordered, 0);
  EXPECT_GT(t.depth_max, 0);
  EXPECT_GT(t.rob_max, 0);
  EXPECT_EQ(t.link_drops, 0);
  EXPECT_EQ(t.retx, 0);
  EXPECT_EQ(t.loss_retx, 0);
  EXPECT_EQ(t.duplicates, 0);
  EXPECT_EQ(t.timeouts, 0);
  EXPECT_EQ(t.overflow, 0);
  EXPECT_EQ(t.nacks, 0);
  testing::expect_conservation(net);
}

TEST(SprayReorder, RandomSprayingIsAbsorbedBySelectiveRecovery) {
  testing::TestFabric tf;
  tf.transport.recovery.select("selective");
  build_fabric(tf);
  spray_with(*tf.net, "random");
  run(*tf.net);
  expect_reordered_but_no_retransmission(*tf.net);
  // Independent uniform choices among 8 spines: each carries Binomial(16384, 1/8)
  // packets, mean 2048, sd 42; 10 % is 5 sd.
  const auto spines = spine_data_packets(*tf.net);
  ASSERT_EQ(spines.size(), static_cast<size_t>(kSpines));
  const double mean = static_cast<double>(kHosts * kFlowPackets) / kSpines;
  for (int64_t n : spines) EXPECT_NEAR(static_cast<double>(n) / mean, 1.0, 0.10);
}

// One source port per spine for a flow: the first ports, counting up from 49152, that
// the source leaf's ECMP hash sends up different uplinks (hand-made the way a path
// controller would, from the switch's own hash; Network seeds each switch's ECMP with
// derive_seed(name + "/lb")).
std::vector<uint16_t> one_port_per_spine(const testing::TestFabric& tf, const FlowSpec& f) {
  const TopologyGraph& g = tf.graph;
  const std::string& leaf_name = g.nodes()[g.adjacent(g.hosts()[f.src])[0].peer].name;
  const Switch* leaf = nullptr;
  for (const auto& s : tf.net->switches()) {
    if (s->name() == leaf_name) leaf = s.get();
  }
  const std::span<const uint16_t> uplinks = leaf->table().next_hops(f.dst);
  const uint64_t seed = tf.sim->derive_seed(leaf_name + "/lb");
  std::vector<uint16_t> ports;
  std::vector<char> taken(leaf->port_count(), 0);
  for (uint32_t sport = 49152; sport <= 65535 && ports.size() < uplinks.size(); ++sport) {
    const auto sp = static_cast<uint16_t>(sport);
    const uint16_t up = Ecmp::pick(flow_entropy(f.src, f.dst, sp, f.dport), seed, uplinks);
    if (taken[up] == 0) {
      taken[up] = 1;
      ports.push_back(sp);
    }
  }
  return ports;
}

// Round robin over one port per spine: every spine carries exactly 1/8 of every flow.
TEST(SprayReorder, RoundRobinOverDistinctPathsBalancesSpinesExactly) {
  testing::TestFabric tf;
  tf.transport.recovery.select("selective");
  build_fabric(tf);
  Network& net = *tf.net;
  std::vector<std::vector<uint16_t>> sports;
  for (const FlowSpec& f : cross_leaf_flows()) {
    sports.push_back(one_port_per_spine(tf, f));
    ASSERT_EQ(sports.back().size(), static_cast<size_t>(kSpines));
  }
  spray_with(net, "round_robin", sports);
  run(net);
  expect_reordered_but_no_retransmission(net);
  for (int64_t n : spine_data_packets(net)) EXPECT_EQ(n, kHosts * kFlowPackets / kSpines);
}

// Link corruption of 1e-3 on every link, sprayed at random, selective recovery. Every
// data frame sent is lost on a link, accepted once, or received again (a duplicate),
// so retransmissions = lost data frames + duplicates exactly; duplicates come only
// from a retransmission whose original was not lost (a lost ACK at a flow's tail
// answered by a timeout, or a reordering taken for loss), so they must stay few.
TEST(SprayReorder, LossySprayingResendsAboutWhatWasLost) {
  testing::TestFabric tf;
  tf.transport.recovery.select("selective");
  build_fabric(tf, 1e-3);
  spray_with(*tf.net, "random");
  run(*tf.net);
  testing::expect_all_delivered(*tf.net);
  const Totals t = totals(*tf.net);
  const int64_t lost_data = t.link_drop_payload / kMtu;  // every flow is whole MTUs
  // 16384 packets x 4 lossy links x 1e-3: ~66 data frames lost, 5-sigma above 25.
  EXPECT_GT(lost_data, 25);
  EXPECT_EQ(tf.net->payload_in_network(), 0);
  EXPECT_EQ(t.overflow, 0);
  EXPECT_EQ(t.retx, lost_data + t.duplicates);
  EXPECT_GE(t.loss_retx, lost_data - t.timeouts);  // RACK found all but tail losses
  // Tolerance: at most 10 % of the losses, plus one per timeout.
  EXPECT_LE(t.duplicates, lost_data / 10 + t.timeouts);
  EXPECT_EQ(t.nacks, 0);
  testing::expect_conservation(*tf.net);
}

// The same random spraying under go-back-N: the receiver discards every early packet
// and the sender resends from the gap, so a lossless fabric still sees retransmissions.
TEST(SprayReorder, GoBackNMistakesSprayReorderingForLoss) {
  testing::TestFabric tf;
  build_fabric(tf);
  spray_with(*tf.net, "random");
  run(*tf.net);
  testing::expect_all_delivered(*tf.net);
  const Totals t = totals(*tf.net);
  EXPECT_EQ(t.link_drops, 0);
  EXPECT_GT(t.ooo, 0);
  EXPECT_GT(t.nacks, 0);
  EXPECT_GT(t.retx, 0);
  testing::expect_conservation(*tf.net);
}

// Long flows at full load: random spraying lets spine queues drift apart (a random
// walk; tens of microseconds by the end of 16 MiB flows), beyond any fixed window
// chosen for short flows. The auto window follows the spread of the RTTs and takes no
// packet for lost; a fixed window of the auto one's margin resends many.
TEST(SprayReorder, AutoReorderWindowFollowsTheQueueingSpread) {
  auto spurious = [](Time window) {
    testing::TestFabric tf;
    tf.transport.recovery.select("selective");
    tf.transport.recovery.as<SelectiveParams>().reorder_window = window;
    build_fabric(tf);
    spray_with(*tf.net, "random");
    std::vector<FlowSpec> flows = cross_leaf_flows();
    for (FlowSpec& f : flows) f.size = 16LL << 20;
    EXPECT_TRUE(tf.net->add_flows(flows).is_ok());
    tf.net->run(Time::sec(1));
    testing::expect_all_delivered(*tf.net);
    testing::expect_conservation(*tf.net);
    const Totals t = totals(*tf.net);
    // Lossless: every retransmission is spurious, received again or still on its way
    // when the last flow ends.
    EXPECT_EQ(t.retx, t.duplicates + tf.net->payload_in_network() / kMtu);
    return t.duplicates;
  };
  EXPECT_EQ(spurious(Time::zero()), 0);
  EXPECT_GT(spurious(kMinAutoReorderWindow), 1000);  // measured: 58749
}

// Control: without spraying every flow keeps one path and nothing is out of order.
TEST(SprayReorder, OnePortPerFlowArrivesInOrder) {
  testing::TestFabric tf;
  tf.transport.recovery.select("selective");
  build_fabric(tf);
  run(*tf.net);
  testing::expect_all_delivered(*tf.net);
  const Totals t = totals(*tf.net);
  EXPECT_EQ(t.ooo, 0);
  EXPECT_EQ(t.reordered, 0);
  EXPECT_EQ(t.retx, 0);
  testing::expect_conservation(*tf.net);
}

}  // namespace
}  // namespace aifabric
