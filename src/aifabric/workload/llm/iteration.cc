#include "aifabric/workload/llm/iteration.h"

#include <algorithm>
#include <string>
#include <vector>

#include "aifabric/workload/collectives/collectives.h"

namespace aifabric {

Time tp_allreduce_time(int64_t bytes, int64_t tp, const ClusterConfig& c) {
  if (tp <= 1) return Time::zero();
  // Ring: 2(t-1) steps of bytes/t, each paying the NVLink latency.
  const Time step = c.nvlink_latency + c.nvlink_rate.transmit_time(bytes / tp);
  return step * (2 * (tp - 1));
}

Result<IterationGraph> build_iteration(const IterationPlan& plan) {
  const ParallelConfig& p = plan.parallel;
  IterationGraph out;
  out.map = ClusterMap::linear(static_cast<uint32_t>(plan.gpus),
                               static_cast<uint32_t>(plan.cluster.gpus_per_node));
  out.map.nvlink_rate = plan.cluster.nvlink_rate;
  out.map.nvlink_latency = plan.cluster.nvlink_latency;
  TaskGraph& g = out.graph;
  const int64_t mb = plan.micro_batches;
  const bool full = p.recompute == Recompute::kFull;
  out.compute_group = g.add_group({"forward/backward", "compute", 0, 1});
  const int64_t act_bytes = plan.stages[0].tp_allreduce_bytes_per_microbatch;
  const uint32_t pp_fwd = g.add_group({"pp.activations", "pp_send", act_bytes, 2});
  const uint32_t pp_bwd = g.add_group({"pp.gradients", "pp_send", act_bytes, 2});

  // Task ids: forward/backward of (dp, stage, tp, micro-batch), and the pipeline
  // transfers that feed them.
  const auto idx = [&](int64_t dp, int64_t st, int64_t tp, int64_t k) {
    return static_cast<size_t>(((dp * p.pp + st) * p.tp + tp) * mb + k);
  };
  const size_t n = static_cast<size_t>(p.dp * p.pp * p.tp * mb);
  constexpr uint32_t kNone = 0xffffffffU;
  std::vector<uint32_t> fwd(n, kNone), bwd(n, kNone), act_in(n, kNone), grad_in(n, kNone);
  std::vector<uint32_t> last_task(static_cast<size_t>(plan.gpus), kNone);
  // For dp_overlap: the slices of each GPU's last backward pass.
  std::vector<std::vector<uint32_t>> last_backward_slices(static_cast<size_t>(plan.gpus));

  // Tasks are emitted in an order where every dependency already exists: each stage
  // walks its 1F1B schedule (warm-up w = min(pp - st - 1, mb) forwards, then one
  // forward and one backward alternately, then the remaining backwards) and waits
  // while the slot's input (the previous stage's forward, the next stage's backward)
  // has not been emitted yet. 1F1B guarantees progress.
  struct Slot {
    bool forward;
    int64_t k;
  };
  std::vector<std::vector<Slot>> order(static_cast<size_t>(p.pp));
  for (int64_t st = 0; st < p.pp; ++st) {
    const int64_t w = std::min(p.pp - st - 1, mb);
    auto& o = order[static_cast<size_t>(st)];
    for (int64_t k = 0; k < w; ++k) o.push_back({true, k});
    for (int64_t i = 0; i < mb - w; ++i) {
      o.push_back({true, w + i});
      o.push_back({false, i});
    }
    for (int64_t k = mb - w; k < mb; ++k) o.push_back({false, k});
  }
  std::vector<size_t> cursor(static_cast<size_t>(p.pp), 0);
  size_t remaining = 0;
  for (const auto& o : order) remaining += o.size();
  while (remaining > 0) {
    bool progressed = false;
    for (int64_t st = 0; st < p.pp; ++st) {
      auto& c = cursor[static_cast<size_t>(st)];
      const auto& o = order[static_cast<size_t>(st)];
      while (c < o.size()) {
        const Slot s = o[c];
        // Data dependency of this slot, for tp rank 0 and dp 0 (all ranks alike).
        if (s.forward && st > 0 && fwd[idx(0, st - 1, 0, s.k)] == kNone) break;
        if (!s.forward && st < p.pp - 1 && bwd[idx(0, st + 1, 0, s.k)] == kNone) break;
        const StagePlan& sp = plan.stages[static_cast<size_t>(st)];
        // TP all-reduces inside the pass: 2 per layer per pass (recompute in backward).
        const Time tp_one = tp_allreduce_time(act_bytes, p.tp, plan.cluster);
        const Time fwd_time = sp.forward + tp_one * (2 * sp.layers);
        const Time bwd_time = sp.backward + tp_one * ((full ? 4 : 2) * sp.layers);
        // 1. The pass itself on every GPU of the stage.
        std::vector<uint32_t> done(static_cast<size_t>(p.dp * p.tp), kNone);
        for (int64_t dp = 0; dp < p.dp; ++dp) {
          for (int64_t tp = 0; tp < p.tp; ++tp) {
            const uint32_t rank = plan.rank(dp, st, tp);
            const size_t i = idx(dp, st, tp, s.k);
            std::vector<uint32_t> deps;
            if (last_task[rank] != kNone) deps.push_back(last_task[rank]);
            uint32_t id = kNone;
            if (s.forward) {
              if (st > 0) deps.push_back(act_in[i]);
              id = g.add_compute(rank, fwd_time, deps, out.compute_group);
            } else {
              if (st < p.pp - 1) deps.push_back(grad_in[i]);
              if (s.k == mb - 1 && p.dp_overlap && p.dp > 1) {
                // Slices of the last backward, so that bucket k's all-reduce starts
                // when the gradients of its slice are ready.
                for (int64_t sl = 0; sl < kMaxDpBuckets; ++sl) {
                  id = g.add_compute(rank, bwd_time / kMaxDpBuckets, deps, out.compute_group);
                  deps.assign(1, id);
                  last_backward_slices[rank].push_back(id);
                }
              } else {
                id = g.add_compute(rank, bwd_time, deps, out.compute_group);
              }
            }
            done[static_cast<size_t>(dp * p.tp + tp)] = id;
            last_task[rank] = id;
          }
        }
        // 2. MoE: the pass's dispatch and combine all-to-alls among each expert-
        // parallel group; the next work on each GPU waits for them.
        if (sp.ep_bytes > 0) {
          const int64_t per_layer = full ? 6 : 4;
          const int64_t pass_share = s.forward ? 2 : per_layer - 2;
          const int64_t wire = sp.ep_bytes * pass_share / (per_layer * mb);
          for (int64_t g0 = 0; g0 < p.dp; g0 += p.ep) {
            for (int64_t tp = 0; tp < p.tp; ++tp) {
              std::vector<uint32_t> ranks, deps;
              for (int64_t dp = g0; dp < g0 + p.ep; ++dp) {
                ranks.push_back(plan.rank(dp, st, tp));
                deps.push_back(done[static_cast<size_t>(dp * p.tp + tp)]);
              }
              CollectiveSpec spec;
              spec.op = CollectiveOp::kAllToAll;
              spec.algo = CollectiveAlgo::kPairwise;
              spec.bytes = wire * p.ep / (p.ep - 1);  // per-rank buffer incl. its own share
              auto fin = add_collective(g, spec, ranks, deps, out.map,
                                        "ep.all_to_all stage " + std::to_string(st));
              if (!fin) return fin.status();
              for (int64_t dp = g0; dp < g0 + p.ep; ++dp) {
                const uint32_t r = plan.rank(dp, st, tp);
                const uint32_t join = g.add_compute(r, Time::zero(), *fin, out.compute_group);
                done[static_cast<size_t>(dp * p.tp + tp)] = join;
                last_task[r] = join;
              }
            }
          }
        }
        // 3. Pipeline sends: activations to the next stage, gradients to the previous.
        for (int64_t dp = 0; dp < p.dp; ++dp) {
          for (int64_t tp = 0; tp < p.tp; ++tp) {
            const uint32_t rank = plan.rank(dp, st, tp);
            const uint32_t id = done[static_cast<size_t>(dp * p.tp + tp)];
            const size_t i = idx(dp, st, tp, s.k);
            if (s.forward) {
              fwd[i] = id;
              if (st < p.pp - 1) {
                act_in[idx(dp, st + 1, tp, s.k)] = g.add_transfer(
                    rank, plan.rank(dp, st + 1, tp), act_bytes, std::vector<uint32_t>{id}, pp_fwd);
              }
            } else {
              bwd[i] = id;
              if (st > 0) {
                grad_in[idx(dp, st - 1, tp, s.k)] = g.add_transfer(
                    rank, plan.rank(dp, st - 1, tp), act_bytes, std::vector<uint32_t>{id}, pp_bwd);
              }
            }
          }
        }
        ++c;
        --remaining;
        progressed = true;
      }
    }
    if (!progressed) return Status::error("internal: the 1F1B schedule did not progress");
  }

  // Data-parallel gradient all-reduce per (stage, tp rank), in buckets.
  if (p.dp > 1) {
    for (int64_t st = 0; st < p.pp; ++st) {
      const StagePlan& sp = plan.stages[static_cast<size_t>(st)];
      const int64_t grads = sp.params_per_gpu * precision_bytes(p.grad_precision);
      const int64_t buckets = std::clamp<int64_t>(
          (grads + p.dp_bucket.count() - 1) / p.dp_bucket.count(), 1, kMaxDpBuckets);
      for (int64_t tp = 0; tp < p.tp; ++tp) {
        std::vector<uint32_t> ranks;
        for (int64_t dp = 0; dp < p.dp; ++dp) ranks.push_back(plan.rank(dp, st, tp));
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
          spec.op = CollectiveOp::kAllReduce;
          spec.algo = CollectiveAlgo::kRing;
          spec.bytes = grads / buckets + (k < grads % buckets ? 1 : 0);
          auto fin = add_collective(
              g, spec, ranks, deps, out.map,
              "dp.allreduce stage " + std::to_string(st) + " bucket " + std::to_string(k));
          if (!fin) return fin.status();
          previous_bucket = *fin;
        }
      }
    }
  }
  return out;
}

}  // namespace aifabric
