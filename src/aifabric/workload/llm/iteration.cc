#include "aifabric/workload/llm/iteration.h"

#include <algorithm>
#include <string>
#include <vector>

#include "aifabric/workload/collectives/collectives.h"

namespace aifabric {

std::vector<PipelineSlot> pipeline_order(int64_t pp, int64_t v, int64_t mb, int64_t device) {
  std::vector<PipelineSlot> o;
  if (v == 1) {
    // 1F1B: warm-up forwards, then one forward and one backward alternately, then the
    // remaining backwards (Narayanan et al. 2021, figure 4 top).
    const int64_t w = std::min(pp - device - 1, mb);
    for (int64_t k = 0; k < w; ++k) o.push_back({true, 0, k});
    for (int64_t i = 0; i < mb - w; ++i) {
      o.push_back({true, 0, w + i});
      o.push_back({false, 0, i});
    }
    for (int64_t k = mb - w; k < mb; ++k) o.push_back({false, 0, k});
    return o;
  }
  // Interleaved 1F1B (Narayanan et al. 2021, figure 4 bottom; Megatron-LM's schedule):
  // micro-batches in groups of pp, each group through chunk 0, then chunk 1, ...;
  // backwards through the chunks in reverse. Warm-up: 2 (pp - device - 1) + (v - 1) pp.
  const int64_t total = mb * v;
  const int64_t warmup = std::min(total, 2 * (pp - device - 1) + (v - 1) * pp);
  const auto fwd = [&](int64_t k) {
    return PipelineSlot{true, (k % (pp * v)) / pp, (k / (pp * v)) * pp + k % pp};
  };
  const auto bwd = [&](int64_t k) {
    return PipelineSlot{false, v - 1 - (k % (pp * v)) / pp, (k / (pp * v)) * pp + k % pp};
  };
  for (int64_t k = 0; k < warmup; ++k) o.push_back(fwd(k));
  for (int64_t i = 0; i < total - warmup; ++i) {
    o.push_back(fwd(warmup + i));
    o.push_back(bwd(i));
  }
  for (int64_t k = total - warmup; k < total; ++k) o.push_back(bwd(k));
  return o;
}

namespace {

constexpr uint32_t kNone = 0xffffffffU;

struct Builder {
  const IterationPlan& plan;
  const ParallelConfig& p;
  IterationGraph& out;
  TaskGraph& g;
  int64_t tp_ranks;  // tensor ranks given tasks (1 under symmetry)
  std::vector<uint32_t> last_task;
  std::vector<std::vector<uint32_t>> last_backward_slices;
  uint32_t pp_fwd = 0, pp_bwd = 0, optimizer_group = 0, sync_group = 0;
  std::function<Time(uint32_t, uint32_t)> coalesce;  // IterationOptions::ring_step_latency

  uint32_t rank(int64_t dp, int64_t st, int64_t tp) const { return plan.rank(dp, st, tp); }

  // Refuses a graph past kMaxIterationTasks before it exhausts memory (step-by-step
  // rings over thousands of data-parallel ranks are O(ranks^2) transfers).
  Status check_size() const {
    if (g.size() <= kMaxIterationTasks) return Status::ok();
    return Status::error(
        "the iteration's task graph passed " + std::to_string(kMaxIterationTasks) +
        " tasks (about 300 bytes each): its rings over " + std::to_string(p.data_ranks()) +
        " data-parallel ranks are O(ranks^2) transfers; use workload.backend: flow (a ring "
        "is one flow per neighbour pair there) or fewer data-parallel ranks");
  }

  // A compute task on `r` after its previous task and `deps`.
  uint32_t compute(uint32_t r, Time d, std::vector<uint32_t> deps) {
    if (last_task[r] != kNone) deps.push_back(last_task[r]);
    const uint32_t id = g.add_compute(r, d, deps, out.compute_group);
    last_task[r] = id;
    return id;
  }

