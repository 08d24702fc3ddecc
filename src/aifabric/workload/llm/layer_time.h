// How long one transformer layer takes on one GPU for one micro-batch, pass by pass:
// its kernels on the GPU model's roofline (or its FLOPs at a constant rate without
// one), and its tensor-parallel communication on NVLink (all-reduces, or all-gathers
// and reduce-scatters with sequence parallelism), exposed or overlapped with the
// GEMMs. What Megatron-LM runs per layer (Korthikanti et al. 2022, sections 3-5).
#pragma once

#include "aifabric/core/units.h"
#include "aifabric/workload/llm/model.h"

namespace aifabric {

struct LayerTime {
  Time forward;      // kernels of the forward pass
  Time backward;     // kernels of the backward pass (input and weight gradients)
  Time recompute;    // kernels the backward pass re-runs (full: the forward; selective:
                     // the attention core)
  Time tp_forward;   // TP communication the forward pass waits for
  Time tp_backward;  // ... and the backward (recompute's included)
  // Bytes one GPU's TP collectives of the layer (forward and backward) send on its NIC:
  // 0 while the TP group fits in a server / scale-up domain.
  int64_t tp_net_bytes = 0;
  Time pass_forward() const { return forward + tp_forward; }
  Time pass_backward() const { return backward + recompute + tp_backward; }
};

// `moe`: an MoE layer (router, top_k and shared experts; the all-to-alls are the
// executor's, not here). `tokens` is the micro-batch's b x s.
LayerTime layer_time(const ModelConfig& m, const ParallelConfig& p, const ClusterConfig& c,
                     bool moe);
// The last stage's output layer and loss (logits GEMM, cross-entropy) per micro-batch.
LayerTime logits_time(const ModelConfig& m, const ParallelConfig& p, const ClusterConfig& c,
                      int64_t padded_vocab);
// The optimizer step (mixed-precision Adam, memory bound) over `params` on one GPU;
// zero without a GPU model.
Time optimizer_time(const ClusterConfig& c, int64_t params);

// One NVLink all-gather (or all-reduce) among `ranks` GPUs of `bytes` (nccl-tests'
// per-rank buffer; a reduce-scatter costs what an all-gather does) as NCCL runs it:
// collectives/nccl.h's nvlink_collective_time at nvlink_rate x nvlink_efficiency.
Time nvlink_ring_time(int64_t bytes, int64_t ranks, const ClusterConfig& c, bool all_reduce);

}  // namespace aifabric
