#include "aifabric/workload/llm/plan.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace aifabric {
namespace {

double ring_factor(int64_t n) {
  return n <= 1 ? 0.0 : 2.0 * static_cast<double>(n - 1) / static_cast<double>(n);
}

Time seconds(double s) {
  return Time::ps(std::llround(s * 1e12));
}

}  // namespace

Result<IterationPlan> make_plan(const ModelConfig& m, const ParallelConfig& p,
                                const ClusterConfig& c) {
  if (m.layers % p.pp != 0) {
    return Status::error("workload.parallel.pp: " + std::to_string(p.pp) + " does not divide the " +
                         std::to_string(m.layers) + " layers");
  }
  if (m.heads % p.tp != 0) {
    return Status::error("workload.parallel.tp: " + std::to_string(p.tp) + " does not divide the " +
                         std::to_string(m.heads) + " attention heads");
  }
  if (m.experts > 0 && m.experts % p.ep != 0) {
    return Status::error("workload.parallel.ep: " + std::to_string(p.ep) + " does not divide the " +
                         std::to_string(m.experts) + " experts");
  }
  if (m.experts == 0 && p.ep != 1) {
    return Status::error(
        "workload.parallel.ep: expert parallelism needs an MoE model (experts > 0)");
  }
  IterationPlan plan;
  plan.model = m;
  plan.parallel = p;
  plan.cluster = c;
  plan.sizes = model_sizes(m, p.tp);
  plan.gpus = p.gpus();
  plan.micro_batches = p.micro_batches();
  plan.flops = iteration_flops(m, p);

  const ModelSizes& z = plan.sizes;
  const double h = static_cast<double>(m.hidden);
  const double s = static_cast<double>(m.seq_len);
  const double b = static_cast<double>(p.micro_batch);
  const double tokens = b * s;  // per micro-batch
  const int64_t act_bytes = precision_bytes(m.precision);
  const int64_t grad_bytes = precision_bytes(p.grad_precision);
  const double x = c.achieved_tflops() * 1e12;
  const double kv = static_cast<double>(m.kv_dim());
  // Per-token forward FLOPs of one layer (see iteration_flops).
  const double attn = 2 * (2 * h * h + 2 * h * kv) + 4 * s * h;
  auto mlp_flops = [&](double f, double k) { return 2 * k * (m.gated_mlp ? 3 : 2) * h * f; };
  const double dense_fwd = attn + mlp_flops(static_cast<double>(m.ffn()), 1);
  const double moe_fwd =
      attn + mlp_flops(static_cast<double>(m.expert_ffn()), static_cast<double>(m.top_k)) +
      2 * h * static_cast<double>(m.experts);
  const double logits_fwd = 2 * h * static_cast<double>(z.padded_vocab);
  const bool full = p.recompute == Recompute::kFull;
  const int64_t tp_allreduces_per_layer = full ? 6 : 4;  // fwd 2, bwd 2, recompute 2
  const int64_t a2a_per_moe_layer = full ? 6 : 4;        // dispatch + combine per pass
  const int64_t per_stage = m.layers / p.pp;
  const int64_t mb = plan.micro_batches;
  const int64_t activation = static_cast<int64_t>(tokens * h) * act_bytes;  // b x s x h
  const int64_t dp_groups = p.dp / p.ep;  // ranks sharing one expert's gradients

  for (int64_t st = 0; st < p.pp; ++st) {
    StagePlan sp;
    sp.layers = per_stage;
    for (int64_t l = st * per_stage; l < (st + 1) * per_stage; ++l)
      sp.moe_layers += m.is_moe_layer(l) ? 1 : 0;
    const int64_t dense_layers = sp.layers - sp.moe_layers;
    // Parameters a GPU of this stage holds: its 1/tp of every layer (experts also split
    // over ep), plus the embedding on the first stage and the output layer on the last
    // (with tied embeddings and pp > 1 the last stage keeps a copy, as Megatron does).
    const int64_t expert_weights = z.expert_params_per_moe_layer;
    const int64_t moe_non_expert = z.params_per_layer_moe - expert_weights;
    int64_t held =
        dense_layers * z.params_per_layer_dense / p.tp + sp.moe_layers * moe_non_expert / p.tp;
    sp.expert_params_per_gpu = sp.moe_layers * expert_weights / (p.tp * p.ep);
    held += sp.expert_params_per_gpu;
    const bool first = st == 0;
    const bool last = st == p.pp - 1;
    if (first) held += z.embedding_params / p.tp;
    if (last) {
      held += (m.bias ? 2 : 1) * m.hidden;  // final norm
      if (!m.tied_embeddings || p.pp > 1) held += z.padded_vocab * m.hidden / p.tp;
    }
    sp.params_per_gpu = held;

    const double fwd_layers = tokens *
                              (static_cast<double>(dense_layers) * dense_fwd +
                               static_cast<double>(sp.moe_layers) * moe_fwd) /
                              static_cast<double>(p.tp);
    const double fwd_logits = last ? tokens * logits_fwd / static_cast<double>(p.tp) : 0;
    sp.forward = seconds((fwd_layers + fwd_logits) / x);
    sp.backward = seconds((2 * (fwd_layers + fwd_logits) + (full ? fwd_layers : 0)) / x);

    sp.tp_allreduce_bytes_per_microbatch = activation;
    sp.tp_bytes =
        static_cast<int64_t>(static_cast<double>(mb * sp.layers * tp_allreduces_per_layer) *
                             ring_factor(p.tp) * static_cast<double>(activation));
    sp.pp_bytes = p.pp == 1 ? 0 : mb * activation * ((first || last) ? 1 : 2);
    const int64_t dense_grads = (held - sp.expert_params_per_gpu) * grad_bytes;
    const int64_t expert_grads = sp.expert_params_per_gpu * grad_bytes;
    sp.dp_bytes = static_cast<int64_t>(ring_factor(p.dp) * static_cast<double>(dense_grads) +
                                       ring_factor(dp_groups) * static_cast<double>(expert_grads));
    if (p.ep > 1) {
      const double per_dispatch = tokens * static_cast<double>(m.top_k) * h *
                                  static_cast<double>(act_bytes) * static_cast<double>(p.ep - 1) /
                                  static_cast<double>(p.ep);
      sp.ep_bytes = static_cast<int64_t>(
          static_cast<double>(mb * sp.moe_layers * a2a_per_moe_layer) * per_dispatch);
    }
    plan.stages.push_back(sp);
  }

  // Which medium each parallelism uses, from the placement of one pair of peers.
  auto medium = [&](bool used, uint32_t a, uint32_t bb) -> std::string {
    if (!used) return "none";
    return plan.node_of(a) == plan.node_of(bb) ? "NVLink" : "network";
  };
  auto line = [&](const std::string& kind, const std::string& med, auto field) {
    TrafficLine t;
    t.kind = kind;
    t.medium = med;
    for (const auto& sp : plan.stages) {
      t.mean_bytes += static_cast<double>(sp.*field) / static_cast<double>(p.pp);
      t.max_bytes = std::max(t.max_bytes, static_cast<double>(sp.*field));
    }
    plan.traffic.push_back(t);
  };
  line("tensor", medium(p.tp > 1, plan.rank(0, 0, 0), plan.rank(0, 0, p.tp - 1)),
       &StagePlan::tp_bytes);
  line("pipeline",
       medium(p.pp > 1, plan.rank(0, 0, 0), plan.rank(0, std::min<int64_t>(1, p.pp - 1), 0)),
       &StagePlan::pp_bytes);
  line("data",
       medium(p.dp > 1, plan.rank(0, 0, 0), plan.rank(std::min<int64_t>(1, p.dp - 1), 0, 0)),
       &StagePlan::dp_bytes);
  line("expert",
       medium(p.ep > 1, plan.rank(0, 0, 0), plan.rank(std::min<int64_t>(1, p.ep - 1), 0, 0)),
       &StagePlan::ep_bytes);

  Time slowest;
  for (const auto& sp : plan.stages) {
    plan.compute_per_iteration =
        std::max(plan.compute_per_iteration, (sp.forward + sp.backward) * mb);
    slowest = std::max(slowest, sp.forward + sp.backward);
  }
  plan.ideal_iteration = slowest * (mb + p.pp - 1);
  plan.iterations_for_training = c.training_tokens / (static_cast<double>(p.global_batch) * s);
  plan.training_days_formula =
      training_time_estimate(c.training_tokens, static_cast<double>(z.total_params), plan.gpus, x) /
      86400.0;
  return plan;
}

