// Super-nodes and multi-plane NICs end to end: the same GPT-3-class job with its TP
// groups inside an NVL72 domain versus spread over 8-GPU servers (TP off the NIC fabric,
// and what that is worth per iteration), a MoE job's expert-parallel all-to-alls
// likewise, a 2-level NV576 domain holding the whole job,
// and a 2-plane NIC carrying a collective at twice one plane's bandwidth.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "aifabric/scenario/prepare.h"
#include "aifabric/scenario/scenario.h"
#include "aifabric/workload/llm/llm_workload.h"
#include "tests/scenario_run.h"

namespace aifabric {
namespace {

// GPT-3 175B (96 layers, h = 12288, 96 heads) on 576 GPUs: TP 24, PP 8, DP 3. TP 24
// divides both an NVL72 domain (3 TP groups) and 3 servers of 8. The rail-optimized
// fabric is the same in every case: 72 servers x 8 GPUs, 400 Gbps NICs.
constexpr const char* kFabric = R"(
topology:
  type: multi_plane
  planes: 1
  plane: {nodes: 72, gpus_per_node: 8, nodes_per_leaf: 8, spines: 8,
          host_link: {rate: 400Gbps}, fabric_link: {rate: 400Gbps}}
)";
const std::string kJob = std::string("name: gpt3-175b-576gpu-supernode") + kFabric + R"(workload:
  type: llm
  model: {name: gpt3-175b, layers: 96, hidden: 12288, heads: 96, seq_len: 2048, vocab: 50257}
  parallel: {tp: 24, pp: 8, dp: 3, global_batch: 48, micro_batch: 1}
  cluster: {gpus_per_node: 8, nvlink_rate: 7200Gbps, effective_tflops: 400}
)";

struct Outcome {
  WorkloadReport report;
  IterationPlan plan;
};

Outcome run(const std::vector<std::string>& sets) {
  auto r = testing::run_scenario_text(kJob, "super-node", sets);
  EXPECT_NE(r, nullptr);
  if (r == nullptr) return {};
  return {*r->report().workload, *r->prepared.job->plan};
}

int64_t tp_net_bytes(const IterationPlan& p) {
  int64_t most = 0;
  for (const StagePlan& s : p.stages) most = std::max(most, s.tp_net_bytes);
  return most;
}