  // One collective among the GPUs `ranks` after each one's previous task (and
  // `extra`), then a join on each so that its next work waits for it.
  Status collective(CollectiveOp op, int64_t bytes, const std::vector<uint32_t>& ranks,
                    std::vector<uint32_t> extra, const std::string& name,
                    std::vector<uint32_t>* fin_out = nullptr) {
    for (uint32_t r : ranks) {
      if (last_task[r] != kNone) extra.push_back(last_task[r]);
    }
    CollectiveSpec spec;
    spec.op = op;
    spec.algo = op == CollectiveOp::kAllToAll ? CollectiveAlgo::kPairwise : CollectiveAlgo::kRing;
    spec.bytes = std::max<int64_t>(bytes, 1);
    spec.coalesce = coalesce;
    // Coalesced (big) groups wait on one barrier, not each rank on every rank.
    if (coalesce && extra.size() > 1) extra = {g.add_barrier(extra, sync_group)};
    auto fin = add_collective(g, spec, ranks, extra, out.map, name);
    if (!fin) return fin.status();
    if (auto st = check_size(); !st) return st;
    if (fin_out != nullptr) *fin_out = *fin;
    std::vector<uint32_t> join = *fin;
    if (coalesce && join.size() > 1) join = {g.add_barrier(join, sync_group)};
    for (uint32_t r : ranks) last_task[r] = g.add_compute(r, Time::zero(), join, sync_group);
    return Status::ok();
  }

  // The MoE all-to-all of one layer among each expert-parallel group of stage `st`.
  Status all_to_all(int64_t st, int64_t tp, int64_t bytes, const std::string& what) {
    for (int64_t g0 = 0; g0 < p.dp; g0 += p.ep) {
      std::vector<uint32_t> ranks;
      for (int64_t dp = g0; dp < g0 + p.ep; ++dp) ranks.push_back(rank(dp, st, tp));
      if (auto s = collective(CollectiveOp::kAllToAll, bytes, ranks, {}, what); !s) return s;
    }
    return Status::ok();
  }

  // The data-parallel groups of stage `st` (one per tensor rank).
  std::vector<std::vector<uint32_t>> dp_groups(int64_t st) const {
    std::vector<std::vector<uint32_t>> gs;
    for (int64_t tp = 0; tp < tp_ranks; ++tp) {
      std::vector<uint32_t> ranks;
      for (int64_t d = 0; d < p.data_ranks(); ++d) ranks.push_back(rank(d, st, tp));
      gs.push_back(std::move(ranks));
    }
    return gs;
  }

