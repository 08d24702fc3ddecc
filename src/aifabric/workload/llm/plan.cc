#include "aifabric/workload/llm/plan.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace aifabric {
namespace {

double ring_factor(int64_t n) {
  return n <= 1 ? 0.0 : 2.0 * static_cast<double>(n - 1) / static_cast<double>(n);
}

// Layers per virtual stage: even, with Megatron's first/last-stage overrides (the
// first and last virtual stage), the remainder going to the interior stages first (the
// first holds the embedding, the last the output layer and loss). Empty on a layout that does not
// fit, with the reason.
Result<std::vector<int64_t>> split_layers(const ModelConfig& m, const ParallelConfig& p) {
  const int64_t v = p.virtual_stages;
  const int64_t stages = p.pp * v;
  const auto bad = [&](const std::string& why) {
    return Status::error("workload.parallel: " + why);
  };
  int64_t first = p.first_stage_layers;
  int64_t last = p.last_stage_layers;
  std::vector<int64_t> out(static_cast<size_t>(stages), 0);
  int64_t rest = m.layers;
  int64_t lo = 0, hi = stages;  // the stages the even split covers
  if (first > 0) {
    out[0] = first;
    rest -= first;
    lo = 1;
  }
  if (last > 0) {
    out[static_cast<size_t>(stages - 1)] = last;
    rest -= last;
    hi = stages - 1;
  }
  const int64_t n = hi - lo;
  if (rest < n || (n == 0 && rest != 0)) {
    return bad(std::to_string(m.layers) + " layers do not fill " + std::to_string(stages) +
               " pipeline stages with first_stage_layers " + std::to_string(first) +
               " and last_stage_layers " + std::to_string(last));
  }
  if (n == 0) return out;
  const int64_t base = rest / n;
  int64_t extra = rest % n;
  for (int64_t i = lo; i < hi; ++i) out[static_cast<size_t>(i)] = base;
  // The remainder to the interior stages, from the middle out.
  std::vector<int64_t> order;
  for (int64_t i = lo; i < hi; ++i) order.push_back(i);
  std::stable_sort(order.begin(), order.end(), [&](int64_t x, int64_t y) {
    const auto edge = [&](int64_t i) { return std::min(i, stages - 1 - i); };
    return edge(x) > edge(y);
  });
  for (size_t i = 0; extra > 0; ++i, --extra) ++out[static_cast<size_t>(order[i % order.size()])];
  return out;
}

}  // namespace

