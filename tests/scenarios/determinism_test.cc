// Reproducibility: a run is a function of its seed. The same seed must give the same
// finish time for every flow, to the picosecond, and the same bytes on every port; a
// different seed must change the ECMP choices (UDP source ports and per-switch hash
// seeds are drawn from it), and with them the per-port byte counts.
#include <gtest/gtest.h>

#include <vector>

#include "aifabric/topo/builders/fat_tree/fat_tree.h"
#include "aifabric/topo/builders/leaf_spine/leaf_spine.h"
#include "aifabric/topo/builders/rail_optimized/rail_optimized.h"
#include "tests/test_fabric.h"

namespace aifabric {
namespace {

struct RunResult {
  std::vector<int64_t> finish_ps;  // per flow
  std::vector<int64_t> port_tx;    // tx bytes of every switch port, in a fixed order
  int64_t payload_hops = 0;        // data payload summed over every switch port
  uint64_t events = 0;
};

// A permutation on a k = 4 fat-tree (16 hosts, DCQCN): host i sends 2 MiB to
// (5i + 3) mod 16, which has no fixed point and crosses pods, so flows meet at
// aggregation and core switches with 2 to 4 equal-cost paths.
RunResult run_permutation(uint64_t seed) {
  testing::TestFabric tf;
  tf.cc_name = "dcqcn";
  FatTreeConfig ft;
  ft.k = 4;
  tf.graph = build_fat_tree(ft);
  Network& net = tf.build(seed);
  std::vector<FlowSpec> flows;
  for (uint32_t i = 0; i < 16; ++i) {
    FlowSpec f;
    f.src = i;
    f.dst = (5 * i + 3) % 16;
    f.size = 2LL << 20;
    flows.push_back(f);
  }
  EXPECT_TRUE(net.add_flows(flows).is_ok());
  net.run(Time::sec(1));
  RunResult r;
  for (uint32_t i = 0; i < flows.size(); ++i) {
    const FlowOutcome o = net.outcome(i);
    EXPECT_EQ(o.sender->state(), SenderQp::State::kDone) << "seed " << seed << " flow " << i;
    EXPECT_EQ(o.receiver->stats().accepted_bytes, flows[i].size);
    r.finish_ps.push_back(o.sender->finish_time().ps());
  }
  for (const auto& s : net.switches()) {
    for (size_t p = 0; p < s->port_count(); ++p) {
      r.port_tx.push_back(s->port(p).counters().tx_bytes);
      r.payload_hops += s->port(p).counters().tx_payload_bytes;
    }
  }
  for (uint32_t i = 0; i < flows.size(); ++i) {
    EXPECT_EQ(net.outcome(i).sender->stats().retx_packets, 0);  // PFC: lossless
  }
  r.events = tf.sim->events_processed();
  testing::expect_conservation(net);
  return r;
}

TEST(Determinism, SameSeedSameRunOtherSeedOtherPaths) {
  const RunResult a = run_permutation(1);
  const RunResult b = run_permutation(1);
  // Exact equality: the event order is total (time, priority, insertion order) and
  // every random stream is derived from the seed, so nothing may differ.
  EXPECT_EQ(a.finish_ps, b.finish_ps);
  EXPECT_EQ(a.port_tx, b.port_tx);
  EXPECT_EQ(a.events, b.events);

  const RunResult c = run_permutation(2);
  // Same traffic over equally long paths (every shortest path between two hosts has
  // the same hop count) and no retransmission: the payload carried times the hops it
  // crossed is the same for any seed...
  EXPECT_EQ(a.payload_hops, c.payload_hops);
  // ...but spread over different ports: with 16 flows and 2-4 choices per hop, two
  // seeds picking the same port for every flow at every switch has negligible
  // probability.
  EXPECT_NE(a.port_tx, c.port_tx);
  size_t differing = 0;
  for (size_t i = 0; i < a.port_tx.size(); ++i) differing += a.port_tx[i] != c.port_tx[i];
  EXPECT_GT(differing, a.port_tx.size() / 10)
      << differing << " of " << a.port_tx.size() << " ports differ";
  EXPECT_NE(a.finish_ps, c.finish_ps);
}

}  // namespace
}  // namespace aifabric
