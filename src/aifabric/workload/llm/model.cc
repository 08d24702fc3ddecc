#include "aifabric/workload/llm/model.h"

namespace aifabric {

void ModelConfig::visit(ParamVisitor& v) {
  v.param("name", name, "model name");
  v.param("layers", layers, "transformer layers", Range{1, 10000});
  v.param("hidden", hidden, "hidden size h", Range{1, 1e6});
  v.param("heads", heads, "attention heads", Range{1, 1e5});
  v.param("kv_heads", kv_heads, "key/value heads (grouped-query attention); 0 = heads",
          Range{0, 1e5});
  v.param("ffn_hidden", ffn_hidden, "MLP width; 0 = 4 x hidden", Range{0, 1e7});
  v.param("gated_mlp", gated_mlp, "SwiGLU MLP (three matrices), as Llama");
  v.param("bias", bias, "linear layers have biases (GPT-3) or not (Llama)");
  v.param("learned_positions", learned_positions,
          "learned position embeddings (GPT-3) or rotary (Llama)");
  v.param("tied_embeddings", tied_embeddings, "output layer shares the input embedding");
  v.param("seq_len", seq_len, "sequence length s", Range{1, 1e7});
  v.param("vocab", vocab, "vocabulary size V", Range{1, 1e8});
  v.param("vocab_pad", vocab_pad, "pad the vocabulary to a multiple of vocab_pad x tp (Megatron)",
          Range{1, 1e6});
  visit_enum(v, "precision", precision, kPrecisionNames, "weights and activations");
  v.param("experts", experts, "experts per MoE layer; 0 = dense model", Range{0, 1e5});
  v.param("top_k", top_k, "experts each token is routed to", Range{1, 1e3});
  v.param("expert_ffn_hidden", expert_ffn_hidden, "expert MLP width; 0 = ffn_hidden",
          Range{0, 1e7});
  v.param("moe_every", moe_every, "every n-th layer is an MoE layer", Range{1, 1e4});
  v.param("dense_layers", dense_layers, "the first n layers stay dense (DeepSeek-V3: 3)",
          Range{0, 1e4});
  v.param("shared_experts", shared_experts,
          "experts every token also goes through, beside its top_k (DeepSeek: 1)", Range{0, 64});
  visit_enum(v, "dispatch_precision", dispatch_precision, kPrecisionNames,
             "the MoE dispatch all-to-all (DeepSeek-V3: fp8; the combine is in precision)");
  visit_enum(v, "attention", attention, kAttentionNames,
             "attention kernel (with a GPU model): flash (tiled on chip) or unfused (scores and "
             "softmax through HBM, as Megatron-LM in 2021-22)");
}

Status ModelConfig::validate() const {
  if (hidden % heads != 0) return Status::error("hidden must be a multiple of heads");
  if (kv_heads > 0 && heads % kv_heads != 0) {
    return Status::error("heads must be a multiple of kv_heads");
  }
  if (experts > 0 && top_k > experts) return Status::error("top_k must be <= experts");
  if (dense_layers > layers) return Status::error("dense_layers must be <= layers");
  return Status::ok();
}

void ParallelConfig::visit(ParamVisitor& v) {
  v.param("tp", tp, "tensor parallelism", Range{1, 1e5});
  v.param("pp", pp, "pipeline parallelism (1F1B)", Range{1, 1e5});
  v.param("virtual_stages", virtual_stages,
          "model chunks per pipeline rank: interleaved 1F1B (Megatron's virtual pipeline "
          "stages); 1 = plain 1F1B",
          Range{1, 1e4});
  v.param("first_stage_layers", first_stage_layers,
          "layers of the first pipeline stage (uneven stages); 0 = an even split", Range{0, 1e4});
  v.param("last_stage_layers", last_stage_layers,
          "layers of the last pipeline stage (uneven stages); 0 = an even split", Range{0, 1e4});
  v.param("sequence_parallel", sequence_parallel,
          "sequence parallelism: TP all-gather / reduce-scatter instead of all-reduce, norms and "
          "dropout split over the TP ranks");
  v.param("tp_overlap", tp_overlap, "overlap TP communication with the GEMMs");
  v.param("pp_scatter_gather", pp_scatter_gather,
          "pipeline sends split over the TP ranks, all-gathered on NVLink at the receiver");
  v.param("zero_stage", zero_stage,
          "0 = gradient all-reduce; 1, 2 = distributed optimizer (reduce-scatter, step on 1/dp, "
          "all-gather); 3 = fully sharded (FSDP)",
          Range{0, 3});
  v.param("dp", dp, "data parallelism", Range{1, 1e6});
  v.param("ep", ep, "expert parallelism (divides dp)", Range{1, 1e6});
  v.param("cp", cp,
          "context parallelism: the sequence split over cp ranks (between the tensor and data "
          "ranks), attention's keys and values passed round them in a ring",
          Range{1, 1e4});
  v.param("global_batch", global_batch, "sequences per iteration B", Range{1, 1e9});
  v.param("micro_batch", micro_batch, "sequences per micro-batch b", Range{1, 1e6});
  visit_enum(v, "recompute", recompute, kRecomputeNames,
             "activation recomputation: full (forward again in backward), selective (the "
             "attention core only) or none");
  v.param("dp_bucket", dp_bucket, "gradient bucket size of the data-parallel all-reduce");
  v.param("dp_overlap", dp_overlap, "overlap the gradient all-reduce with the last backward");
  visit_enum(v, "grad_precision", grad_precision, kPrecisionNames, "gradients as all-reduced");
  visit_enum(v, "order", order, kRankOrderNames,
             "rank placement, fastest-varying first: tp_dp_pp (Megatron: tensor ranks in a "
             "server, data/pipeline peers on the same rail) or tp_pp_dp");
  v.param("node_limit", node_limit,
          "MoE: each token's experts on at most this many servers (DeepSeek-V3: 4); 0 = none",
          Range{0, 1e5});
  v.param("expert_imbalance", expert_imbalance,
          "MoE: load of the busiest expert rank over the mean (1 = balanced)", Range{1, 1e3});
}

Status ParallelConfig::validate() const {
  if (global_batch % (micro_batch * dp) != 0) {
    return Status::error("global_batch (" + std::to_string(global_batch) +
                         ") must be a multiple of micro_batch x dp (" +
                         std::to_string(micro_batch * dp) + ")");
  }
  if (dp % ep != 0) return Status::error("ep must divide dp");
  if (cp > 1 && ep > 1)
    return Status::error("context and expert parallelism together are not modelled");
  if (dp_bucket.count() <= 0) return Status::error("dp_bucket must be positive");
  if (virtual_stages > 1 && pp == 1) return Status::error("virtual_stages needs pp > 1");
  if (virtual_stages > 1 && micro_batches() % pp != 0) {
    return Status::error("interleaved 1F1B (virtual_stages " + std::to_string(virtual_stages) +
                         ") needs the micro-batches per pipeline (" +
                         std::to_string(micro_batches()) + ") to be a multiple of pp (" +
                         std::to_string(pp) + "), as Megatron-LM requires");
  }
  if ((first_stage_layers > 0 || last_stage_layers > 0) && pp < 2) {
    return Status::error("first_stage_layers / last_stage_layers need pp >= 2");
  }
  return Status::ok();
}

void ClusterConfig::visit(ParamVisitor& v) {
  v.param("gpus_per_node", gpus_per_node,
          "GPUs (and rail NICs) per server or scale-up (NVLink) domain; 0 = the topology's "
          "scale-up domain (topology.scale_up), with its NVLink rate and latency",
          Range{0, 1024});
  v.choice("gpu", gpu, gpu_models().names(),
           "GPU model: times each kernel on its roofline (peak FLOP/s by precision, HBM "
           "bandwidth, SMs); none = every FLOP at effective_tflops");
  v.param("nvlink_rate", nvlink_rate, "NVLink/NVSwitch bandwidth per GPU per direction");
  v.param("nvlink_latency", nvlink_latency, "NVLink transfer latency");
  v.param("scale_out_rate", scale_out_rate,
          "NIC bandwidth per GPU a TP group larger than gpus_per_node uses between servers "
          "(hierarchical: NVLink inside, a ring per rail across); 0 = the topology's NIC rate "
          "x planes (400 Gbps without one)");
  v.param("scale_out_latency", scale_out_latency,
          "latency of one ring step of such a TP group between servers");
  v.param("nvlink_efficiency", nvlink_efficiency,
          "share of nvlink_rate collectives reach (nccl-tests on DGX A100: 0.8)", Range{0.01, 1});
  v.param("nvls", nvls,
          "the NVSwitches reduce and multicast (NVLS, H100/B200 NVSwitch): TP collectives "
          "inside a domain take the faster of NVLS and the ring, as NCCL's tuner does");
  v.param("nvls_rate", nvls_rate,
          "with nvls: the NVSwitch's reduction throughput per GPU port; 0 = no limit beyond "
          "nvlink_rate");
  v.param("effective_tflops", effective_tflops,
          "achieved TFLOP/s per GPU, overriding the GPU model; 0 = the GPU model's, or 140 "
          "(Megatron-LM's A100 GPT-3 figure) with gpu none",
          Range{0, 1e6});
  v.param("gemm_efficiency", gemm_efficiency,
          "with a GPU model: share of the tensor-core peak a large GEMM sustains (the compute "
          "model's one calibrated constant, docs/workload.md)",
          Range{0.01, 1});
  v.param("peak_tflops", peak_tflops, "peak TFLOP/s per GPU (with mfu)", Range{0, 1e6});
  v.param("mfu", mfu, "model FLOPs utilization; > 0 sets the achieved rate to peak x mfu",
          Range{0, 1});
  v.param("training_tokens", training_tokens, "tokens of the whole training run", Range{0, 1e18});
}

ModelSizes model_sizes(const ModelConfig& m, int64_t tp) {
  ModelSizes z;
  const int64_t h = m.hidden;
  const int64_t pad = m.vocab_pad * tp;
  z.padded_vocab = (m.vocab + pad - 1) / pad * pad;
  const int64_t b = m.bias ? 1 : 0;
  // Attention: Q and O are h x h, K and V are h x kv_dim; biases on each output.
  const int64_t attention = 2 * h * h + 2 * h * m.kv_dim() + b * (2 * h + 2 * m.kv_dim());
  auto mlp = [&](int64_t f) { return (m.gated_mlp ? 3 : 2) * h * f + b * (f + h); };
  const int64_t norms = int64_t{2} * (m.bias ? 2 : 1) * h;  // two layer norms (RMSNorm: scale only)
  z.params_per_layer_dense = attention + mlp(m.ffn()) + norms;
  const int64_t shared = m.shared_experts * mlp(m.expert_ffn());  // replicated like dense
  z.params_per_layer_moe =
      attention + m.experts * mlp(m.expert_ffn()) + shared + h * m.experts + norms;
  z.active_per_layer_moe =
      attention + m.top_k * mlp(m.expert_ffn()) + shared + h * m.experts + norms;
  z.expert_params_per_moe_layer = m.experts * mlp(m.expert_ffn());
  z.embedding_params = z.padded_vocab * h + (m.learned_positions ? m.seq_len * h : 0);
  const int64_t output = m.tied_embeddings ? 0 : z.padded_vocab * h;
  const int64_t final_norm = (m.bias ? 2 : 1) * h;
  const int64_t moe = m.moe_layers();
  const int64_t dense = m.layers - moe;
  z.total_params = dense * z.params_per_layer_dense + moe * z.params_per_layer_moe +
                   z.embedding_params + output + final_norm;
  z.active_params = dense * z.params_per_layer_dense + moe * z.active_per_layer_moe +
                    z.embedding_params + output + final_norm;
  return z;
}

double iteration_flops(const ModelConfig& m, const ParallelConfig& p) {
  const ModelSizes z = model_sizes(m, p.tp);
  const double h = static_cast<double>(m.hidden);
  const double s = static_cast<double>(m.seq_len);
  const double kv = static_cast<double>(m.kv_dim());
  // Forward FLOPs per token of one layer: 2 per weight of each matrix multiplication,
  // plus attention scores and weighted values (2 x 2 x s x h; Megatron counts the full
  // square, as here).
  const double attn_mm = 2 * (2 * h * h + 2 * h * kv);
  const double scores = 4 * s * h;
  auto mlp_mm = [&](double f, double k) { return 2 * k * (m.gated_mlp ? 3 : 2) * h * f; };
  const double dense_layer = attn_mm + scores + mlp_mm(static_cast<double>(m.ffn()), 1);
  const double moe_layer =
      attn_mm + scores +
      mlp_mm(static_cast<double>(m.expert_ffn()), static_cast<double>(m.top_k + m.shared_experts)) +
      2 * h * static_cast<double>(m.experts);  // router
  const double moe = static_cast<double>(m.moe_layers());
  const double dense = static_cast<double>(m.layers) - moe;
  const double logits = 2 * h * static_cast<double>(z.padded_vocab);
  // Backward costs twice the forward; full recompute runs the layers' forward once
  // more (not the logit layer, whose output is kept).
  const double passes = p.recompute == Recompute::kFull ? 4.0 : 3.0;
  // Selective recompute runs the attention core's forward once more.
  const double again = p.recompute == Recompute::kSelective ? scores * (dense + moe) : 0.0;
  const double tokens = static_cast<double>(p.global_batch) * s;
  return tokens * (passes * (dense * dense_layer + moe * moe_layer) + again + 3.0 * logits);
}

double training_time_estimate(double tokens, double params, int64_t gpus, double flops_per_gpu) {
  return 8.0 * tokens * params / (static_cast<double>(gpus) * flops_per_gpu);
}

}  // namespace aifabric
