// The NCCL model's ring all-reduce on the packet-level fabric: two 8-GPU servers on a
// rail-optimised 400G fabric; every NIC carries its channel, and the packets' time
// agrees with the alpha-beta backend on the same graph (the fabric is idle and
// non-blocking, so only the per-packet framing separates them).
#include <gtest/gtest.h>

#include <numeric>

#include "aifabric/topo/builders/rail_optimized/rail_optimized.h"
#include "aifabric/workload/collectives/collectives.h"
#include "aifabric/workload/executor.h"
#include "tests/test_fabric.h"

namespace aifabric {
namespace {

TEST(NcclPacket, RingAllReduceUsesEveryRailAndAgreesWithAlphaBeta) {
  testing::TestFabric tf;
  RailOptimizedConfig c;
  c.nodes = 2;
  c.gpus_per_node = 8;
  c.nodes_per_leaf = 2;
  c.spines = 1;
  tf.graph = build_rail_optimized(c);
  Network& net = tf.build();
  ClusterMap map = ClusterMap::linear(16, 8);
  map.nvlink_rate = BitRate::gbps(3600);  // H100 NVLink4
  map.nvlink_efficiency = 0.8;
  const AlphaBeta ab = alpha_beta(net, 0);
  CollectiveSpec spec;
  spec.bytes = 256 << 20;
  spec.protocol = NcclProtocol::kAuto;
  spec.net_alpha = ab.net_alpha;
  spec.net_goodput = ab.net_beta.scaled(ab.net_efficiency);
  std::vector<uint32_t> ranks(16);
  std::iota(ranks.begin(), ranks.end(), 0U);
  TaskGraph g;
  ASSERT_TRUE(add_collective(g, spec, ranks, {}, map, "ar").is_ok());
  auto packet = run_on_network(g, map, net, Time::sec(1));
  ASSERT_TRUE(packet.is_ok()) << packet.status().message();
  auto analytic = run_analytic(g, map, ab);
  ASSERT_TRUE(analytic.is_ok());
  std::printf("2 x 8 H100, 256 MiB all-reduce: packet %.1f us, alpha-beta %.1f us\n",
              packet->makespan().to_seconds() * 1e6, analytic->makespan().to_seconds() * 1e6);
  EXPECT_NEAR(packet->makespan().to_seconds() / analytic->makespan().to_seconds(), 1.0, 0.03);
  // Every GPU's NIC sent its share: 8 channels, one per rail.
  for (uint32_t h = 0; h < 16; ++h) {
    EXPECT_GT(net.hosts()[h]->port().counters().tx_bytes, int64_t{10} << 20) << "host " << h;
  }
  testing::expect_conservation(net);
}

}  // namespace
}  // namespace aifabric
