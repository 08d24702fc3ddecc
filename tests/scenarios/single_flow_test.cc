// One flow on an idle 400 Gbps path: goodput must equal the line rate times the
// payload share of each frame, and the completion time must match the analytic
// store-and-forward pipeline (Network::ideal_fct, derived independently below).
#include <gtest/gtest.h>

#include "aifabric/topo/builders/fat_tree/fat_tree.h"
#include "aifabric/topo/builders/leaf_spine/leaf_spine.h"
#include "aifabric/topo/builders/rail_optimized/rail_optimized.h"
#include "tests/test_fabric.h"

namespace aifabric {
namespace {

TEST(SingleFlow, LineRateGoodputAndIdealFct) {
  testing::TestFabric tf;
  LeafSpineConfig ls;
  ls.leaves = 2;
  ls.spines = 2;
  ls.hosts_per_leaf = 2;
  tf.graph = build_leaf_spine(ls);
  Network& net = tf.build();
  FlowSpec f;
  f.src = 0;
  f.dst = 3;  // another leaf: host -> leaf -> spine -> leaf -> host, 4 links
  f.size = 64LL * 1024 * 1024;
  ASSERT_TRUE(net.add_flows({f}).is_ok());
  net.run(Time::sec(1));
  const FlowOutcome o = net.outcome(0);
  ASSERT_EQ(o.sender->state(), SenderQp::State::kDone);
  EXPECT_EQ(o.receiver->stats().accepted_bytes, f.size);

  // Goodput at the receiver between the first and the last packet: each 4178-byte
  // frame (4096 payload + 62 header + 20 preamble/IFG) carries 4096 payload bytes.
  // Tolerance 0.5 % (the issue's); the measured window starts one packet late, so
  // the count excludes the first packet's payload.
  const double window =
      (o.receiver->stats().last_arrival - o.receiver->stats().first_arrival).to_seconds();
  const double goodput = static_cast<double>(f.size - 4096) * 8 / window;
  const double expected = 400e9 * 4096.0 / (4096.0 + 82.0);
  EXPECT_NEAR(goodput / expected, 1.0, 0.005);

  // FCT against the pipeline formula written out for this path: 4 hops of 400 Gbps,
  // 1 us each; 16384 full packets; then the 86-byte ACK back over 4 hops.
  const double ser = 4178 * 8 / 400e9;
  const double ideal = 4 * (ser + 1e-6) + (16384 - 1) * ser + 4 * (86 * 8 / 400e9 + 1e-6);
  const double fct = (o.sender->finish_time() - f.start).to_seconds();
  EXPECT_NEAR(fct / ideal, 1.0, 0.01);
  EXPECT_NEAR(net.ideal_fct(net.flows()[0]).to_seconds() / ideal, 1.0, 1e-6);
  EXPECT_EQ(o.sender->stats().retx_packets, 0);
  testing::expect_conservation(net);
}

}  // namespace
}  // namespace aifabric