std::string plan_table(const IterationPlan& plan) {
  const auto& m = plan.model;
  const auto& p = plan.parallel;
  std::string out;
  out +=
      fmt::format("model         {}: {} layers, h={}, heads={}, s={}, V={} (padded {}){}\n", m.name,
                  m.layers, m.hidden, m.heads, m.seq_len, m.vocab, plan.sizes.padded_vocab,
                  m.experts > 0 ? fmt::format(", MoE {} experts top-{}", m.experts, m.top_k) : "");
  out += fmt::format("parameters    {:.4g} B total, {:.4g} B active per token\n",
                     static_cast<double>(plan.sizes.total_params) / 1e9,
                     static_cast<double>(plan.sizes.active_params) / 1e9);
  out += fmt::format(
      "layout        TP={} PP={} DP={} EP={} = {} GPUs, {} per node; B={}, b={}, {} "
      "micro-batches\n",
      p.tp, p.pp, p.dp, p.ep, plan.gpus, plan.cluster.gpus_per_node, p.global_batch, p.micro_batch,
      plan.micro_batches);
  out += fmt::format("FLOPs         {:.4g} per iteration ({} recompute)\n", plan.flops,
                     kRecomputeNames[static_cast<int>(p.recompute)]);
  out += fmt::format(
      "compute       {:.3f} s per iteration on the busiest GPU at {:g} TFLOP/s; 1F1B without "
      "communication {:.3f} s\n",
      plan.compute_per_iteration.to_seconds(), plan.cluster.achieved_tflops(),
      plan.ideal_iteration.to_seconds());
  out += fmt::format(
      "training      T = 8 T P / (N X) = {:.2f} days for {:.3g} tokens ({:.0f} iterations)\n\n",
      plan.training_days_formula, plan.cluster.training_tokens, plan.iterations_for_training);
  out += fmt::format("{:<10} {:<8} {:>22} {:>22}\n", "traffic", "medium", "bytes/GPU/iter (mean)",
                     "bytes/GPU/iter (max)");
  for (const auto& t : plan.traffic) {
    out += fmt::format("{:<10} {:<8} {:>22.4e} {:>22.4e}\n", t.kind, t.medium, t.mean_bytes,
                       t.max_bytes);
  }
  out += fmt::format("\n{:>5} {:>6} {:>4} {:>14} {:>12} {:>12} {:>12} {:>12} {:>12} {:>12}\n",
                     "stage", "layers", "moe", "params/GPU", "fwd/mb(ms)", "bwd/mb(ms)", "TP(B)",
                     "PP(B)", "DP(B)", "EP(B)");
  for (size_t i = 0; i < plan.stages.size(); ++i) {
    const auto& sp = plan.stages[i];
    out += fmt::format(
        "{:>5} {:>6} {:>4} {:>14.4e} {:>12.3f} {:>12.3f} {:>12.4e} {:>12.4e} {:>12.4e} {:>12.4e}\n",
        i, sp.layers, sp.moe_layers, static_cast<double>(sp.params_per_gpu), sp.forward.to_ms(),
        sp.backward.to_ms(), static_cast<double>(sp.tp_bytes), static_cast<double>(sp.pp_bytes),
        static_cast<double>(sp.dp_bytes), static_cast<double>(sp.ep_bytes));
  }
  return out;
}

