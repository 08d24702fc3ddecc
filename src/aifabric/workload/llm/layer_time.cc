// The kernels of one transformer layer, as Megatron-LM runs them (Korthikanti et al.
// 2022, figure 4 and section 4): with tensor parallelism t and sequence parallelism the
// layer norms and dropouts work on s/t of the tokens, the GEMMs on 1/t of the weights.
// Per micro-batch of T = b x s tokens, forward:
//   norm, QKV GEMM (T x h) . (h x (h + 2 kv)/t), attention core per head (scores
//   QK^T, softmax, dropout, weighted values; or one flash kernel), output projection
//   (T x h/t) . (h/t x h), dropout + residual, norm, MLP up (T x h) . (h x f/t; x2
//   gated), GeLU / SwiGLU, MLP down (T x f/t) . (f/t x h), dropout + residual.
// Backward: each GEMM twice (input gradient, weight gradient accumulated into fp32),
// each elementwise kernel's bytes twice, flash attention 2.5x its forward
// (FlashAttention-2: the backward recomputes the scores).
#include "aifabric/workload/llm/layer_time.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <mutex>
#include <tuple>

#include "aifabric/net/packet.h"
#include "aifabric/workload/collectives/nccl.h"
#include "aifabric/workload/collectives/nvls.h"