  Status one_iteration(int64_t iter);
  Status gradients(int64_t iter);
};

Status Builder::one_iteration(int64_t iter) {
  const int64_t mb = plan.micro_batches;
  const int64_t v = p.virtual_stages;
  const int64_t vstages = p.pp * v;
  const std::string it = iter > 0 ? " iteration " + std::to_string(iter) : "";
  // Per (dp, virtual stage, tp, micro-batch): the pass tasks and the pipeline
  // transfers that feed them.
  const auto idx = [&](int64_t dp, int64_t vs, int64_t tp, int64_t k) {
    return static_cast<size_t>(((dp * vstages + vs) * p.tp + tp) * mb + k);
  };
  const int64_t data = p.data_ranks();  // data-parallel x context-parallel ranks
  const size_t n = static_cast<size_t>(data * vstages * p.tp * mb);
  std::vector<uint32_t> fwd(n, kNone), bwd(n, kNone), act_in(n, kNone), grad_in(n, kNone);
  const bool zero3 = p.zero_stage == 3 && data > 1;

  // Tasks are emitted in an order where every dependency already exists: each pipeline
  // rank walks its schedule and waits while the slot's input (the previous virtual
  // stage's forward, the next one's backward) has not been emitted yet.
  std::vector<std::vector<PipelineSlot>> order;
  for (int64_t d = 0; d < p.pp; ++d) order.push_back(pipeline_order(p.pp, v, mb, d));
  std::vector<size_t> cursor(static_cast<size_t>(p.pp), 0);
  size_t remaining = 0;
  for (const auto& o : order) remaining += o.size();
  while (remaining > 0) {
    bool progressed = false;
    for (int64_t st = 0; st < p.pp; ++st) {
      auto& c = cursor[static_cast<size_t>(st)];
      const auto& o = order[static_cast<size_t>(st)];
      while (c < o.size()) {
        const PipelineSlot s = o[c];
        const int64_t vs = s.chunk * p.pp + st;
        if (s.forward && vs > 0 && fwd[idx(0, vs - 1, 0, s.k)] == kNone) break;
        if (!s.forward && vs < vstages - 1 && bwd[idx(0, vs + 1, 0, s.k)] == kNone) break;
        const ChunkPlan& ch = plan.chunks[static_cast<size_t>(vs)];
        // ZeRO-3: the stage's parameters are all-gathered before each pass of its
        // first chunk (FSDP keeps the gathered weights for the pass only).
        if (zero3 && s.chunk == 0) {
          for (const auto& ranks : dp_groups(st)) {
            const int64_t params = plan.stages[static_cast<size_t>(st)].params_per_gpu;
            const int64_t bytes = params * precision_bytes(plan.model.precision);
            if (auto e = collective(CollectiveOp::kAllGather, bytes, ranks, {},
                                    "dp.param_all_gather stage " + std::to_string(st) + it);
                !e) {
              return e;
            }
          }
        }
        std::vector<uint32_t> before;  // each GPU's task before the pass (context ring)
        for (int64_t dp = 0; dp < data; ++dp) {
          for (int64_t tp = 0; tp < tp_ranks; ++tp) {
            const uint32_t r = rank(dp, st, tp);
            const size_t i = idx(dp, vs, tp, s.k);
            before.push_back(last_task[r]);
            std::vector<uint32_t> deps;
            if (s.forward && vs > 0) deps.push_back(act_in[i]);
            if (!s.forward && vs < vstages - 1) deps.push_back(grad_in[i]);
            const Time pass = s.forward ? ch.forward : ch.backward;
            // MoE chunks run their MoE layers one by one below; the rest is one task.
            const Time moe_pass =
                s.forward ? plan.moe_layer.pass_forward() : plan.moe_layer.pass_backward();
            const Time rest = pass - moe_pass * ch.moe_layers;
            if (!s.forward && s.k == mb - 1 && s.chunk == 0 && p.dp_overlap && data > 1 &&
                ch.moe_layers == 0) {
              // Slices of the last backward, so that bucket k's collective starts when
              // the gradients of its slice are ready.
              for (int64_t sl = 0; sl < kMaxDpBuckets; ++sl) {
                last_backward_slices[r].push_back(compute(r, pass / kMaxDpBuckets, deps));
                deps.clear();
              }
            } else {
              compute(r, ch.moe_layers > 0 ? rest : pass, deps);
            }
          }
        }
        // Context parallelism: the chunk's keys and values gathered round each cp ring
        // while the pass computes (ring attention overlaps the transfers with the
        // attention blocks); the backward also reduce-scatters their gradients. The
        // GPU's next work waits for both.
        if (p.cp > 1) {
          for (int64_t dp = 0; dp < p.dp; ++dp) {
            for (int64_t tp = 0; tp < tp_ranks; ++tp) {
              std::vector<uint32_t> ranks, deps;
              for (int64_t c = 0; c < p.cp; ++c) {
                const int64_t d = dp * p.cp + c;
                ranks.push_back(rank(d, st, tp));
                const uint32_t prev = before[static_cast<size_t>(d * tp_ranks + tp)];
                if (prev != kNone) deps.push_back(prev);
              }
              const int64_t bytes = plan.cp_kv_bytes * ch.layers;
              std::vector<uint32_t> fin;
              const int rounds = s.forward ? 1 : (p.recompute == Recompute::kFull ? 3 : 2);
              for (int k = 0; k < rounds; ++k) {
                CollectiveSpec spec;
                spec.op = (!s.forward && k == rounds - 1) ? CollectiveOp::kReduceScatter
                                                          : CollectiveOp::kAllGather;
                spec.bytes = std::max<int64_t>(bytes, 1);
                spec.coalesce = coalesce;
                auto f = add_collective(g, spec, ranks, fin.empty() ? deps : fin, out.map,
                                        "cp.kv_ring stage " + std::to_string(st) + it);
                if (!f) return f.status();
                if (auto st2 = check_size(); !st2) return st2;
                fin = *f;
              }
              for (uint32_t r : ranks) {
                std::vector<uint32_t> join = fin;
                join.push_back(last_task[r]);
                last_task[r] = g.add_compute(r, Time::zero(), join, sync_group);
              }
            }
          }
        }
        // MoE layers, each with its all-to-alls among the expert-parallel group.
        // Forward: attention and router, dispatch, experts, combine. Backward: the
        // combine's gradient, experts, the dispatch's gradient, attention (with full
        // recompute the forward's dispatch and combine first). Gradients travel in the
        // activation precision.
        if (ch.moe_layers > 0) {
          const bool full = p.recompute == Recompute::kFull;
          const Time whole =
              s.forward ? plan.moe_layer.pass_forward() : plan.moe_layer.pass_backward();
          const Time experts =
              std::min(whole, s.forward ? plan.moe_experts_forward : plan.moe_experts_backward);
          const Time other = whole - experts;
          for (int64_t l = 0; l < ch.moe_layers; ++l) {
            for (int64_t tp = 0; tp < tp_ranks; ++tp) {
              const auto run = [&](Time d) {
                for (int64_t dp = 0; dp < data; ++dp) compute(rank(dp, st, tp), d, {});
              };
              const auto a2a = [&](int64_t bytes, const char* what) {
                return p.ep > 1
                           ? all_to_all(st, tp, bytes,
                                        std::string(what) + " stage " + std::to_string(st) + it)
                           : Status::ok();
              };
              Status e;
              if (s.forward) {
                run(other);
                if (e = a2a(plan.dispatch_bytes, "ep.dispatch"); !e) return e;
                run(experts);
                if (e = a2a(plan.combine_bytes, "ep.combine"); !e) return e;
              } else {
                if (full) {
                  if (e = a2a(plan.dispatch_bytes, "ep.dispatch"); !e) return e;
                  if (e = a2a(plan.combine_bytes, "ep.combine"); !e) return e;
                }
                if (e = a2a(plan.combine_bytes, "ep.combine_grad"); !e) return e;
                run(experts);
                if (e = a2a(plan.combine_bytes, "ep.dispatch_grad"); !e) return e;
                run(other);
              }
            }
          }
        }
        // ZeRO-3: gradients reduce-scattered after each backward of the first chunk.
        if (zero3 && !s.forward && s.chunk == 0) {
          for (const auto& ranks : dp_groups(st)) {
            const int64_t params = plan.stages[static_cast<size_t>(st)].params_per_gpu;
            const int64_t bytes = params * precision_bytes(p.grad_precision);
            if (auto e = collective(CollectiveOp::kReduceScatter, bytes, ranks, {},
                                    "dp.grad_reduce_scatter stage " + std::to_string(st) + it);
                !e) {
              return e;
            }
          }
        }
        // Pipeline sends: activations to the next virtual stage, gradients back.
        for (int64_t dp = 0; dp < data; ++dp) {
          for (int64_t tp = 0; tp < tp_ranks; ++tp) {
            const uint32_t r = rank(dp, st, tp);
            const uint32_t id = last_task[r];
            const size_t i = idx(dp, vs, tp, s.k);
            if (s.forward) {
              fwd[i] = id;
              if (vs < vstages - 1) {
                const int64_t to = (vs + 1) % p.pp;
                act_in[idx(dp, vs + 1, tp, s.k)] = g.add_transfer(
                    r, rank(dp, to, tp), plan.pp_send_bytes, std::vector<uint32_t>{id}, pp_fwd);
              }
            } else {
              bwd[i] = id;
              if (vs > 0) {
                const int64_t to = (vs - 1) % p.pp;
                grad_in[idx(dp, vs - 1, tp, s.k)] = g.add_transfer(
                    r, rank(dp, to, tp), plan.pp_send_bytes, std::vector<uint32_t>{id}, pp_bwd);
              }
            }
          }
        }
        ++c;
        --remaining;
        progressed = true;
      }
    }
    if (!progressed) return Status::error("internal: the pipeline schedule did not progress");
  }
  return gradients(iter);
}

// The data-parallel gradient exchange per (stage, tensor rank) group, in buckets, then
// the optimizer step on every GPU.
Status Builder::gradients(int64_t iter) {
  const std::string it = iter > 0 ? " iteration " + std::to_string(iter) : "";
  const bool sharded = p.zero_stage == 1 || p.zero_stage == 2;
  const int64_t data = p.data_ranks();
  if (data > 1 && p.zero_stage != 3) {
    for (int64_t st = 0; st < p.pp; ++st) {
      const StagePlan& sp = plan.stages[static_cast<size_t>(st)];
      const int64_t grads = sp.params_per_gpu * precision_bytes(p.grad_precision);
      const int64_t buckets = std::clamp<int64_t>(
          (grads + p.dp_bucket.count() - 1) / p.dp_bucket.count(), 1, kMaxDpBuckets);
      for (const auto& ranks : dp_groups(st)) {
        std::vector<uint32_t> previous_bucket;
        for (int64_t k = 0; k < buckets; ++k) {
          // NCCL runs a communicator's operations in order: bucket k starts on a rank
          // after bucket k-1 finished there.
          std::vector<uint32_t> deps = previous_bucket;
          for (uint32_t r : ranks) {
            const auto& slices = last_backward_slices[r];
            if (!slices.empty()) {
              // Bucket k is ready when slice ceil((k+1) x slices / buckets) - 1 is done.
              const auto s = static_cast<size_t>(
                  ((k + 1) * static_cast<int64_t>(slices.size()) + buckets - 1) / buckets - 1);
              deps.push_back(slices[s]);
            } else {
              deps.push_back(last_task[r]);
            }
          }
          CollectiveSpec spec;
          spec.op = sharded ? CollectiveOp::kReduceScatter : CollectiveOp::kAllReduce;
          spec.algo = CollectiveAlgo::kRing;
          spec.bytes = grads / buckets + (k < grads % buckets ? 1 : 0);
          spec.coalesce = coalesce;
          if (coalesce && deps.size() > 1) deps = {g.add_barrier(deps, sync_group)};
          auto fin = add_collective(g, spec, ranks, deps, out.map,
                                    std::string(sharded ? "dp.reduce_scatter" : "dp.allreduce") +
                                        " stage " + std::to_string(st) + " bucket " +
                                        std::to_string(k) + it);
          if (!fin) return fin.status();
          if (auto st2 = check_size(); !st2) return st2;
          previous_bucket = *fin;
          // Coalesced rings (thousands of ranks): the next bucket and the joins wait on
          // one barrier rather than each on every rank's end (same times, O(n) edges).
          if (coalesce && previous_bucket.size() > 1) {
            previous_bucket = {g.add_barrier(previous_bucket, sync_group)};
          }
        }
        for (uint32_t r : ranks) {
          last_task[r] = g.add_compute(r, Time::zero(), previous_bucket, sync_group);
        }
      }
    }
  }
  for (auto& s : last_backward_slices) s.clear();
  // The optimizer step on every GPU (1/dp of the parameters with a sharded optimizer).
  for (int64_t st = 0; st < p.pp; ++st) {
    const StagePlan& sp = plan.stages[static_cast<size_t>(st)];
    for (int64_t dp = 0; dp < data; ++dp) {
      for (int64_t tp = 0; tp < tp_ranks; ++tp) {
        const uint32_t r = rank(dp, st, tp);
        last_task[r] =
            g.add_compute(r, sp.optimizer, std::vector<uint32_t>{last_task[r]}, optimizer_group);
      }
    }
    // Distributed optimizer: the updated parameter shards all-gathered.
    if (sharded && data > 1) {
      const int64_t bytes = sp.params_per_gpu * precision_bytes(plan.model.precision);
      for (const auto& ranks : dp_groups(st)) {
        if (auto e = collective(CollectiveOp::kAllGather, bytes, ranks, {},
                                "dp.param_all_gather stage " + std::to_string(st) + it);
            !e) {
          return e;
        }
      }
    }
  }
  return Status::ok();
}

}  // namespace

Result<IterationGraph> build_iteration(const IterationPlan& plan, const IterationOptions& opt) {
  const ParallelConfig& p = plan.parallel;
  IterationGraph out;
  out.map = ClusterMap::linear(static_cast<uint32_t>(plan.gpus),
                               static_cast<uint32_t>(plan.cluster.gpus_per_node));
  // NVLink at what collectives reach of it (ClusterConfig::nvlink_efficiency).
  out.map.nvlink_rate = BitRate::bps(
      static_cast<int64_t>(static_cast<double>(plan.cluster.nvlink_rate.bits_per_second()) *
                           plan.cluster.nvlink_efficiency));
  out.map.nvlink_latency = plan.cluster.nvlink_latency;
  TaskGraph& g = out.graph;
  out.compute_group = g.add_group({"forward/backward", "compute", 0, 1});
  Builder b{plan, p, out, g, opt.tensor_symmetry ? 1 : p.tp, {}, {}};
  b.coalesce = opt.ring_step_latency;
  b.last_task.assign(static_cast<size_t>(plan.gpus), kNone);
  b.last_backward_slices.resize(static_cast<size_t>(plan.gpus));
  b.pp_fwd = g.add_group({"pp.activations", "pp_send", plan.pp_send_bytes, 2});
  b.pp_bwd = g.add_group({"pp.gradients", "pp_send", plan.pp_send_bytes, 2});
  b.optimizer_group = g.add_group({"optimizer", "compute", 0, 1});
  // Zero-length joins: a GPU's next work waits for a collective it took part in.
  b.sync_group = g.add_group({"sync", "compute", 0, 1});
  for (int64_t i = 0; i < std::max<int64_t>(opt.iterations, 1); ++i) {
    if (auto s = b.one_iteration(i); !s) return s;
    out.iteration_end.push_back(static_cast<uint32_t>(g.size()));
  }
  return out;
}

}  // namespace aifabric