nlohmann::ordered_json plan_json(const IterationPlan& plan) {
  nlohmann::ordered_json j;
  j["model"] = plan.model.name;
  j["parameters"] = plan.sizes.total_params;
  j["active_parameters"] = plan.sizes.active_params;
  j["padded_vocab"] = plan.sizes.padded_vocab;
  j["gpus"] = plan.gpus;
  j["micro_batches"] = plan.micro_batches;
  j["flops_per_iteration"] = plan.flops;
  j["compute_per_iteration_s"] = plan.compute_per_iteration.to_seconds();
  j["ideal_1f1b_iteration_s"] = plan.ideal_iteration.to_seconds();
  j["training_days_formula"] = plan.training_days_formula;
  j["iterations_for_training"] = plan.iterations_for_training;
  auto& traffic = j["traffic_bytes_per_gpu_per_iteration"];
  for (const auto& t : plan.traffic) {
    traffic[t.kind] = {{"medium", t.medium}, {"mean", t.mean_bytes}, {"max", t.max_bytes}};
  }
  for (const auto& sp : plan.stages) {
    j["stages"].push_back({{"layers", sp.layers},
                           {"moe_layers", sp.moe_layers},
                           {"params_per_gpu", sp.params_per_gpu},
                           {"forward_per_microbatch_s", sp.forward.to_seconds()},
                           {"backward_per_microbatch_s", sp.backward.to_seconds()},
                           {"tp_bytes", sp.tp_bytes},
                           {"pp_bytes", sp.pp_bytes},
                           {"dp_bytes", sp.dp_bytes},
                           {"ep_bytes", sp.ep_bytes}});
  }
  return j;
}

}  // namespace aifabric
