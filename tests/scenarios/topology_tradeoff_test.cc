// The architect's trade-off on one job: GPT-3 175B (TP 8, PP 8, DP 16, 1,024 GPUs) on
// the flow-level engine over a rail-optimized 2-tier fabric, the same bandwidth as two
// planes, and a 3-tier k = 16 fat-tree (examples/topology-tradeoff.yaml and
// examples/topologies/), as `aifabric sweep --vary topology=@...` runs it: iteration
// time and what each design costs in switches, links and optical modules, in one table.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include "tests/scenario_run.h"

namespace aifabric {
namespace {

std::string section(const std::string& file) {
  std::ifstream in(std::string(AIFABRIC_SOURCE_DIR) + "/examples/topologies/" + file);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::unique_ptr<testing::ScenarioRun> design(const std::string& file) {
  return testing::run_scenario_file("examples/topology-tradeoff.yaml",
                                    {"topology=" + section(file)});
}

// Hand counts. Rail-optimized: 128 servers in 4 groups of 32, 8 rails -> 32 leaves, 32
// spines = 64 switches; links 1,024 host + 32 x 32 = 2,048. Multi-plane: per plane 32
// leaves + 16 spines, 1,024 ports + 32 x 16 links; two planes: 96 switches, 3,072 links.
// Fat-tree k = 16: 5k^2/4 = 320 switches; k^3/4 = 1,024 host links + 2 x k^3/4
// fabric links = 3,072.
// Optical modules (plan/graph_modules.h: one per NIC port; on a switch, links of one
// rate share 800G cages, ceil(n x rate / 800G)). Rail-optimized: 1,024 NIC + 32 leaves x
// (16 down + 16 up cages) + 32 spines x 16 = 1,024 + 1,024 + 512 = 2,560 (the planner's
// figure for this design, docs/topologies.md). Multi-plane: 2,048 NIC (200G) + per plane
// 32 leaves x (32 x 200G = 8 + 16 x 400G = 8 cages) + 16 spines x 16 = 768, x 2 = 3,584.
// Fat-tree: 1,024 NIC + 128 edges x 8 + 128 aggregation x 8 + 64 cores x 8 = 3,584.
// Time: the two 2-tier designs give each GPU the same 400 Gbps and keep every rail's
// traffic (the DP rings of one tensor rank, the pipeline sends between servers) one leaf
// apart or over a non-blocking spine, so they agree within 1 %. The fat-tree puts a
// server's 8 GPUs under one edge switch: rail traffic climbs to aggregation and core
// through ECMP-hashed uplinks whose collisions slow the DP all-reduces: it is no faster.
TEST(TopologyTradeoff, RailOptimizedMultiPlaneAndFatTreeForOneJob) {
  auto rail = design("rail-optimized.yaml");
  auto planes = design("multi-plane.yaml");
  auto fat = design("fat-tree.yaml");
  ASSERT_NE(rail, nullptr);
  ASSERT_NE(planes, nullptr);
  ASSERT_NE(fat, nullptr);
  EXPECT_EQ(rail->report().switches, 64u);
  EXPECT_EQ(rail->report().links, 2048u);
  EXPECT_EQ(planes->report().switches, 96u);
  EXPECT_EQ(planes->report().links, 3072u);
  EXPECT_EQ(fat->report().switches, 320u);
  EXPECT_EQ(fat->report().links, 3072u);
  EXPECT_EQ(rail->report().modules, 2560);
  EXPECT_EQ(planes->report().modules, 3584);
  EXPECT_EQ(fat->report().modules, 3584);
  const double tr = rail->report().workload->iteration.to_seconds();
  const double tp = planes->report().workload->iteration.to_seconds();
  const double tf = fat->report().workload->iteration.to_seconds();
  std::printf("%-16s %14s %10s %8s %8s\n", "design", "iteration(s)", "switches", "links",
              "modules");
  for (const auto* r : {rail.get(), planes.get(), fat.get()}) {
    std::printf("%-16s %14.4f %10zu %8zu %8lld\n",
                std::string(r->scenario->topology.kind.selected().name).c_str(),
                r->report().workload->iteration.to_seconds(), r->report().switches,
                r->report().links, static_cast<long long>(r->report().modules));
  }
  EXPECT_NEAR(tp / tr, 1.0, 0.01);
  EXPECT_GE(tf, tr);
}

}  // namespace
}  // namespace aifabric