// TP 24 over 8-GPU servers runs hierarchically: NVLink inside each server, then a ring
// per rail among the k = 3 servers over 1/8 of the buffer. NCCL's hierarchical
// all-reduce volume per GPU on the NIC is 2 (k - 1)/k x B/8 (B = the b x s x h fp16
// activation = 2048 x 12288 x 2 = 50,331,648 bytes): 8,388,608 bytes. Six all-reduces
// per layer and micro-batch (two forward, two backward: Megatron's f/g operators, and two
// again for the recomputed forward under full recomputation, the default), 12 layers per
// stage, 16 micro-batches: 6 x 12 x 16 x 8,388,608 = 9,663,676,416 bytes per GPU per
// iteration on the NIC. Inside an NVL72 domain none of it.
TEST(SuperNode, TensorParallelInsideNvl72LeavesTheNicFabric) {
  const Outcome servers = run({});
  const Outcome nvl72 = run({"topology.scale_up.gpus=72", "workload.cluster.gpus_per_node=0"});
  EXPECT_EQ(tp_net_bytes(servers.plan), int64_t{6} * 12 * 16 * 8'388'608);
  EXPECT_EQ(tp_net_bytes(nvl72.plan), 0);
  EXPECT_EQ(nvl72.plan.cluster.gpus_per_node, 72);
  EXPECT_EQ(nvl72.plan.cluster.nvlink_rate, BitRate::gbps(7200));
  // The same kernels: the iteration differs by the TP communication the NICs add.
  EXPECT_EQ(servers.plan.stages[0].kernels, nvl72.plan.stages[0].kernels);
  const double t_servers = servers.report.iteration.to_seconds();
  const double t_nvl72 = nvl72.report.iteration.to_seconds();
  std::printf(
      "GPT-3 175B, 576 GPUs, TP 24: 8-GPU servers %.3f s/iteration, NVL72 %.3f s "
      "(%.1f %% faster); TP on the NICs %.2f GB vs 0 per GPU per iteration\n",
      t_servers, t_nvl72, 100 * (1 - t_nvl72 / t_servers),
      static_cast<double>(tp_net_bytes(servers.plan)) / 1e9);
  EXPECT_LT(t_nvl72, t_servers);
  // Bounds on the difference, from the NIC's payload goodput (400G less RoCE framing at
  // a 4 KiB MTU). Lower: half the TP bytes' NIC time (TP is on every stage's critical
  // path without TP overlap; the larger NVLink ring of NVL72 costs back at most as much
  // as the servers' in-node part saves). Upper: the TP NIC time plus its ring steps'
  // latencies (4 steps x 5 us per all-reduce), stretched by the 1F1B pipeline's
  // (M + P - 1)/M, plus all of the pipeline sends and data-parallel all-reduces, which
  // NVL72 also moves off the NICs (Megatron's rank order puts TP, then DP ranks next to
  // each other: a domain holds 3 TP groups of one stage), 5 % for the alpha-beta
  // backend's measured goodput and step latencies beyond this framing.
  const double goodput = 400e9 / 8 * 4096.0 / (4096 + 82);
  const double nic_time = static_cast<double>(tp_net_bytes(servers.plan)) / goodput;
  const double steps = 6.0 * 12 * 16 * 4 * 5e-6;
  int64_t pp_dp_bytes = 0;
  for (const StagePlan& st : servers.plan.stages) {
    pp_dp_bytes = std::max(pp_dp_bytes, st.pp_bytes + st.dp_bytes);
  }
  const double upper = 1.05 * ((16.0 + 8 - 1) / 16 * (nic_time + steps) +
                               static_cast<double>(pp_dp_bytes) / goodput);
  EXPECT_GT(t_servers - t_nvl72, 0.5 * nic_time) << "NIC TP time " << nic_time << " s";
  EXPECT_LT(t_servers - t_nvl72, upper) << "NIC TP time " << nic_time << " s";
}

// NV576: the whole job in one 2-level NVLink domain (8 first-level groups of 72). TP
// stays in a group; pipeline and data-parallel traffic move from the NICs to NVLink,
// so the iteration is no longer than with NVL72 domains and the NIC fabric carries
// nothing.
TEST(SuperNode, Nv576HoldsTheWholeJobOnNvlink) {
  const Outcome nvl72 = run({"topology.scale_up.gpus=72", "workload.cluster.gpus_per_node=0"});
  const Outcome nv576 = run({"topology.scale_up.gpus=576", "topology.scale_up.group=72",
                             "workload.cluster.gpus_per_node=0"});
  EXPECT_EQ(nv576.plan.cluster.gpus_per_node, 576);
  EXPECT_LE(nv576.report.iteration, nvl72.report.iteration);
  for (const TrafficLine& t : nv576.plan.traffic) {
    EXPECT_EQ(t.medium.find("network"), std::string::npos) << t.kind << ": " << t.medium;
  }
}

// Expert parallelism inside the domain when it fits: a MoE job (48 experts, top-2) on
// the same 576 GPUs with TP 1, PP 8, DP 72 and EP 24. Megatron's rank order puts a
// stage's data ranks next to each other, so an EP group is 24 consecutive GPUs: three
// 8-GPU servers (its all-to-all crosses the NICs: with uniform routing 16/24 of each
// GPU's dispatch goes to other servers) or a third of an NVL72 domain (NVLink only).
const std::string kMoeJob = std::string("name: moe-576gpu-supernode") + kFabric + R"(workload:
  type: llm
  model: {name: moe-48x, layers: 8, hidden: 4096, heads: 32, kv_heads: 8, ffn_hidden: 14336,
          gated_mlp: true, bias: false, learned_positions: false, tied_embeddings: false,
          seq_len: 4096, vocab: 32000, experts: 48, top_k: 2, precision: bf16}
  parallel: {tp: 1, pp: 8, dp: 72, ep: 24, global_batch: 144, micro_batch: 1}
  cluster: {gpus_per_node: 8, nvlink_rate: 7200Gbps, effective_tflops: 400}
)";

