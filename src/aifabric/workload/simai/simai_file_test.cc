// SimAI/AICB workload files: what is read from a well-formed file, every malformed or
// unmappable input refused with "source:line: why", the groups against SimAI's
// MockNccl layout, and the task graph's shape (SimAI's layer order) task by task.
#include <gtest/gtest.h>

#include <set>
#include <sstream>

#include "aifabric/workload/simai/simai_workload.h"

namespace aifabric {
namespace {

Result<SimaiWorkload> read(const std::string& text) {
  std::istringstream in(text);
  return read_simai_workload(in, "w.txt");
}

constexpr const char* kHeader =
    "HYBRID_TRANSFORMER_FWD_IN_BCKWD model_parallel_NPU_group: 2 ep: 1 pp: 1 vpp: 8 ga: 1 "
    "all_gpus: 4 checkpoints: 0 checkpoint_initiates: 0\n";

TEST(SimaiFile, ReadsAicbStyleFile) {
  auto w = read(std::string(kHeader) +
                "2\n"
                "embedding_layer\t-1\t556000\tALLREDUCE\t16777216\t1\tNONE\t0\t1\tNONE\t0\t100\n"
                "mlp  -1 10 ALLGATHER_EP 4096 20 REDUCESCATTER_DP_EP 8192 30 ALLTOALL 65536 0\n");
  ASSERT_TRUE(w.is_ok()) << w.status().message();
  EXPECT_EQ(w->policy, "HYBRID_TRANSFORMER_FWD_IN_BCKWD");
  EXPECT_EQ(w->tp, 2u);
  EXPECT_EQ(w->ep, 1u);
  EXPECT_EQ(w->all_gpus, 4u);
  ASSERT_EQ(w->layers.size(), 2u);
  const SimaiLayer& a = w->layers[0];
  EXPECT_EQ(a.name, "embedding_layer");
  EXPECT_EQ(a.line, 3u);
  EXPECT_EQ(a.fwd_compute, Time::ns(556000));
  EXPECT_EQ(a.fwd.op, SimaiOp::kAllReduce);
  EXPECT_EQ(a.fwd.group, SimaiGroup::kTp);
  EXPECT_EQ(a.fwd.bytes, 16777216);
  EXPECT_EQ(a.ig.op, SimaiOp::kNone);
  EXPECT_EQ(a.update, Time::ns(100));
  const SimaiLayer& b = w->layers[1];
  EXPECT_EQ(b.fwd.op, SimaiOp::kAllGather);
  EXPECT_EQ(b.fwd.group, SimaiGroup::kEp);
  EXPECT_EQ(b.ig.op, SimaiOp::kReduceScatter);
  EXPECT_EQ(b.ig.group, SimaiGroup::kDpEp);
  // Without a suffix the weight-gradient collective is the data-parallel group's.
  EXPECT_EQ(b.wg.op, SimaiOp::kAllToAll);
  EXPECT_EQ(b.wg.group, SimaiGroup::kDp);
  EXPECT_EQ(b.wg_compute, Time::ns(30));
}

TEST(SimaiFile, HeaderWithoutAllGpusAndSizeZeroCollectivesRead) {
  auto w = read(
      "HYBRID_TRANSFORMER model_parallel_NPU_group: 8 pp_comm: 0\n1\n"
      "x -1 1 REDUCESCATTER 0 1 NONE 0 1 NONE 0 100\n");
  ASSERT_TRUE(w.is_ok()) << w.status().message();
  EXPECT_EQ(w->all_gpus, 0u);
  EXPECT_EQ(w->layers[0].fwd.op, SimaiOp::kNone);  // AICB's empty collective
}

struct Bad {
  std::string text;
  const char* message;  // the whole error must start with this
};

TEST(SimaiFile, RefusesBadInputNamingTheLine) {
  const std::string h = kHeader;
  const std::string ok = "x -1 1 NONE 0 1 NONE 0 1 NONE 0 1\n";
  const Bad cases[] = {
      {"", "w.txt:1: the file is empty"},
      {"TRANSFORMERZ model_parallel_NPU_group: 2\n1\n" + ok,
       "w.txt:1: unknown parallelism policy 'TRANSFORMERZ'"},
      {"MICRO\n1\n" + ok, "w.txt:1: parallelism policy MICRO cannot be mapped"},
      {"HYBRID_TRANSFORMER pp: 4 pp_comm: 100\n1\n" + ok, "w.txt:1: pp: 4 cannot be mapped"},
      {"HYBRID_TRANSFORMER checkpoints: 1 3 checkpoint_initiates: 1 5\n1\n" + ok,
       "w.txt:1: checkpoints (recomputation"},
      {"HYBRID_TRANSFORMER checkpoints: 2 3\n1\n" + ok,
       "w.txt:1: header key checkpoints: announces 2 layers but lists 1"},
      {"HYBRID_TRANSFORMER tp: 2\n1\n" + ok, "w.txt:1: unknown header key 'tp:'"},
      {"HYBRID_TRANSFORMER ep: 2 ep: 2\n1\n" + ok, "w.txt:1: header key ep: appears twice"},
      {"HYBRID_TRANSFORMER ep:\n1\n" + ok, "w.txt:1: header key ep: has no value"},
      {"HYBRID_TRANSFORMER ep: -1\n1\n" + ok, "w.txt:1: ep: '-1' is negative"},
      {"HYBRID_TRANSFORMER model_parallel_NPU_group: 0\n1\n" + ok,
       "w.txt:1: model_parallel_NPU_group and ep must be at least 1"},
      {"HYBRID_TRANSFORMER all_gpus: 99999999\n1\n" + ok, "w.txt:1: a group or GPU count above"},
      {h, "w.txt:1: the file ends after the header"},
      {h + "0\n", "w.txt:2: the layer count is 0"},
      {h + "2 3\n", "w.txt:2: expected the layer count alone"},
      // Hostile counts are compared with what the file holds before anything is allocated.
      {h + "18446744073709551615\n" + ok, "w.txt:2: layer count 18446744073709551615 is more"},
      {h + "99999999999999999999\n" + ok, "w.txt:2: layer count '99999999999999999999'"},
      {h + "3\n" + ok + ok + ok.substr(0, 30) + "\n", "w.txt:5: expected 12 fields"},
      {h + "2\n" + ok + "x -1 1 NONE 0 1 NONE 0 1 NONE 0\n", "w.txt:4: expected 12 fields"},
      {h + "1\nx -1 1 ALLREDUCE_TP 8 1 NONE 0 1 NONE 0 1\n",
       "w.txt:3: forward: unknown communication type 'ALLREDUCE_TP'"},
      {h + "1\nx -1 1 NONE 0 1 SENDRECV 8 1 NONE 0 1\n",
       "w.txt:3: input-gradient: unknown communication type 'SENDRECV'"},
      {h + "1\nx -1 0 BROADCAST_EP 16384 1 NONE 0 1 NONE 0 100\n",
       "w.txt:3: forward: communication 'BROADCAST_EP' cannot be mapped"},
      {h + "1\nx -1 1 NONE 0 1 NONE 0 1 ALLREDUCEALLTOALL_EP 8 1\n",
       "w.txt:3: weight-gradient: communication 'ALLREDUCEALLTOALL_EP' cannot be mapped"},
      {h + "1\nx -1 1 NONE 5 1 NONE 0 1 NONE 0 1\n",
       "w.txt:3: forward: communication NONE with size 5"},
      {h + "1\nx -1 1 ALLREDUCE 2199023255553 1 NONE 0 1 NONE 0 1\n",
       "w.txt:3: forward: communication size 2199023255553 is above the limit 1099511627776"},
      {h + "1\nx -1 1000000000001 NONE 0 1 NONE 0 1 NONE 0 1\n",
       "w.txt:3: forward compute time 1000000000001 is above the limit"},
      {h + "1\nx -1 1.5 NONE 0 1 NONE 0 1 NONE 0 1\n", "w.txt:3: forward compute time '1.5'"},
      {h + "1\nx 3 1 NONE 0 1 NONE 0 1 NONE 0 1\n", "w.txt:3: dependency field '3': expected -1"},
      {h + "1\n" + ok + ok, "w.txt:4: more lines than the layer count (1)"},
      {h + "1\nx -1 1 NONE 0 1 NONE\x01 0 1 NONE 0 1\n", "w.txt:3: byte \\x01 at column"},
  };
  for (const Bad& c : cases) {
    auto w = read(c.text);
    ASSERT_FALSE(w.is_ok()) << c.text;
    EXPECT_EQ(w.status().message().rfind(c.message, 0), 0u)
        << "input: " << c.text << "\nmessage: " << w.status().message();
  }
}

std::set<std::vector<uint32_t>> as_set(const std::vector<std::vector<uint32_t>>& g) {
  return {g.begin(), g.end()};
}

// MockNccl's layout for 8 ranks, TP 2, EP 2 (DP 4, DP_EP 2).
TEST(SimaiWorkload, GroupsFollowMockNcclLayout) {
  using G = std::set<std::vector<uint32_t>>;
  EXPECT_EQ(as_set(simai_groups(SimaiGroup::kTp, 8, 2, 2)), (G{{0, 1}, {2, 3}, {4, 5}, {6, 7}}));
  EXPECT_EQ(as_set(simai_groups(SimaiGroup::kDp, 8, 2, 2)), (G{{0, 2, 4, 6}, {1, 3, 5, 7}}));
  EXPECT_EQ(as_set(simai_groups(SimaiGroup::kEp, 8, 2, 2)), (G{{0, 2}, {1, 3}, {4, 6}, {5, 7}}));
  EXPECT_EQ(as_set(simai_groups(SimaiGroup::kDpEp, 8, 2, 2)), (G{{0, 4}, {1, 5}, {2, 6}, {3, 7}}));
}

// Two ranks, TP 2: per layer forward compute and all-reduce, then backward from the last
// layer: input-gradient compute and all-reduce, weight-gradient compute. Each blocking
// collective is followed by its update on both ranks, and the next compute waits for it.
TEST(SimaiWorkload, GraphFollowsSimaiLayerOrder) {
  auto w = read(
      "HYBRID_TRANSFORMER model_parallel_NPU_group: 2 all_gpus: 2\n2\n"
      "a -1 1000 ALLREDUCE 2048 2000 ALLREDUCE 8192 3000 NONE 0 7\n"
      "b -1 4000 NONE 0 5000 NONE 0 6000 NONE 0 7\n");
  ASSERT_TRUE(w.is_ok()) << w.status().message();
  const ClusterMap map = ClusterMap::linear(2, 2);
  auto g = build_simai_graph(*w, map, {});
  ASSERT_TRUE(g.is_ok()) << g.status().message();
  ASSERT_TRUE(validate_task_graph(*g, 2).is_ok());
  // Compute durations in order on rank 0: fwd a, update, fwd b, ig b, wg b, ig a,
  // update, wg a.
  std::vector<int64_t> rank0;
  int64_t transfer_bytes = 0;
  for (const Task& t : g->tasks()) {
    if (t.kind == TaskKind::kCompute && t.rank == 0) rank0.push_back(t.duration.ps() / 1000);
    if (t.kind == TaskKind::kTransfer) transfer_bytes += t.bytes;
  }
  EXPECT_EQ(rank0, (std::vector<int64_t>{1000, 7, 4000, 5000, 6000, 2000, 7, 3000}));
  // Ring all-reduce of 2 ranks: 2 steps of half the buffer each way. The forward one is
  // raised to SimAI's 4 KiB minimum: 2 x 2 x 2048; the input-gradient one 2 x 2 x 4096.
  EXPECT_EQ(transfer_bytes, 2 * 2 * 2048 + 2 * 2 * 4096);
  // Every compute of rank 0 after the first depends on the task before it in that order
  // or on a collective's transfer.
  for (size_t i = 1; i < g->size(); ++i) {
    const Task& t = g->tasks()[i];
    if (t.kind == TaskKind::kCompute && t.rank == 0) EXPECT_FALSE(t.deps.empty()) << i;
  }
}

// AICB's first layer broadcasts 16 KiB, which SimAI simulates as nothing: refused
// unless skip_broadcast, then the layer is its compute alone.
TEST(SimaiWorkload, BroadcastIsRefusedUnlessSkippedAsSimaiDoes) {
  auto w = read(
      "HYBRID_TRANSFORMER model_parallel_NPU_group: 2 all_gpus: 2\n1\n"
      "norm -1 0 BROADCAST 16384 1 NONE 0 1 NONE 0 100\n");
  ASSERT_TRUE(w.is_ok()) << w.status().message();
  auto g = build_simai_graph(*w, ClusterMap::linear(2, 2), {});
  ASSERT_FALSE(g.is_ok());
  EXPECT_EQ(g.status().message().rfind("w.txt:3: fwd: BROADCAST cannot be mapped", 0), 0u)
      << g.status().message();
  SimaiGraphOptions skip;
  skip.skip_broadcast = true;
  g = build_simai_graph(*w, ClusterMap::linear(2, 2), skip);
  ASSERT_TRUE(g.is_ok()) << g.status().message();
  for (const Task& t : g->tasks()) EXPECT_EQ(t.kind, TaskKind::kCompute);
  EXPECT_EQ(g->size(), 4u);  // ig and wg compute (1 ns) on both ranks; forward is 0
}

// A 3-line file naming 2^20 ranks in one data-parallel group would make a ring of
// 2 x 2^40 transfers: refused before anything is added.
TEST(SimaiWorkload, HostileRankCountIsRefusedBeforeTheGraphGrows) {
  auto w = read(
      "HYBRID_TRANSFORMER model_parallel_NPU_group: 1 all_gpus: 1048576\n1\n"
      "x -1 0 NONE 0 0 NONE 0 0 ALLREDUCE 1048576 0\n");
  ASSERT_TRUE(w.is_ok()) << w.status().message();
  auto g = build_simai_graph(*w, ClusterMap::linear(1 << 20, 8), {});
  ASSERT_FALSE(g.is_ok());
  EXPECT_EQ(g.status().message().rfind("w.txt:3: the job would have more than 20000000 tasks", 0),
            0u)
      << g.status().message();
}

TEST(SimaiWorkload, GroupSizesThatDoNotDivideTheRanksAreRefused) {
  auto w = read(
      "HYBRID_TRANSFORMER model_parallel_NPU_group: 4 ep: 3\n1\n"
      "x -1 1 NONE 0 1 NONE 0 1 NONE 0 1\n");
  ASSERT_TRUE(w.is_ok());
  auto g = build_simai_graph(*w, ClusterMap::linear(6, 8), {});
  ASSERT_FALSE(g.is_ok());
  EXPECT_EQ(g.status().message(),
            "w.txt:1: model_parallel_NPU_group 4 does not divide the 6 ranks");
  g = build_simai_graph(*w, ClusterMap::linear(8, 8), {});
  ASSERT_FALSE(g.is_ok());
  EXPECT_EQ(g.status().message().rfind("w.txt:1: ep 3 does not divide the data-parallel size 2", 0),
            0u)
      << g.status().message();
}

}  // namespace
}  // namespace aifabric
