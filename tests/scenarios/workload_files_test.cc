// The ecosystem's workload files end to end: examples/simai-workload.yaml (a SimAI
// workload on a SimAI topology) and examples/chakra-traces.yaml (Chakra traces) run
// through the scenario layer, their task counts, bytes and iteration times checked
// against hand arithmetic; bad files through the real binary: exit 2, one line, nothing
// written.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>

#include "aifabric/scenario/scenario.h"
#include "aifabric/scenario/simulate.h"
#include "aifabric/workload/job.h"
#include "tests/cli_util.h"

namespace aifabric {
namespace {

struct Ran {
  Job job;
  WorkloadReport report;
};

Ran run_example(const std::string& name, const std::vector<std::string>& sets = {}) {
  auto s = load_scenario(testing::example(name), sets);
  EXPECT_TRUE(s.is_ok()) << s.status().message();
  auto p = prepare_run(**s);
  EXPECT_TRUE(p.is_ok()) << p.status().message();
  auto sim = simulate(*p, nullptr);
  EXPECT_TRUE(sim.is_ok()) << sim.status().message();
  return {*p->job, *(*sim)->report.workload};
}

int64_t network_bytes(const Job& j) {
  int64_t b = 0;
  for (const JobTransfer& t : network_transfers(j.graph, j.map)) b += t.bytes;
  return b;
}

// 8 GPUs, two servers of 4 (the SimAI topology's NVSwitches), TP 4, DP 2; 4 layers.
// Tasks per rank: 12 computes, an update after each of the 7 tensor-parallel and 4
// data-parallel all-reduces = 23, x 8 = 184. Transfers: a 4-rank ring all-reduce is
// 6 steps x 4 = 24 per TP group, 2 groups, 7 times = 336; a 2-rank one 2 x 2 = 4 per DP
// group, 4 groups, 4 times = 64. Network bytes: each DP all-reduce of S moves 4 x 4 x S/2
// = 8 S, S summed over the layers = 16 + 32 + 64 + 32 MiB.
//
// Time: the forward pass and the backward pass down to the first weight-gradient
// all-reduce (layer 3's) are compute plus NVLink all-reduces (ring of 4 at 2400 Gbps,
// 50 ns: two NVSwitch link delays): 6 x (50 ns + S/4 / 300 GB/s), plus 0.1 us updates.
// From then on the NICs are the bottleneck: the four DP all-reduces queue back to back
// (each starts before the previous one ends), 2 steps of alpha + S/2 / (400 Gbps x eff)
// each, with eff = 4096 / (4096 + 62 + 20 + 86) (a frame's payload share: RoCE headers,
// preamble and gap, and the ACK of the flow coming the other way) and alpha about 4 us
// (1 us per hop, two hops, and the ACK back); the last update follows. Alpha is taken
// round here, hence the tolerance: 0.5 % (the 8 alphas are ~32 us of 4.9 ms).
TEST(SimaiWorkload, ExampleRunsEndToEndAgainstHandArithmetic) {
  const Ran r = run_example("simai-workload.yaml");
  ASSERT_TRUE(r.report.finished);
  EXPECT_EQ(r.job.graph.size(), 584u);
  size_t computes = 0;
  for (const Task& t : r.job.graph.tasks()) computes += t.kind == TaskKind::kCompute ? 1 : 0;
  EXPECT_EQ(computes, 184u);
  EXPECT_EQ(r.job.map.node_of_rank, (std::vector<uint32_t>{0, 0, 0, 0, 1, 1, 1, 1}));
  EXPECT_EQ(r.job.map.nvlink_rate, BitRate::gbps(2400));
  EXPECT_EQ(r.job.map.nvlink_latency, Time::ns(50));
  const int64_t mib = 1 << 20;
  EXPECT_EQ(network_bytes(r.job), 8 * (16 + 32 + 64 + 32) * mib);

  auto tp_ar = [](double bytes) { return 6 * (0.05 + bytes / 4 * 8 / 2400e3); };  // us
  const double update = 0.1;
  const double forward = 50 + tp_ar(4 * mib) + update + 2 * (300 + tp_ar(8 * mib) + update) +
                         (280 + tp_ar(8 * mib) + update);
  const double first_dp = forward + 320 + tp_ar(8 * mib) + update + 300;
  const double eff = 4096.0 / 4264;
  const double alpha = 4;
  double dp = 0;
  for (double s : {32.0, 64.0, 32.0, 16.0}) dp += 2 * (alpha + s * mib / 2 * 8 / (400e3 * eff));
  const double expected_us = first_dp + dp + update;
  const double got_us = r.report.iteration.to_seconds() * 1e6;
  EXPECT_NEAR(got_us, expected_us, 0.005 * expected_us) << "expected ~" << expected_us << " us";
}

// 4 ranks: compute 100 us, an all-reduce of 1 MiB, compute 50 us, a ring of 256 KiB
// sends/receives, compute 20 us. Two ranks per server (as the example): 12 computes,
// 24 all-reduce transfers and 4 sends = 40 tasks; on the network, half the ring steps
// (1 -> 2 and 3 -> 0: 12 transfers of 256 KiB) and two of the sends.
TEST(ChakraWorkload, ExampleRunsEndToEndAgainstHandArithmetic) {
  const Ran two = run_example("chakra-traces.yaml");
  ASSERT_TRUE(two.report.finished);
  EXPECT_EQ(two.job.graph.size(), 40u);
  EXPECT_EQ(network_bytes(two.job), 14 * 262144);
  // All four on one server: everything on NVLink (2400 Gbps, 2 us), exactly
  // 100 + 6 x (2 + 256 KiB / 300 GB/s) + 50 + (2 + 256 KiB / 300 GB/s) + 20 us.
  const Ran one = run_example("chakra-traces.yaml", {"workload.cluster.gpus_per_node=4"});
  ASSERT_TRUE(one.report.finished);
  EXPECT_EQ(network_bytes(one.job), 0);
  const double step = 2 + 262144.0 * 8 / 2400e3;
  const double expected_us = 100 + 6 * step + 50 + step + 20;
  EXPECT_NEAR(one.report.iteration.to_seconds() * 1e6, expected_us, 1e-3);  // 1 ns
  // With the network in the ring the iteration is longer.
  EXPECT_GT(two.report.iteration, one.report.iteration);
}

using testing::Cmd;
using testing::fresh_dir;
using testing::put;
using testing::run_cli;

void expect_refused(const testing::fs::path& scenario, const std::string& needle) {
  const testing::fs::path out = scenario.parent_path() / "out";
  const Cmd c = run_cli("run '" + scenario.string() + "' --out '" + out.string() + "'");
  EXPECT_EQ(c.status, 2) << c.out;
  EXPECT_NE(c.out.find(needle), std::string::npos) << c.out;
  EXPECT_EQ(std::count(c.out.begin(), c.out.end(), '\n'), 1) << "one line: " << c.out;
  EXPECT_FALSE(testing::fs::exists(out)) << "nothing may be written for bad input";
}

TEST(SimaiCli, BadWorkloadAndTopologyFilesExitTwoAndWriteNothing) {
  const auto d = fresh_dir("simai_cli");
  put(d / "w.txt",
      "HYBRID_TRANSFORMER model_parallel_NPU_group: 2 all_gpus: 2\n1\n"
      "x -1 1 ALLREDUCE_PP 8 1 NONE 0 1 NONE 0 1\n");
  put(d / "s.yaml",
      "topology: {type: leaf_spine, leaves: 1, spines: 1, hosts_per_leaf: 2}\n"
      "workload: {type: simai, file: w.txt}\n");
  expect_refused(d / "s.yaml", "w.txt:3: forward: unknown communication type 'ALLREDUCE_PP'");
  put(d / "t.txt", "4 2 1 1 3 A100\n2 3\n0 2 1Gbps 1ns 0\n1 3 1Gbps 1ns 0\n2 3 1Gbps 1ns 0\n");
  put(d / "t.yaml",
      "topology: {type: simai, file: t.txt}\n"
      "workload: {type: simai, file: w.txt}\n");
  expect_refused(d / "t.yaml", "t.txt:5: NVSwitch 2 links to switch 3");
  put(d / "m.yaml",
      "topology: {type: leaf_spine, leaves: 1, spines: 1, hosts_per_leaf: 2}\n"
      "workload: {type: simai, file: missing.txt}\n");
  expect_refused(d / "m.yaml", "missing.txt");
  testing::fs::remove_all(d);
}

TEST(ChakraCli, TruncatedAndMissingTracesExitTwoAndWriteNothing) {
  const auto d = fresh_dir("chakra_cli");
  for (int r = 0; r < 4; ++r) {
    const std::string src =
        testing::read_text(testing::example("chakra/ring4." + std::to_string(r) + ".et"));
    put(d / ("t." + std::to_string(r) + ".et"), r == 2 ? src.substr(0, src.size() - 5) : src);
  }
  put(d / "s.yaml",
      "topology: {type: leaf_spine, leaves: 2, spines: 1, hosts_per_leaf: 2}\n"
      "workload: {type: chakra, prefix: t}\n");
  expect_refused(d / "s.yaml", "t.2.et: byte ");
  put(d / "n.yaml",
      "topology: {type: leaf_spine, leaves: 2, spines: 1, hosts_per_leaf: 2}\n"
      "workload: {type: chakra, prefix: none}\n");
  expect_refused(d / "n.yaml", "workload.prefix: no trace");
  testing::fs::remove_all(d);
}

}  // namespace
}  // namespace aifabric
