// The NCCL model's ring all-reduce on the packet-level fabric: two 8-GPU servers on a
// rail-optimised 400G fabric; every NIC carries its channel, and the packets' time
// agrees with the alpha-beta backend on the same graph (the fabric is idle and
// non-blocking, so only the per-packet framing separates them).
#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <numeric>

#include "aifabric/scenario/scenario.h"
#include "aifabric/scenario/simulate.h"
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

// `workload: {type: collective}` takes the NCCL model too: with a protocol the packet
// run matches the alpha-beta run of the NCCL graph (Simple's 14 us network hops make it
// slower than the whole-step model at this size, 8 ranks x 16 MiB).
TEST(NcclPacket, ScenarioCollectiveWithAProtocolRunsTheNcclGraph) {
  const char* yaml = R"(
topology: {type: leaf_spine, leaves: 2, spines: 2, hosts_per_leaf: 4}
cc: {algorithm: none}
workload: {type: collective, op: all_reduce, size: 16MiB}
telemetry: {enabled: false}
)";
  std::unique_ptr<Scenario> scenario;
  auto busbw = [&](const std::vector<std::string>& sets) {
    auto s = load_scenario_text(yaml, "nccl", sets);
    EXPECT_TRUE(s.is_ok()) << s.status().message();
    if (!s) return 0.0;
    scenario = std::move(s).value();
    auto p = prepare_run(*scenario);
    EXPECT_TRUE(p.is_ok()) << p.status().message();
    if (!p) return 0.0;
    auto sim = simulate(*p, nullptr);
    EXPECT_TRUE(sim.is_ok());
    if (!sim || !(*sim)->report.collective) return 0.0;
    EXPECT_TRUE((*sim)->report.collective->finished());
    return (*sim)->report.collective->busbw_gbs;
  };
  const double whole = busbw({});
  const double nccl = busbw({"workload.protocol=simple", "workload.channels=2"});
  // The same graph on the alpha-beta backend.
  auto graph = build_topology(*scenario);
  ASSERT_TRUE(graph.is_ok());
  const AlphaBeta ab = alpha_beta(*graph, TransportConfig{}, 0);
  CollectiveSpec spec;
  spec.bytes = 16 << 20;
  spec.protocol = NcclProtocol::kSimple;
  spec.channels = 2;
  spec.net_alpha = ab.net_alpha;
  spec.net_goodput = ab.net_beta.scaled(ab.net_efficiency);
  const ClusterMap map = ClusterMap::linear(8, 1);
  std::vector<uint32_t> ranks(8);
  std::iota(ranks.begin(), ranks.end(), 0U);
  TaskGraph g;
  ASSERT_TRUE(add_collective(g, spec, ranks, {}, map, "ar").is_ok());
  auto t = run_analytic(g, map, ab);
  ASSERT_TRUE(t.is_ok());
  const double expect = 16.0 * (1 << 20) / t->makespan().to_seconds() / 1e9 * 2 * 7 / 8;
  std::printf(
      "8 hosts, 16 MiB all-reduce: whole-step %.1f GB/s, NCCL Simple x 2 %.1f (alpha-beta "
      "%.1f)\n",
      whole, nccl, expect);
  EXPECT_NEAR(nccl / expect, 1.0, 0.05);          // measured +3.7 %: alpha counts the ACK return
  EXPECT_GT(std::abs(nccl / whole - 1.0), 0.05);  // not the whole-step graph
}

}  // namespace
}  // namespace aifabric
