#include "aifabric/workload/llm/model.h"

namespace aifabric {

int64_t precision_bytes(Precision p) {
  switch (p) {
    case Precision::kFp8:
      return 1;
    case Precision::kFp32:
      return 4;
    default:
      return 2;
  }
}

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
}

Status ModelConfig::validate() const {
  if (hidden % heads != 0) return Status::error("hidden must be a multiple of heads");
  if (kv_heads > 0 && heads % kv_heads != 0) {
    return Status::error("heads must be a multiple of kv_heads");
  }
  if (experts > 0 && top_k > experts) return Status::error("top_k must be <= experts");
  return Status::ok();
}

void ParallelConfig::visit(ParamVisitor& v) {
  v.param("tp", tp, "tensor parallelism", Range{1, 1e5});
  v.param("pp", pp, "pipeline parallelism (1F1B)", Range{1, 1e5});
  v.param("dp", dp, "data parallelism", Range{1, 1e6});
  v.param("ep", ep, "expert parallelism (divides dp)", Range{1, 1e6});
  v.param("global_batch", global_batch, "sequences per iteration B", Range{1, 1e9});
  v.param("micro_batch", micro_batch, "sequences per micro-batch b", Range{1, 1e6});
  visit_enum(v, "recompute", recompute, kRecomputeNames,
             "activation recomputation: full (forward again in backward) or none");
  v.param("dp_bucket", dp_bucket, "gradient bucket size of the data-parallel all-reduce");
  v.param("dp_overlap", dp_overlap, "overlap the gradient all-reduce with the last backward");
  visit_enum(v, "grad_precision", grad_precision, kPrecisionNames, "gradients as all-reduced");
  visit_enum(v, "order", order, kRankOrderNames,
             "rank placement, fastest-varying first: tp_dp_pp (Megatron: tensor ranks in a "
             "server, data/pipeline peers on the same rail) or tp_pp_dp");
}

Status ParallelConfig::validate() const {
  if (global_batch % (micro_batch * dp) != 0) {
    return Status::error("global_batch (" + std::to_string(global_batch) +
                         ") must be a multiple of micro_batch x dp (" +
                         std::to_string(micro_batch * dp) + ")");
  }
  if (dp % ep != 0) return Status::error("ep must divide dp");
  if (dp_bucket.count() <= 0) return Status::error("dp_bucket must be positive");
  return Status::ok();
}

void ClusterConfig::visit(ParamVisitor& v) {
  v.param("gpus_per_node", gpus_per_node, "GPUs (and rail NICs) per server", Range{1, 1024});
  v.param("nvlink_rate", nvlink_rate, "NVLink/NVSwitch bandwidth per GPU per direction");
  v.param("nvlink_latency", nvlink_latency, "NVLink transfer latency");
  v.param("effective_tflops", effective_tflops, "achieved TFLOP/s per GPU", Range{1e-3, 1e6});
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
  const int64_t norms = 2 * (m.bias ? 2 : 1) * h;  // two layer norms (RMSNorm: scale only)
  z.params_per_layer_dense = attention + mlp(m.ffn()) + norms;
  z.params_per_layer_moe = attention + m.experts * mlp(m.expert_ffn()) + h * m.experts + norms;
  z.active_per_layer_moe = attention + m.top_k * mlp(m.expert_ffn()) + h * m.experts + norms;
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
      attn_mm + scores + mlp_mm(static_cast<double>(m.expert_ffn()), static_cast<double>(m.top_k)) +
      2 * h * static_cast<double>(m.experts);  // router
  const double moe = static_cast<double>(m.moe_layers());
  const double dense = static_cast<double>(m.layers) - moe;
  const double logits = 2 * h * static_cast<double>(z.padded_vocab);
  // Backward costs twice the forward; full recompute runs the layers' forward once
  // more (not the logit layer, whose output is kept).
  const double passes = p.recompute == Recompute::kFull ? 4.0 : 3.0;
  const double tokens = static_cast<double>(p.global_batch) * s;
  return tokens * (passes * (dense * dense_layer + moe * moe_layer) + 3.0 * logits);
}

double training_time_estimate(double tokens, double params, int64_t gpus, double flops_per_gpu) {
  return 8.0 * tokens * params / (static_cast<double>(gpus) * flops_per_gpu);
}

}  // namespace aifabric