Result<IterationPlan> make_plan(const ModelConfig& m, const ParallelConfig& p,
                                const ClusterConfig& c) {
  if (c.gpus_per_node == 0) {
    return Status::error(
        "workload.cluster.gpus_per_node: 0 takes the topology's scale-up domain, which only a "
        "run against the topology resolves");
  }
  if (p.tp > c.gpus_per_node ? p.tp % c.gpus_per_node != 0 : c.gpus_per_node % p.tp != 0) {
    return Status::error("workload.parallel.tp: " + std::to_string(p.tp) +
                         " tensor ranks and servers (or scale-up domains) of "
                         "workload.cluster.gpus_per_node " +
                         std::to_string(c.gpus_per_node) +
                         " GPUs: one must be a multiple of the other, so that no TP group "
                         "straddles two servers unevenly");
  }
  if (m.heads % p.tp != 0) {
    return Status::error("workload.parallel.tp: " + std::to_string(p.tp) + " does not divide the " +
                         std::to_string(m.heads) + " attention heads");
  }
  if (m.seq_len % p.cp != 0) {
    return Status::error("workload.parallel.cp: " + std::to_string(p.cp) +
                         " does not divide the sequence of " + std::to_string(m.seq_len));
  }
  if (m.experts > 0 && m.experts % p.ep != 0) {
    return Status::error("workload.parallel.ep: " + std::to_string(p.ep) + " does not divide the " +
                         std::to_string(m.experts) + " experts");
  }
  if (m.experts == 0 && p.ep != 1) {
    return Status::error(
        "workload.parallel.ep: expert parallelism needs an MoE model (experts > 0)");
  }
  if (p.first_stage_layers == 0 && p.last_stage_layers == 0 && p.virtual_stages == 1 &&
      m.layers % p.pp != 0) {
    // Megatron-LM needs an even split unless the first/last stage sizes are given.
    return Status::error("workload.parallel.pp: " + std::to_string(p.pp) + " does not divide the " +
                         std::to_string(m.layers) +
                         " layers (set first_stage_layers / last_stage_layers for uneven stages)");
  }
  auto split = split_layers(m, p);
  if (!split) return split.status();
  IterationPlan plan;
  plan.model = m;
  plan.parallel = p;
  plan.cluster = c;
  plan.sizes = model_sizes(m, p.tp);
  plan.gpus = p.gpus();
  plan.micro_batches = p.micro_batches();
  plan.flops = iteration_flops(m, p);

  const ModelSizes& z = plan.sizes;
  // Per micro-batch and GPU (context parallelism splits the sequence).
  const int64_t gpu_tokens = p.micro_batch * m.seq_len / p.cp;  // cp divides seq_len
  const auto tokens = static_cast<double>(gpu_tokens);
  const int64_t act_bytes = precision_bytes(m.precision);
  const int64_t grad_bytes = precision_bytes(p.grad_precision);
  const bool full = p.recompute == Recompute::kFull;
  const int64_t mb = plan.micro_batches;
  const int64_t activation = static_cast<int64_t>(tokens) * m.hidden * act_bytes;  // b x s x h
  const int64_t dp_groups = p.dp / p.ep;  // ranks sharing one expert's gradients
  const int64_t data = p.data_ranks();    // ranks sharing the dense gradients
  // TP collectives per layer in all-gather / reduce-scatter units (an all-reduce is
  // two): 2 all-reduces or 2 AG + 2 RS per pass (forward, backward, recompute), and
  // with sequence parallelism the backward's 2 extra all-gathers. Each unit sends
  // (t-1)/t of the activation per GPU.
  const int64_t tp_collectives_per_layer = (full ? 3 : 2) * 4 + (p.sequence_parallel ? 2 : 0);
  const double tp_share = 0.5 * ring_factor(p.tp);

  plan.dense_layer = layer_time(m, p, c, false);
  if (m.experts > 0) {
    plan.moe_layer = layer_time(m, p, c, true);
    // The expert MLPs' share of an MoE layer: the MoE layer minus the same layer with
    // a negligible MLP.
    ModelConfig no_mlp = m;
    no_mlp.experts = 0;
    no_mlp.shared_experts = 0;
    ModelConfig tiny = no_mlp;
    tiny.ffn_hidden = p.tp;  // an MLP of width tp: one column per GPU, next to nothing
    const LayerTime attn_only = layer_time(tiny, p, c, false);
    plan.moe_experts_forward = plan.moe_layer.forward > attn_only.forward
                                   ? plan.moe_layer.forward - attn_only.forward
                                   : Time::zero();
    plan.moe_experts_backward = plan.moe_layer.backward + plan.moe_layer.recompute >
                                        attn_only.backward + attn_only.recompute
                                    ? plan.moe_layer.backward + plan.moe_layer.recompute -
                                          attn_only.backward - attn_only.recompute
                                    : Time::zero();
  }
  const LayerTime logits = logits_time(m, p, c, z.padded_vocab);
  plan.pp_send_bytes = p.pp_scatter_gather && p.tp > 1 ? activation / p.tp : activation;
  // Pipeline receive: without sequence parallelism a scattered activation is all-
  // gathered on NVLink before use (Megatron's scatter-gather).
  const Time pp_gather = p.pp_scatter_gather && p.tp > 1 && !p.sequence_parallel
                             ? nvlink_ring_time(activation, p.tp, c, false)
                             : Time::zero();
  if (p.ep > 1) {
    // Dispatch: each token to its top_k experts, or with node-limited routing one copy
    // per server it goes to (at most node_limit; DeepEP forwards inside the server on
    // NVLink). Combine: the same back, in the activation precision.
    const int64_t nodes_in_group =
        std::max<int64_t>(1, p.ep * p.tp / std::max<int64_t>(c.gpus_per_node, 1));
    const double copies =
        p.node_limit > 0 ? static_cast<double>(std::min({p.node_limit, m.top_k, nodes_in_group}))
                         : static_cast<double>(m.top_k);
    const double per_token = copies * static_cast<double>(m.hidden) * p.expert_imbalance;
    plan.dispatch_bytes = static_cast<int64_t>(
        tokens * per_token * static_cast<double>(precision_bytes(m.dispatch_precision)));
    plan.combine_bytes = static_cast<int64_t>(tokens * per_token * static_cast<double>(act_bytes));
  }

  // Context parallelism: per layer the keys and values of the whole sequence pass
  // round the cp ranks (each rank's s/cp share to every other), forward; backward the
  // same again plus their gradients back.
  if (p.cp > 1) {
    plan.cp_kv_bytes = 2 * p.micro_batch * m.seq_len * m.kv_dim() / p.tp * act_bytes;
  }
  const auto& layers = *split;
  int64_t next_layer = 0;
  plan.stages.resize(static_cast<size_t>(p.pp));
  for (size_t vs = 0; vs < layers.size(); ++vs) {
    ChunkPlan ch;
    ch.device = static_cast<int64_t>(vs) % p.pp;
    ch.chunk = static_cast<int64_t>(vs) / p.pp;
    ch.first_layer = next_layer;
    ch.layers = layers[vs];
    next_layer += ch.layers;
    for (int64_t l = ch.first_layer; l < ch.first_layer + ch.layers; ++l)
      ch.moe_layers += m.is_moe_layer(l) ? 1 : 0;
    ch.first = vs == 0;
    ch.last = vs + 1 == layers.size();
    const int64_t dense = ch.layers - ch.moe_layers;
    ch.forward =
        plan.dense_layer.pass_forward() * dense + plan.moe_layer.pass_forward() * ch.moe_layers;
    ch.backward =
        plan.dense_layer.pass_backward() * dense + plan.moe_layer.pass_backward() * ch.moe_layers;
    if (ch.last) {
      ch.forward += logits.pass_forward();
      ch.backward += logits.pass_backward();
    }
    if (!ch.first) ch.forward += pp_gather;
    if (!ch.last) ch.backward += pp_gather;
    plan.chunks.push_back(ch);
    StagePlan& sp = plan.stages[static_cast<size_t>(ch.device)];
    sp.layers += ch.layers;
    sp.moe_layers += ch.moe_layers;
    sp.forward += ch.forward;
    sp.backward += ch.backward;
    const auto kernels = [](const LayerTime& t) { return t.forward + t.backward + t.recompute; };
    sp.kernels += kernels(plan.dense_layer) * dense + kernels(plan.moe_layer) * ch.moe_layers +
                  (ch.last ? kernels(logits) : Time::zero());
    sp.tp_net_bytes +=
        mb * (plan.dense_layer.tp_net_bytes * dense + plan.moe_layer.tp_net_bytes * ch.moe_layers);
    if (!ch.first) sp.pp_bytes += mb * plan.pp_send_bytes;  // gradients back
    if (!ch.last) sp.pp_bytes += mb * plan.pp_send_bytes;   // activations on
  }

  for (int64_t st = 0; st < p.pp; ++st) {
    StagePlan& sp = plan.stages[static_cast<size_t>(st)];
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
    // The distributed optimizer (ZeRO >= 1) steps 1/dp of the parameters.
    sp.optimizer = optimizer_time(c, p.zero_stage >= 1 ? held / data : held);

    sp.tp_allreduce_bytes_per_microbatch = activation;
    sp.tp_bytes =
        static_cast<int64_t>(static_cast<double>(mb * sp.layers * tp_collectives_per_layer) *
                             tp_share * static_cast<double>(activation));
    const int64_t dense_grads = (held - sp.expert_params_per_gpu) * grad_bytes;
    const int64_t expert_grads = sp.expert_params_per_gpu * grad_bytes;
    // All-reduce, or reduce-scatter + all-gather (ZeRO 1/2): the same 2(d-1)/d; ZeRO 3
    // gathers the parameters before each forward and backward of each micro-batch.
    double dp_factor = 1;
    if (p.zero_stage == 3) dp_factor = 1.5 * static_cast<double>(mb);  // (2 AG + 1 RS) / 2
    sp.dp_bytes = static_cast<int64_t>(
        dp_factor * (ring_factor(data) * static_cast<double>(dense_grads) +
                     ring_factor(dp_groups) * static_cast<double>(expert_grads)));
    if (p.ep > 1) {
      const double per_pass = static_cast<double>(plan.dispatch_bytes + plan.combine_bytes) *
                              static_cast<double>(p.ep - 1) / static_cast<double>(p.ep);
      sp.ep_bytes =
          static_cast<int64_t>(static_cast<double>(mb * sp.moe_layers * (full ? 3 : 2)) * per_pass);
    }
    sp.cp_bytes = static_cast<int64_t>(static_cast<double>(mb * sp.layers * (full ? 4 : 3)) * 0.5 *
                                       ring_factor(p.cp) * static_cast<double>(plan.cp_kv_bytes));
  }

  // Which medium each parallelism uses: NVLink when every peer of the group shares the
  // server, the network when none does, both when the group spans servers and some
  // peers share one.
  auto medium = [&](bool used, const std::vector<uint32_t>& group) -> std::string {
    if (!used) return "none";
    size_t local = 0;
    for (uint32_t r : group) local += plan.node_of(r) == plan.node_of(group[0]) ? 1 : 0;
    if (local == group.size()) return "NVLink";
    return local == 1 ? "network" : "NVLink+network";
  };
  std::vector<uint32_t> tp_group, dp_group, ep_group, cp_group, pp_pair;
  for (int64_t i = 0; i < p.cp; ++i) cp_group.push_back(plan.rank(i, 0, 0));
  for (int64_t i = 0; i < p.tp; ++i) tp_group.push_back(plan.rank(0, 0, i));
  for (int64_t i = 0; i < data; ++i) dp_group.push_back(plan.rank(i, 0, 0));
  for (int64_t i = 0; i < p.ep; ++i) ep_group.push_back(plan.rank(i, 0, 0));
  pp_pair = {plan.rank(0, 0, 0), plan.rank(0, std::min<int64_t>(1, p.pp - 1), 0)};
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
  line("tensor", medium(p.tp > 1, tp_group), &StagePlan::tp_bytes);
  if (p.tp > plan.cluster.gpus_per_node) {
    line("tensor on NICs", "network", &StagePlan::tp_net_bytes);
  }
  line("pipeline", medium(p.pp > 1, pp_pair), &StagePlan::pp_bytes);
  line("data", medium(data > 1, dp_group), &StagePlan::dp_bytes);
  line("expert", medium(p.ep > 1, ep_group), &StagePlan::ep_bytes);
  line("context", medium(p.cp > 1, cp_group), &StagePlan::cp_bytes);

  // The busiest GPU's kernels per iteration; per micro-batch, the slowest rank's
  // forward + backward (all its chunks, TP communication in, MoE all-to-alls out).
  Time slowest;
  double busiest_flops_share = 0;
  for (const auto& sp : plan.stages) {
    const Time compute = sp.kernels * mb + sp.optimizer;
    if (compute > plan.compute_per_iteration) {
      plan.compute_per_iteration = compute;
      busiest_flops_share = static_cast<double>(sp.layers) / static_cast<double>(m.layers);
    }
    slowest = std::max(slowest, sp.forward + sp.backward);
  }
  // 1F1B: (M + pp - 1) slots of the slowest rank; interleaved: the bubble shrinks by
  // the number of chunks (Narayanan et al. 2021, section 2.2.2).
  const int64_t v = p.virtual_stages;
  plan.ideal_iteration = slowest * mb + slowest * (p.pp - 1) / v;
  plan.iterations_for_training =
      c.training_tokens / (static_cast<double>(p.global_batch) * static_cast<double>(m.seq_len));
  if (c.roofline()) {
    // The achieved rate: the busiest rank's share of the FLOPs over its compute time.
    const double gpu_flops = plan.flops * busiest_flops_share / static_cast<double>(data * p.tp);
    const double secs = plan.compute_per_iteration.to_seconds();
    plan.achieved_tflops = secs > 0 ? gpu_flops / secs / 1e12 : 0;
  } else {
    plan.achieved_tflops = c.achieved_tflops();
  }
  // Megatron's formula counts 8 = 2 x (forward + 2 backward + recompute) FLOPs per
  // parameter per token, with recompute; 6 without it (and with selective recompute,
  // which only re-runs attention's scores, a term the formula leaves out anyway). For
  // MoE models P is what one token touches.
  const double passes = p.recompute == Recompute::kFull ? 8.0 : 6.0;
  plan.training_days_formula =
      passes / 8.0 *
      training_time_estimate(c.training_tokens, static_cast<double>(z.active_params), plan.gpus,
                             plan.achieved_tflops * 1e12) /
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
      "layout        TP={} PP={} (x{} chunks) DP={} CP={} EP={} = {} GPUs, {} per node; B={}, "
      "b={}, {} micro-batches\n",
      p.tp, p.pp, p.virtual_stages, p.dp, p.cp, p.ep, plan.gpus, plan.cluster.gpus_per_node,
      p.global_batch, p.micro_batch, plan.micro_batches);
  out += fmt::format(
      "modes         recompute {}, sequence parallel {}, TP overlap {}, ZeRO stage {}, "
      "pipeline scatter-gather {}; compute on {}\n",
      kRecomputeNames[static_cast<int>(p.recompute)], p.sequence_parallel ? "on" : "off",
      p.tp_overlap ? "on" : "off", p.zero_stage, p.pp_scatter_gather ? "on" : "off",
      plan.cluster.roofline()
          ? fmt::format("the {} roofline (GEMM efficiency {:g})", plan.cluster.gpu_model().name,
                        plan.cluster.gemm_efficiency)
          : fmt::format("a constant {:g} TFLOP/s", plan.cluster.achieved_tflops()));
  out += fmt::format("FLOPs         {:.4g} per iteration\n", plan.flops);
  out += fmt::format(
      "compute       {:.3f} s per iteration on the busiest GPU at {:g} TFLOP/s; 1F1B without "
      "communication {:.3f} s\n",
      plan.compute_per_iteration.to_seconds(), plan.achieved_tflops,
      plan.ideal_iteration.to_seconds());
  out += fmt::format(
      "training      T = 8 (6 without recompute) T P_active / (N X) = {:.2f} days for {:.3g} "
      "tokens "
      "({:.0f} iterations)\n\n",
      plan.training_days_formula, plan.cluster.training_tokens, plan.iterations_for_training);
  out += fmt::format("{:<10} {:<15} {:>22} {:>22}\n", "traffic", "medium", "bytes/GPU/iter (mean)",
                     "bytes/GPU/iter (max)");
  for (const auto& t : plan.traffic) {
    out += fmt::format("{:<10} {:<15} {:>22.4e} {:>22.4e}\n", t.kind, t.medium, t.mean_bytes,
                       t.max_bytes);
  }
  out +=
      fmt::format("\n{:>5} {:>6} {:>4} {:>14} {:>12} {:>12} {:>12} {:>12} {:>12} {:>12} {:>12}\n",
                  "stage", "layers", "moe", "params/GPU", "fwd/mb(ms)", "bwd/mb(ms)", "TP(B)",
                  "PP(B)", "DP(B)", "EP(B)", "CP(B)");
  for (size_t i = 0; i < plan.stages.size(); ++i) {
    const auto& sp = plan.stages[i];
    out += fmt::format(
        "{:>5} {:>6} {:>4} {:>14.4e} {:>12.3f} {:>12.3f} {:>12.4e} {:>12.4e} {:>12.4e} {:>12.4e} "
        "{:>12.4e}\n",
        i, sp.layers, sp.moe_layers, static_cast<double>(sp.params_per_gpu), sp.forward.to_ms(),
        sp.backward.to_ms(), static_cast<double>(sp.tp_bytes), static_cast<double>(sp.pp_bytes),
        static_cast<double>(sp.dp_bytes), static_cast<double>(sp.ep_bytes),
        static_cast<double>(sp.cp_bytes));
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
  j["achieved_tflops_per_gpu"] = plan.achieved_tflops;
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
                           {"tp_net_bytes", sp.tp_net_bytes},
                           {"pp_bytes", sp.pp_bytes},
                           {"dp_bytes", sp.dp_bytes},
                           {"ep_bytes", sp.ep_bytes},
                           {"cp_bytes", sp.cp_bytes},
                           {"optimizer_s", sp.optimizer.to_seconds()}});
  }
  return j;
}

}  // namespace aifabric
