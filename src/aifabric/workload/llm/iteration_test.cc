// build_iteration on a small GPT (tp 2, pp 4, dp 3, 4 micro-batches): per GPU one
// forward and one backward task per micro-batch in 1F1B order with the TP all-reduces
// folded into their durations, pipeline sends between adjacent stages only, DP
// all-reduce transfers only among ranks of the same (stage, tensor rank), and a graph
// that validates and runs.
#include "aifabric/workload/llm/iteration.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "aifabric/workload/collectives/nccl.h"
#include "aifabric/workload/executor.h"

namespace aifabric {
namespace {

constexpr int64_t kTp = 2, kPp = 4, kDp = 3, kMicroBatches = 4;

// A small GPT (h 512, 8 heads, s 256, V 1000) of `layers` layers.
ModelConfig tiny_model(int64_t layers) {
  ModelConfig m;
  m.name = "tiny";
  m.layers = layers;
  m.hidden = 512;
  m.heads = 8;
  m.seq_len = 256;
  m.vocab = 1000;
  return m;
}

IterationPlan tiny_plan(RankOrder order) {
  const ModelConfig m = tiny_model(8);  // 2 layers per stage
  ParallelConfig p;
  p.tp = kTp;
  p.pp = kPp;
  p.dp = kDp;
  p.micro_batch = 1;
  p.global_batch = kMicroBatches * kDp;  // B = micro-batches x b x dp
  p.order = order;
  ClusterConfig c;
  c.gpus_per_node = 8;
  auto plan = make_plan(m, p, c);
  EXPECT_TRUE(plan.is_ok()) << plan.status().message();
  return *plan;
}

// Where rank r sits, decoded from the placement order (fastest-varying first).
struct Coord {
  int64_t dp, pp, tp;
};
Coord coord(uint32_t r, RankOrder order) {
  const int64_t tp = r % kTp;
  const int64_t above = r / kTp;
  if (order == RankOrder::kTpDpPp) return {above % kDp, above / kDp, tp};
  return {above / kPp, above % kPp, tp};
}

bool starts_with(const std::string& s, const std::string& p) {
  return s.rfind(p, 0) == 0;
}

class Iteration : public ::testing::TestWithParam<RankOrder> {};

TEST_P(Iteration, OneForwardAndOneBackwardPerMicroBatchIn1F1BOrder) {
  const RankOrder order = GetParam();
  const IterationPlan plan = tiny_plan(order);
  ASSERT_EQ(plan.gpus, kTp * kPp * kDp);
  ASSERT_EQ(plan.micro_batches, kMicroBatches);
  auto it = build_iteration(plan);
  ASSERT_TRUE(it.is_ok()) << it.status().message();
  const TaskGraph& g = it->graph;
  // One TP all-reduce of the activation (s x b x h x 2 bytes, fp16) over NVLink as
  // NCCL runs it (collectives/nccl.h) at nvlink_rate x nvlink_efficiency.
  const int64_t act = 256 * 1 * 512 * 2;
  ASSERT_EQ(plan.stages[0].tp_allreduce_bytes_per_microbatch, act);
  NvlinkCollective nvl;
  nvl.rate = plan.cluster.nvlink_rate;
  nvl.efficiency = plan.cluster.nvlink_efficiency;
  auto tp_one = nvlink_collective_time(CollectiveOp::kAllReduce, act, kTp, nvl);
  ASSERT_TRUE(tp_one.is_ok());
  // Per layer 2 all-reduces in a forward pass, 2 in the backward plus 2 in the
  // recomputed forward (full recompute, the default) (Narayanan et al., SC 2021).
  EXPECT_EQ(plan.dense_layer.tp_forward, *tp_one * 2);
  EXPECT_EQ(plan.dense_layer.tp_backward, *tp_one * 4);
  std::map<uint32_t, std::vector<uint32_t>> per_gpu;
  for (uint32_t i = 0; i < g.size(); ++i) {
    const Task& t = g.tasks()[i];
    if (t.kind == TaskKind::kCompute && t.group == it->compute_group) per_gpu[t.rank].push_back(i);
  }
  ASSERT_EQ(per_gpu.size(), static_cast<size_t>(plan.gpus));
  for (const auto& [rank, ids] : per_gpu) {
    const Coord c = coord(rank, order);
    const StagePlan& sp = plan.stages[static_cast<size_t>(c.pp)];
    ASSERT_EQ(sp.layers, 2);
    const Time fwd = sp.forward;  // kernels and TP all-reduces of its layers
    const Time bwd = sp.backward;
    ASSERT_NE(fwd, bwd);
    // 1F1B (PipeDream-Flush): pp - stage - 1 warm-up forwards, then one forward and one
    // backward alternately, then the remaining backwards.
    std::vector<Time> expect;
    const int64_t w = std::min(kPp - c.pp - 1, kMicroBatches);
    for (int64_t k = 0; k < w; ++k) expect.push_back(fwd);
    for (int64_t k = 0; k < kMicroBatches - w; ++k) {
      expect.push_back(fwd);
      expect.push_back(bwd);
    }
    for (int64_t k = 0; k < w; ++k) expect.push_back(bwd);
    ASSERT_EQ(ids.size(), static_cast<size_t>(2 * kMicroBatches)) << "rank " << rank;
    for (size_t j = 0; j < ids.size(); ++j) {
      const Task& t = g.tasks()[ids[j]];
      EXPECT_EQ(t.duration, expect[j]) << "rank " << rank << " pass " << j;
      // A GPU's passes run one after the other: each waits for the previous one.
      if (j > 0) {
        EXPECT_NE(std::find(t.deps.begin(), t.deps.end(), ids[j - 1]), t.deps.end());
      }
      // The input of a pass is a pipeline transfer into this rank from the stage before
      // (forward) or after (backward).
      const bool forward = t.duration == fwd;
      const bool needs_input = forward ? c.pp > 0 : c.pp < kPp - 1;
      int inputs = 0;
      for (uint32_t d : t.deps) {
        const Task& dt = g.tasks()[d];
        if (dt.kind != TaskKind::kTransfer) continue;
        ++inputs;
        EXPECT_EQ(dt.peer, rank);
        EXPECT_EQ(coord(dt.rank, order).pp, c.pp + (forward ? -1 : 1));
        EXPECT_EQ(g.groups()[dt.group].name, forward ? "pp.activations" : "pp.gradients");
      }
      EXPECT_EQ(inputs, needs_input ? 1 : 0) << "rank " << rank << " pass " << j;
    }
  }
}

TEST_P(Iteration, PipelineSendsOnlyBetweenAdjacentStagesOfTheSamePipeline) {
  const RankOrder order = GetParam();
  const IterationPlan plan = tiny_plan(order);
  auto it = build_iteration(plan);
  ASSERT_TRUE(it.is_ok());
  const TaskGraph& g = it->graph;
  const int64_t act = 256 * 1 * 512 * 2;
  int activations = 0, gradients = 0;
  for (const Task& t : g.tasks()) {
    if (t.kind != TaskKind::kTransfer) continue;
    const std::string& name = g.groups()[t.group].name;
    if (name != "pp.activations" && name != "pp.gradients") continue;
    const Coord a = coord(t.rank, order), b = coord(t.peer, order);
    EXPECT_EQ(a.dp, b.dp);
    EXPECT_EQ(a.tp, b.tp);
    EXPECT_EQ(b.pp, a.pp + (name == "pp.activations" ? 1 : -1)) << name;
    EXPECT_EQ(t.bytes, act / kTp);  // Megatron's scatter-gather: 1/tp per tensor rank
    (name == "pp.activations" ? activations : gradients)++;
  }
  // Each of the dp x tp pipelines sends every micro-batch across each of its pp - 1
  // stage boundaries, once forward and once backward.
  EXPECT_EQ(activations, kDp * kTp * kMicroBatches * (kPp - 1));
  EXPECT_EQ(gradients, kDp * kTp * kMicroBatches * (kPp - 1));
}

TEST_P(Iteration, DataParallelAllReduceStaysInsideEachStageAndTensorRank) {
  const RankOrder order = GetParam();
  const IterationPlan plan = tiny_plan(order);
  auto it = build_iteration(plan);
  ASSERT_TRUE(it.is_ok());
  const TaskGraph& g = it->graph;
  std::map<uint32_t, int64_t> sent;  // DP bytes sent per rank
  int groups = 0;
  for (const TaskGroup& grp : g.groups()) groups += starts_with(grp.name, "dp.allreduce") ? 1 : 0;
  for (const Task& t : g.tasks()) {
    if (t.kind != TaskKind::kTransfer || !starts_with(g.groups()[t.group].name, "dp.allreduce")) {
      continue;
    }
    const Coord a = coord(t.rank, order), b = coord(t.peer, order);
    EXPECT_EQ(a.pp, b.pp);
    EXPECT_EQ(a.tp, b.tp);
    EXPECT_NE(a.dp, b.dp);
    sent[t.rank] += t.bytes;
  }
  // The gradients fit one 40 MiB bucket: one all-reduce per (stage, tensor rank).
  EXPECT_EQ(groups, kPp * kTp);
  // A ring all-reduce sends 2 (n - 1) / n of the buffer per rank, here the stage's
  // fp16 gradients; chunks are rounded up, so at most 2 (n - 1) bytes more.
  ASSERT_EQ(sent.size(), static_cast<size_t>(plan.gpus));
  for (const auto& [rank, bytes] : sent) {
    const StagePlan& sp = plan.stages[static_cast<size_t>(coord(rank, order).pp)];
    const int64_t grads = sp.params_per_gpu * 2;
    ASSERT_LT(grads, 40LL << 20);
    const double ring = 2.0 * (kDp - 1) / kDp * static_cast<double>(grads);
    EXPECT_GE(static_cast<double>(bytes), ring) << rank;
    EXPECT_LE(static_cast<double>(bytes), ring + 2 * (kDp - 1)) << rank;
  }
}

TEST_P(Iteration, TheGraphValidatesAndRuns) {
  const RankOrder order = GetParam();
  const IterationPlan plan = tiny_plan(order);
  auto it = build_iteration(plan);
  ASSERT_TRUE(it.is_ok());
  EXPECT_TRUE(validate_task_graph(it->graph, static_cast<uint32_t>(plan.gpus)).is_ok());
  EXPECT_TRUE(check_cluster_map(it->graph, it->map).is_ok());
  EXPECT_EQ(it->map.ranks(), static_cast<uint32_t>(plan.gpus));
  EXPECT_EQ(it->map.nvlink_rate.bits_per_second(),
            static_cast<int64_t>(static_cast<double>(plan.cluster.nvlink_rate.bits_per_second()) *
                                 plan.cluster.nvlink_efficiency));
  auto times = run_analytic(it->graph, it->map, AlphaBeta{});
  ASSERT_TRUE(times.is_ok()) << times.status().message();
  for (size_t i = 0; i < it->graph.size(); ++i) ASSERT_NE(times->finish[i], Time::max()) << i;
  // Every GPU computes 2 x micro-batches passes back to back at best: the iteration
  // cannot be shorter than the busiest GPU's compute.
  Time busiest;
  std::map<uint32_t, Time> busy;
  for (const Task& t : it->graph.tasks()) {
    if (t.kind == TaskKind::kCompute) busiest = std::max(busiest, busy[t.rank] += t.duration);
  }
  EXPECT_GE(times->makespan(), busiest);
}

TEST(IterationShape, FewerMicroBatchesThanStagesStillSchedules) {
  // 2 micro-batches through 4 stages: the warm-up min(pp - stage - 1, mb) is cut to
  // the micro-batches there are (stage 0: F F B B), and the graph is still complete.
  ModelConfig m = tiny_model(8);
  ParallelConfig p;
  p.tp = 1;
  p.pp = 4;
  p.dp = 1;
  p.micro_batch = 1;
  p.global_batch = 2;
  ClusterConfig c;
  c.gpus_per_node = 1;
  auto plan = make_plan(m, p, c);
  ASSERT_TRUE(plan.is_ok()) << plan.status().message();
  auto it = build_iteration(*plan);
  ASSERT_TRUE(it.is_ok()) << it.status().message();
  EXPECT_TRUE(validate_task_graph(it->graph, 4).is_ok());
  std::vector<int> passes(4, 0), steps(4, 0);
  int sends = 0, dp = 0;
  for (const Task& t : it->graph.tasks()) {
    if (t.kind == TaskKind::kCompute && t.group == it->compute_group) ++passes[t.rank];
    if (t.kind == TaskKind::kCompute && it->graph.groups()[t.group].name == "optimizer") {
      ++steps[t.rank];
    }
    if (t.kind == TaskKind::kTransfer) {
      ++sends;
      dp += starts_with(it->graph.groups()[t.group].name, "dp.") ? 1 : 0;
    }
  }
  EXPECT_EQ(passes, (std::vector<int>{4, 4, 4, 4}));
  EXPECT_EQ(steps, (std::vector<int>{1, 1, 1, 1}));  // one optimizer step per GPU
  EXPECT_EQ(sends, 2 * 2 * 3);  // 2 micro-batches x 3 boundaries, both directions
  EXPECT_EQ(dp, 0);             // dp = 1: no gradient all-reduce
}

// Counts a graph's collective instances by group-name prefix.
int groups_named(const TaskGraph& g, const std::string& prefix) {
  int n = 0;
  for (const TaskGroup& grp : g.groups()) n += starts_with(grp.name, prefix) ? 1 : 0;
  return n;
}

// The distributed optimizer (ZeRO-1/2, Megatron's --use-distributed-optimizer): the
// gradients are reduce-scattered (no all-reduce), the optimizer steps 1/dp of the
// parameters, the parameters are all-gathered; ZeRO-3 gathers them before each
// forward and backward of every micro-batch and reduce-scatters after each backward.
TEST(IterationModes, ZeroStagesExchangeGradientsAndParametersAsSharded) {
  IterationPlan plan = tiny_plan(RankOrder::kTpDpPp);
  plan.parallel.zero_stage = 1;
  auto z1 = make_plan(plan.model, plan.parallel, plan.cluster);
  ASSERT_TRUE(z1.is_ok());
  auto g1 = build_iteration(*z1);
  ASSERT_TRUE(g1.is_ok()) << g1.status().message();
  EXPECT_EQ(groups_named(g1->graph, "dp.allreduce"), 0);
  EXPECT_EQ(groups_named(g1->graph, "dp.reduce_scatter"), kPp * kTp);  // one bucket each
  EXPECT_EQ(groups_named(g1->graph, "dp.param_all_gather"), kPp * kTp);
  plan.parallel.zero_stage = 3;
  auto z3 = make_plan(plan.model, plan.parallel, plan.cluster);
  ASSERT_TRUE(z3.is_ok());
  auto g3 = build_iteration(*z3);
  ASSERT_TRUE(g3.is_ok()) << g3.status().message();
  EXPECT_EQ(groups_named(g3->graph, "dp.param_all_gather"), kPp * kTp * 2 * kMicroBatches);
  EXPECT_EQ(groups_named(g3->graph, "dp.grad_reduce_scatter"), kPp * kTp * kMicroBatches);
  EXPECT_EQ(groups_named(g3->graph, "dp.allreduce"), 0);
}

// MoE as deployed: every MoE layer has its own dispatch and combine in each pass (not
// one per stage pass); with node-limited routing the dispatch carries min(M, top_k)
// copies per token instead of top_k, in fp8 when asked.
TEST(IterationModes, AnAllToAllPerMoeLayerAndNodeLimitedDispatch) {
  ModelConfig m = tiny_model(4);
  m.experts = 8;
  m.top_k = 4;
  m.dense_layers = 1;  // layer 0 dense, layers 1-3 MoE
  ParallelConfig p;
  p.tp = 1;
  p.pp = 1;
  p.dp = 4;
  p.ep = 4;
  p.global_batch = 8;  // 2 micro-batches
  p.recompute = Recompute::kNone;
  ClusterConfig c;
  c.gpus_per_node = 1;  // every expert rank on its own server
  auto plan = make_plan(m, p, c);
  ASSERT_TRUE(plan.is_ok()) << plan.status().message();
  EXPECT_EQ(plan->stages[0].moe_layers, 3);
  auto it = build_iteration(*plan);
  ASSERT_TRUE(it.is_ok()) << it.status().message();
  // 3 MoE layers x 2 micro-batches: forward dispatch + combine, backward 2.
  EXPECT_EQ(groups_named(it->graph, "ep.dispatch "), 3 * 2);
  EXPECT_EQ(groups_named(it->graph, "ep.combine "), 3 * 2);
  EXPECT_EQ(groups_named(it->graph, "ep.combine_grad"), 3 * 2);
  EXPECT_EQ(groups_named(it->graph, "ep.dispatch_grad"), 3 * 2);
  const int64_t per_copy = 256 * 512;  // tokens x h
  EXPECT_EQ(plan->dispatch_bytes, 4 * per_copy * 2);
  p.node_limit = 2;
  m.dispatch_precision = Precision::kFp8;
  auto limited = make_plan(m, p, c);
  ASSERT_TRUE(limited.is_ok());
  EXPECT_EQ(limited->dispatch_bytes, 2 * per_copy * 1);
  EXPECT_EQ(limited->combine_bytes, 2 * per_copy * 2);
}

// Uneven stages (Megatron's decoder_first/last_pipeline_num_layers): given first and
// last, the rest evenly; a remainder goes to the interior stages.
TEST(IterationModes, UnevenStagesSplitAsAsked) {
  ModelConfig m = tiny_model(10);
  ParallelConfig p;
  p.tp = 1;
  p.pp = 4;
  p.dp = 1;
  p.global_batch = 4;
  p.first_stage_layers = 1;
  p.last_stage_layers = 2;
  auto plan = make_plan(m, p, ClusterConfig{});
  ASSERT_TRUE(plan.is_ok()) << plan.status().message();
  std::vector<int64_t> layers;
  for (const auto& st : plan->stages) layers.push_back(st.layers);
  EXPECT_EQ(layers, (std::vector<int64_t>{1, 4, 3, 2}));
  p.first_stage_layers = 8;  // leaves 0 for two interior stages
  EXPECT_FALSE(make_plan(m, p, ClusterConfig{}).is_ok());
  // Interleaved chunks of 10 layers over 4 x 2 virtual stages: 2 for the middle six
  // with a remainder, 1 at the two ends.
  p.first_stage_layers = p.last_stage_layers = 0;
  p.virtual_stages = 2;
  auto chunks = make_plan(m, p, ClusterConfig{});
  ASSERT_TRUE(chunks.is_ok()) << chunks.status().message();
  int64_t total = 0;
  for (const auto& ch : chunks->chunks) total += ch.layers;
  EXPECT_EQ(total, 10);
  EXPECT_EQ(chunks->chunks.front().layers, 1);
  EXPECT_EQ(chunks->chunks.back().layers, 1);
}

// Interleaved 1F1B visits every (chunk, micro-batch) once forward and once backward on
// each rank, a forward before its backward; v = 1 is plain 1F1B.
TEST(IterationModes, InterleavedScheduleVisitsEveryChunkOnce) {
  for (int64_t v : {1, 2, 3}) {
    for (int64_t d = 0; d < 4; ++d) {
      const auto order = pipeline_order(4, v, 8, d);
      ASSERT_EQ(order.size(), static_cast<size_t>(2 * v * 8));
      std::map<std::pair<int64_t, int64_t>, int> seen;
      for (const PipelineSlot& sl : order) {
        auto& state = seen[{sl.chunk, sl.k}];
        EXPECT_EQ(state, sl.forward ? 0 : 1) << "v " << v << " rank " << d;
        state = sl.forward ? 1 : 2;
      }
      EXPECT_EQ(seen.size(), static_cast<size_t>(v * 8));
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Orders, Iteration,
                         ::testing::Values(RankOrder::kTpDpPp, RankOrder::kTpPpDp),
                         [](const auto& info) {
                           return info.param == RankOrder::kTpDpPp ? "tp_dp_pp" : "tp_pp_dp";
                         });

}  // namespace
}  // namespace aifabric
