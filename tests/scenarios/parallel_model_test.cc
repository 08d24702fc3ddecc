// The parallel model (engine/packet/parallel_model.h): the fabric split along links as
// a conservative engine would split it, and a run watched through the window model
// without changing it. The partitioner is checked against a fat-tree's structure (a
// pod is never split; only the links above the pods are cut, and the lookahead is
// their delay), the model against the run's own totals.
#include "aifabric/engine/packet/parallel_model.h"

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "aifabric/scenario/prepare.h"
#include "aifabric/scenario/scenario.h"
#include "aifabric/scenario/simulate.h"

namespace aifabric {
namespace {

// A k=4 fat-tree (16 hosts, 4 pods of 2 edge and 2 aggregation switches, 4 cores) whose
// agg-core links are slower to cross (700 ns) than the rest (1 us, 300 ns).
constexpr const char* kFatTree = R"(
name: parallel-model
topology:
  type: fat_tree
  k: 4
  host_link: {rate: 400Gbps, delay: 300ns}
  edge_agg_link: {rate: 400Gbps, delay: 1us}
  agg_core_link: {rate: 400Gbps, delay: 700ns}
switch: {pfc: {enabled: true}}
cc: {algorithm: none}
telemetry: {enabled: false}
traffic:
  - {type: permutation, size: 256KiB}
)";

struct Prepared {
  std::unique_ptr<Scenario> scenario;
  PreparedRun run;
};

std::unique_ptr<Prepared> prepare(const std::vector<std::string>& sets = {}) {
  auto s = load_scenario_text(kFatTree, "parallel-model", sets);
  EXPECT_TRUE(s.is_ok()) << s.status().message();
  if (!s) return nullptr;
  auto out = std::make_unique<Prepared>();
  out->scenario = std::move(s).value();
  auto p = prepare_run(*out->scenario);
  EXPECT_TRUE(p.is_ok()) << p.status().message();
  if (!p) return nullptr;
  out->run = std::move(p).value();
  return out;
}

TEST(ParallelModel, BlocksKeepPodsWholeAndCutOnlyAboveThem) {
  auto p = prepare();
  ASSERT_NE(p, nullptr);
  const TopologyGraph& g = p->run.graph;
  const Partitioning one = partition_fabric(g, 1);
  EXPECT_TRUE(one.cut_links.empty());
  EXPECT_EQ(one.lookahead, Time::max());

  const Partitioning two = partition_fabric(g, 2);
  ASSERT_EQ(two.parts, 2);
  // Hosts 0-7 (pods 0, 1) and 8-15 (pods 2, 3); every switch below the cores goes with
  // its pod's hosts, so only agg-core links are cut: each core reaches every pod once,
  // two pods per side, so two of its four links are cut: 8 in all.
  for (size_t i = 0; i < g.hosts().size(); ++i) {
    EXPECT_EQ(two.part_of_node[g.hosts()[i]], i < 8 ? 0 : 1) << "host " << i;
  }
  std::map<int, int> cores_per_part;
  for (uint32_t l : two.cut_links) {
    const TopoLink& link = g.links()[l];
    const int top = std::max(g.nodes()[link.a].tier, g.nodes()[link.b].tier);
    EXPECT_EQ(top, 3) << "cut link " << l << " is not an agg-core link";
  }
  EXPECT_EQ(two.cut_links.size(), 8U);
  for (uint32_t v = 0; v < g.nodes().size(); ++v) {
    if (g.nodes()[v].tier == 3) ++cores_per_part[two.part_of_node[v]];
  }
  // The cores, alike to both sides, are shared evenly.
  EXPECT_EQ(cores_per_part[0], 2);
  EXPECT_EQ(cores_per_part[1], 2);
  EXPECT_EQ(two.lookahead, Time::ns(700));

  // Round robin splits every edge switch's hosts: host links are cut and set the lookahead.
  const Partitioning strided = partition_fabric(g, 2, Placement::kStrided);
  EXPECT_EQ(strided.lookahead, Time::ns(300));
  // More partitions than hosts: one host each.
  EXPECT_EQ(partition_fabric(g, 1000).parts, 16);
}

TEST(ParallelModel, WatchingARunChangesNothingAndCountsEveryEvent) {
  auto p = prepare();
  ASSERT_NE(p, nullptr);
  auto plain = simulate(p->run, nullptr);
  ASSERT_TRUE(plain.is_ok()) << plain.status().message();
  const std::vector<int> parts{1, 2, 4};
  auto watched = simulate(p->run, nullptr, parts);
  ASSERT_TRUE(watched.is_ok()) << watched.status().message();
  const RunReport& a = plain.value()->report;
  const RunReport& b = watched.value()->report;
  ASSERT_EQ(a.flows.size(), b.flows.size());
  for (size_t i = 0; i < a.flows.size(); ++i) EXPECT_EQ(a.flows[i].fct, b.flows[i].fct);
  EXPECT_EQ(a.events, b.events);
  EXPECT_EQ(a.packet_hops, b.packet_hops);

  Simulation& sim = *watched.value();
  ASSERT_NE(sim.parallel, nullptr);
  const auto est = sim.parallel->estimates(*sim.net, 1.0, 1e-7);
  ASSERT_EQ(est.size(), 5U);  // P=1, then blocks and strided for 2 and 4
  for (const ParallelEstimate& e : est) {
    // Every event the run ran has a home: the devices, their ports and queue pairs.
    EXPECT_EQ(e.events, b.events) << "P=" << e.parts;
    EXPECT_EQ(e.serial_events, 0U);
    EXPECT_EQ(e.early_starts, 0U);  // every flow was handed over at set-up
    EXPECT_GE(e.critical_events * static_cast<uint64_t>(e.parts), e.events);
    EXPECT_LE(e.critical_events, e.events);
  }
  EXPECT_EQ(est[0].windows, 1U);
  EXPECT_DOUBLE_EQ(est[0].projected_speedup, 1.0);
  EXPECT_EQ(est[0].messages, 0);
  // Windows are as long as the lookahead, so a run of T us holds at most T / 0.7 + 1 of
  // them, and every flow between the halves crosses a cut link (each of its packets
  // and acknowledgements at least once).
  const ParallelEstimate& two = est[1];
  EXPECT_EQ(two.lookahead, Time::ns(700));
  EXPECT_LE(static_cast<double>(two.windows), b.sim_end.to_us() / 0.7 + 1);
  const int64_t mtu = sim.net->config().transport.mtu.count();
  int64_t crossing = 0;
  for (const FlowRow& f : b.flows) {
    if ((f.spec.src < 8) != (f.spec.dst < 8)) crossing += (f.spec.size + mtu - 1) / mtu;
  }
  EXPECT_GT(crossing, 0);
  EXPECT_GE(two.messages, crossing);
  EXPECT_GT(two.ideal_speedup, 1.0);
}

}  // namespace
}  // namespace aifabric