TEST(SuperNode, ExpertParallelInsideNvl72LeavesTheNicFabric) {
  struct Ep {
    int64_t network = 0, nvlink = 0;
    double iteration = 0;
  };
  auto run_moe = [](const std::vector<std::string>& sets) {
    Ep e;
    auto r = testing::run_scenario_text(kMoeJob, "moe-super-node", sets);
    EXPECT_NE(r, nullptr);
    if (r == nullptr) return e;
    const Job& job = *r->prepared.job;
    for (const Task& t : job.graph.tasks()) {
      if (t.kind != TaskKind::kTransfer || job.graph.groups()[t.group].kind != "all_to_all") {
        continue;
      }
      (job.map.same_node(t.rank, t.peer) ? e.nvlink : e.network) += t.bytes;
    }
    e.iteration = r->report().workload->iteration.to_seconds();
    return e;
  };
  const Ep servers = run_moe({});
  const Ep nvl72 = run_moe({"topology.scale_up.gpus=72", "workload.cluster.gpus_per_node=0"});
  std::printf(
      "MoE 48x, EP 24 on 576 GPUs: all-to-all on the NICs %.2f GB (8-GPU servers) vs %.2f GB "
      "(NVL72); iteration %.3f s vs %.3f s\n",
      static_cast<double>(servers.network) / 1e9, static_cast<double>(nvl72.network) / 1e9,
      servers.iteration, nvl72.iteration);
  ASSERT_GT(servers.network + servers.nvlink, 0) << "no all-to-all in the job";
  // Uniform routing: 16 of a GPU's 23 peers are on other servers; the sampled routing
  // keeps the network share within a few points of 16/23.
  const double share =
      static_cast<double>(servers.network) / static_cast<double>(servers.network + servers.nvlink);
  EXPECT_NEAR(share, 16.0 / 23, 0.05) << share;
  EXPECT_EQ(nvl72.network, 0);
  EXPECT_EQ(nvl72.nvlink, servers.network + servers.nvlink);  // the same exchange
  EXPECT_LT(nvl72.iteration, servers.iteration);
}

// gpus_per_node 0 with no declared domain is refused naming the key.
TEST(SuperNode, DomainFromATopologyThatHasNoneIsRefused) {
  auto s = load_scenario_text(kJob, "super-node", {"workload.cluster.gpus_per_node=0"});
  ASSERT_TRUE(s.is_ok()) << s.status().message();
  auto p = prepare_run(**s);
  ASSERT_FALSE(p.is_ok());
  EXPECT_NE(p.status().message().find("workload.cluster.gpus_per_node"), std::string::npos)
      << p.status().message();
}

// A 2-plane NIC (two 200G ports, one per plane) carries a large all-reduce's ring at the
// bandwidth of one 400G port: each connection is split over the planes, and each plane
// is a full rail-optimized fabric. One plane of 200G takes twice as long (bandwidth-bound
// at 64 MiB: within 5 %).
TEST(MultiPlane, TwoPlanesOfHalfTheRateMatchOnePlaneOfTheFullRate) {
  const std::string yaml = R"(
name: two-plane-allreduce
topology:
  type: multi_plane
  planes: 2
  plane: {nodes: 8, gpus_per_node: 1, nodes_per_leaf: 4, spines: 2,
          host_link: {rate: 200Gbps}, fabric_link: {rate: 400Gbps}}
workload: {type: collective, op: all_reduce, size: 64MiB}
)";
  auto two = testing::run_scenario_text(yaml, "planes", {});
  auto one = testing::run_scenario_text(yaml, "planes", {"topology.planes=1"});
  auto fast = testing::run_scenario_text(
      yaml, "planes", {"topology.planes=1", "topology.plane.host_link.rate=400Gbps"});
  ASSERT_NE(two, nullptr);
  ASSERT_NE(one, nullptr);
  ASSERT_NE(fast, nullptr);
  const double t2 = two->report().collective->time.to_seconds();
  const double t1 = one->report().collective->time.to_seconds();
  const double tf = fast->report().collective->time.to_seconds();
  EXPECT_NEAR(t2 / tf, 1.0, 0.05) << t2 << " vs " << tf;
  EXPECT_NEAR(t1 / t2, 2.0, 0.10) << t1 << " vs " << t2;
}

}  // namespace
}  // namespace aifabric