namespace aifabric {
namespace {

Time seconds(double s) {
  return Time::ps(std::llround(s * 1e12));
}

struct Kernels {
  const GpuModel& gpu;
  KernelEfficiency e;
  Precision p;
  Time gemm(int64_t m, int64_t n, int64_t k, int64_t batch = 1) const {
    return gemm_time(gpu, e, m, n, k, p, batch);
  }
  // Forward, input-gradient and weight-gradient GEMMs of one linear layer.
  Time fwd(int64_t m, int64_t n, int64_t k, int64_t batch = 1) const {
    return gemm(m, n, k, batch);
  }
  Time bwd(int64_t m, int64_t n, int64_t k, int64_t batch = 1) const {
    return gemm(m, k, n, batch) + gemm_time(gpu, e, k, n, m, p, batch, true);
  }
  Time mem(double bytes) const { return memory_time(gpu, e, bytes); }
};

// Time the TP communication of one pass adds: all of it, or with overlap what the
// GEMMs of the pass cannot hide (the first of t chunks never overlaps).
Time exposed(Time comm, Time gemms, const ParallelConfig& p) {
  if (!p.tp_overlap || comm == Time::zero()) return comm;
  const Time first = comm / p.tp;
  return std::max(first, comm > gemms ? comm - gemms : Time::zero());
}

// One TP collective of `bytes` (nccl-tests' per-rank buffer) among p.tp ranks. Inside
// one server or scale-up domain: NVLink. A TP group spanning k = tp / g domains of g
// GPUs runs hierarchically, as NCCL does across nodes: inside each domain a reduce-
// scatter (all-reduce) on NVLink, then on every GPU's NIC a ring among the k domains
// over its 1/g share, then the all-gather on NVLink:
//   all-reduce  = RS_nvl(B, g) + 2 (k - 1) (alpha + B / (g k) / r) + AG_nvl(B, g)
//   all-gather  = (k - 1) (alpha + B / (g k) / r) + AG_nvl(B, g)
// with r the NIC's payload goodput (scale_out_rate less RoCE framing at a 4 KiB MTU) and
// alpha = scale_out_latency per ring step. The NIC carries (k - 1)/k x B/g per GPU (x 2
// for an all-reduce): `net_bytes`.
Time tp_collective(const ParallelConfig& p, const ClusterConfig& c, int64_t bytes, bool all_reduce,
                   int64_t& net_bytes) {
  const int64_t g = c.gpus_per_node;
  if (p.tp <= g) return nvlink_ring_time(bytes, p.tp, c, all_reduce);
  const int64_t k = p.tp / g;
  const double mtu = 4096;
  const BitRate nic = c.scale_out_rate.bits_per_second() > 0 ? c.scale_out_rate : kDefaultScaleOut;
  const double goodput = static_cast<double>(nic.bits_per_second()) / 8 * mtu /
                         (mtu + kRoceHeaderBytes + kL1OverheadBytes);
  const double share = static_cast<double>(bytes) / static_cast<double>(g * k);
  const int64_t steps = (all_reduce ? 2 : 1) * (k - 1);
  net_bytes += static_cast<int64_t>(share) * steps;
  const Time ring = (c.scale_out_latency + seconds(share / goodput)) * steps;
  const Time inside = nvlink_ring_time(bytes, g, c, false);
  return ring + inside * (all_reduce ? 2 : 1);
}

// TP collectives of one layer pass: without sequence parallelism two all-reduces of
// the b x s x h activation; with it two all-gathers and two reduce-scatters.
Time tp_pass(const ParallelConfig& p, const ClusterConfig& c, int64_t bytes, int64_t& net_bytes) {
  if (p.tp <= 1) return Time::zero();
  if (p.sequence_parallel) {
    Time t;
    for (int i = 0; i < 4; ++i) t += tp_collective(p, c, bytes, false, net_bytes);
    return t;
  }
  return tp_collective(p, c, bytes, true, net_bytes) + tp_collective(p, c, bytes, true, net_bytes);
}

}  // namespace

Time nvlink_ring_time(int64_t bytes, int64_t ranks, const ClusterConfig& c, bool all_reduce) {
  if (ranks <= 1 || bytes <= 0) return Time::zero();
  // NCCL's model (collectives/nccl.h): channels, slices in flight, the protocol NCCL's
  // tuner would pick. Each call runs a small graph on the executor (~ms), so times are
  // kept per (operation, size, ranks, rate, efficiency) for the process; sweeps run
  // points on threads, hence the lock.
  using Key = std::tuple<bool, int64_t, int64_t, int64_t, double, int64_t, int64_t>;
  static std::mutex lock;
  static std::map<Key, Time> cache;
  const Key key{all_reduce,
                bytes,
                ranks,
                c.nvlink_rate.bits_per_second(),
                c.nvlink_efficiency,
                c.nvls ? c.nvls_rate.bits_per_second() : -1,
                c.nvlink_latency.ps()};
  {
    const std::scoped_lock hold(lock);
    if (auto it = cache.find(key); it != cache.end()) return it->second;
  }
  NvlinkCollective nvl;
  nvl.rate = c.nvlink_rate;
  nvl.efficiency = c.nvlink_efficiency;
  auto t = nvlink_collective_time(all_reduce ? CollectiveOp::kAllReduce : CollectiveOp::kAllGather,
                                  bytes, ranks, nvl);
  Time out;
  if (t) {
    out = *t;
  } else {
    // What the NCCL model refuses (it should not on these shapes): a plain ring.
    const double rate =
        static_cast<double>(c.nvlink_rate.bits_per_second()) * c.nvlink_efficiency / 8.0;
    const Time step =
        c.nvlink_latency + seconds(static_cast<double>(bytes) / static_cast<double>(ranks) / rate);
    out = step * ((all_reduce ? 2 : 1) * (ranks - 1));
  }
  if (c.nvls) {
    NvlsConfig cfg;
    cfg.rate = c.nvls_rate;
    const auto v =
        nvls_collective_time(all_reduce ? CollectiveOp::kAllReduce : CollectiveOp::kAllGather,
                             bytes, ranks, nvl, c.nvlink_latency, cfg);
    if (v) out = std::min(out, *v);
  }
  const std::scoped_lock hold(lock);
  cache.emplace(key, out);
  return out;
}

LayerTime layer_time(const ModelConfig& m, const ParallelConfig& p, const ClusterConfig& c,
                     bool moe) {
  moe = moe && m.experts > 0;  // a dense model has no MoE layer to time
  LayerTime lt;
  const int64_t t = p.tp;
  const int64_t h = m.hidden;
  const int64_t s = m.seq_len;
  const int64_t q = s / p.cp;  // this GPU's queries (context parallelism)
  const int64_t tokens = p.micro_batch * q;
  const int64_t a = precision_bytes(m.precision);
  const int64_t act = tokens * h * a;  // one b x s x h activation (this GPU's share)
  const bool full = p.recompute == Recompute::kFull;
  const bool selective = p.recompute == Recompute::kSelective;
  int64_t net_fwd = 0;
  int64_t net_bwd = 0;
  const Time tp_fwd = tp_pass(p, c, act, net_fwd);
  // Backward: the forward's collectives mirrored (recompute's again); with sequence
  // parallelism also the all-gathers of the two GEMM inputs the weight gradients need,
  // which Megatron-LM gathers again rather than keep (Korthikanti et al. 2022, 4.2.2).
  Time tp_bwd = tp_pass(p, c, act, net_bwd) * (full ? 2 : 1);
  net_bwd *= full ? 2 : 1;
  if (p.sequence_parallel && t > 1) {
    tp_bwd += tp_collective(p, c, act, false, net_bwd) + tp_collective(p, c, act, false, net_bwd);
  }
  lt.tp_net_bytes = net_fwd + net_bwd;

  if (!c.roofline()) {
    // A constant rate: FLOPs (2 per multiply-add) / the achieved rate.
    const double x = c.achieved_tflops() * 1e12;
    const double hd = static_cast<double>(h);
    const double kv = static_cast<double>(m.kv_dim());
    const double attn_core = 4.0 * static_cast<double>(s) * hd;  // scores and values
    const double attn = 2 * (2 * hd * hd + 2 * hd * kv) + attn_core;
    const double mats = m.gated_mlp ? 3 : 2;
    double mlp = 2 * mats * hd * static_cast<double>(m.ffn());
    if (moe) {
      mlp = 2 * mats * hd * static_cast<double>(m.expert_ffn()) *
                (static_cast<double>(m.top_k) * p.expert_imbalance +
                 static_cast<double>(m.shared_experts)) +
            2 * hd * static_cast<double>(m.experts);
    }
    const double per_gpu = static_cast<double>(tokens) / static_cast<double>(t);
    lt.forward = seconds(per_gpu * (attn + mlp) / x);
    lt.backward = lt.forward * 2;
    if (full) lt.recompute = lt.forward;
    if (selective) lt.recompute = seconds(per_gpu * attn_core / x);
    lt.tp_forward = exposed(tp_fwd, lt.forward, p);
    lt.tp_backward = exposed(tp_bwd, lt.backward + lt.recompute, p);
    return lt;
  }

  KernelEfficiency eff;
  eff.gemm = c.gemm_efficiency;
  const Kernels k{c.gpu_model(), eff, m.precision};
  const int64_t heads = m.heads / t;  // per GPU
  const int64_t d = h / m.heads;
  const int64_t kv = m.kv_dim();
  const int64_t f = m.ffn();
  const int64_t b = p.micro_batch;
  // Tokens the norms and dropouts see: all of them, or 1/t with sequence parallelism.
  const double norm_tokens = static_cast<double>(tokens) / (p.sequence_parallel ? t : 1);
  const double hh = static_cast<double>(h);
  const double norm_bytes = norm_tokens * hh * 2.0 * static_cast<double>(a);  // read + write
  // Bias-dropout-add: read input and residual, write output and a 1-byte mask.
  const double dropout_bytes = norm_tokens * hh * (3.0 * static_cast<double>(a) + 1.0);

  // Attention projections and MLP GEMMs.
  Time gemm_f = k.fwd(tokens, (h + 2 * kv) / t, h) + k.fwd(tokens, h, h / t);
  Time gemm_b = k.bwd(tokens, (h + 2 * kv) / t, h) + k.bwd(tokens, h, h / t);
  const int64_t up = m.gated_mlp ? 2 : 1;
  double act_fn_bytes = 0;
  auto mlp = [&](int64_t rows, int64_t width, int64_t batch) {
    gemm_f += k.fwd(rows, up * width / t, h, batch) + k.fwd(rows, h, width / t, batch);
    gemm_b += k.bwd(rows, up * width / t, h, batch) + k.bwd(rows, h, width / t, batch);
    // GeLU reads and writes the up-projection; SwiGLU reads two, writes one.
    const int64_t local = width / t;  // this GPU's columns
    act_fn_bytes += static_cast<double>(rows * batch) * static_cast<double>(local) *
                    static_cast<double>(a) * (m.gated_mlp ? 3.0 : 2.0);
  };
  if (moe) {
    gemm_f += k.fwd(tokens, m.experts, h);  // router
    gemm_b += k.bwd(tokens, m.experts, h);
    // Each expert rank holds experts/ep experts and receives, from every rank of its
    // group, the tokens routed to them: tokens x top_k x ep / experts per expert on
    // average, the busiest rank `expert_imbalance` times that.
    const int64_t local = std::max<int64_t>(m.experts / p.ep, 1);
    const auto rows =
        static_cast<int64_t>(std::ceil(static_cast<double>(tokens * m.top_k * p.ep) /
                                       static_cast<double>(m.experts) * p.expert_imbalance));
    mlp(rows, m.expert_ffn(), local);
    if (m.shared_experts > 0) mlp(tokens, m.shared_experts * m.expert_ffn(), 1);
  } else {
    mlp(tokens, f, 1);
  }

  // The attention core, per (sequence, head) of this GPU.
  Time core_f, core_b;
  // Queries q = s / cp against all s keys.
  if (m.attention == AttentionKernel::kFlash) {
    core_f = k.gemm(q, d, s, b * heads) * 2;
    core_b = seconds(core_f.to_seconds() * 2.5);
  } else {
    const double elems =
        static_cast<double>(b * heads) * static_cast<double>(q) * static_cast<double>(s);
    const double aa = static_cast<double>(a);
    core_f = k.gemm(q, s, d, b * heads) + k.gemm(q, d, s, b * heads) +
             k.mem(elems * (4 * aa + 1));  // softmax, dropout (+ mask)
    core_b = k.gemm(q, d, s, b * heads) + k.gemm(s, d, q, b * heads) + k.gemm(q, s, d, b * heads) +
             k.gemm(s, d, q, b * heads) + k.mem(elems * (5 * aa + 1));
  }
  const Time elem_f = k.mem(norm_bytes) * 2 + k.mem(dropout_bytes) * 2 + k.mem(act_fn_bytes);
  const Time elem_b = elem_f * 2;
  lt.forward = gemm_f + core_f + elem_f;
  lt.backward = gemm_b + core_b + elem_b;
  if (full) lt.recompute = lt.forward;
  if (selective && m.attention == AttentionKernel::kUnfused) lt.recompute = core_f;
  lt.tp_forward = exposed(tp_fwd, gemm_f, p);
  lt.tp_backward = exposed(tp_bwd, gemm_b + (full ? gemm_f : Time::zero()), p);
  return lt;
}

LayerTime logits_time(const ModelConfig& m, const ParallelConfig& p, const ClusterConfig& c,
                      int64_t padded_vocab) {
  LayerTime lt;
  const int64_t t = p.tp;
  const int64_t tokens = p.micro_batch * m.seq_len / p.cp;
  const int64_t a = precision_bytes(m.precision);
  const int64_t vocab = padded_vocab / t;
  // The output layer's input is gathered over TP (sequence parallel) or its gradient
  // all-reduced (not).
  const int64_t act = tokens * m.hidden * a;
  if (t > 1) {
    if (p.sequence_parallel) {
      lt.tp_forward = nvlink_ring_time(act, t, c, false);
      lt.tp_backward = lt.tp_forward;
    } else {
      lt.tp_backward = nvlink_ring_time(act, t, c, true);
    }
  }
  if (!c.roofline()) {
    const double x = c.achieved_tflops() * 1e12;
    lt.forward = seconds(static_cast<double>(tokens) * 2.0 * static_cast<double>(m.hidden) *
                         static_cast<double>(vocab) / x);
    lt.backward = lt.forward * 2;
    return lt;
  }
  KernelEfficiency eff;
  eff.gemm = c.gemm_efficiency;
  const Kernels k{c.gpu_model(), eff, m.precision};
  // Cross-entropy in fp32 over the vocabulary shard: read the logits, write fp32.
  const double ce =
      static_cast<double>(tokens) * static_cast<double>(vocab) * (static_cast<double>(a) + 4.0);
  lt.forward = k.fwd(tokens, vocab, m.hidden) + k.mem(ce);
  lt.backward = k.bwd(tokens, vocab, m.hidden) + k.mem(ce);
  return lt;
}

Time optimizer_time(const ClusterConfig& c, int64_t params) {
  if (!c.roofline() || params <= 0) return Time::zero();
  // Mixed-precision Adam per parameter: read the fp32 master weight, fp32 gradient and
  // both moments (16 B), write master, moments and the bf16 copy (14 B); the gradient
  // norm reads the gradient again and zeroing it writes it (8 B): 38 B.
  KernelEfficiency eff;
  return memory_time(c.gpu_model(), eff, 38.0 * static_cast<double>(params));
}

}  // namespace aifabric
