// The GPU family (`workload.cluster.gpu`) and the compute model on it: a kernel's time
// is the larger of its arithmetic at the GPU's peak for the precision and its bytes at
// the HBM bandwidth (the roofline), with what stops a real kernel from reaching the
// peak modelled rather than fitted per model: tile and wave quantization of a GEMM
// over the GPU's SMs, a fixed launch cost per kernel, and one efficiency of the
// arithmetic pipes that a calibration sets (docs/workload.md, "The compute model").
// A new GPU is one entry in compute/registry.cc with its datasheet source.
#pragma once

#include <cstdint>
#include <string_view>

#include "aifabric/core/registry.h"
#include "aifabric/core/units.h"

namespace aifabric {

enum class Precision { kFp16 = 0, kBf16 = 1, kFp8 = 2, kFp32 = 3 };
inline constexpr std::string_view kPrecisionNames[] = {"fp16", "bf16", "fp8", "fp32"};
int64_t precision_bytes(Precision p);

struct GpuModel : Member {
  double fp16_tflops = 0;  // dense tensor-core peak for fp16 / bf16
  double fp8_tflops = 0;   // dense fp8 peak; 0 = no fp8 (runs at the fp16 rate)
  double fp32_tflops = 0;  // tf32 tensor-core peak (what fp32 matmuls use)
  double hbm_gbs = 0;      // HBM bandwidth, GB/s (1e9 B/s)
  int64_t sms = 0;         // streaming multiprocessors (AI cores) that GEMM tiles fill
  BitRate nvlink_rate;     // NVLink / scale-up bandwidth per GPU per direction
  std::string_view source;
  double peak_flops(Precision p) const;  // FLOP/s
};

const Registry<GpuModel>& gpu_models();

// The GEMM efficiency the calibration found (docs/workload.md, "The compute model").
inline constexpr double kCalibratedGemmEfficiency = 0.778;

// What the datasheets do not give: how close kernels come to the peaks.
struct KernelEfficiency {
  // Share of the tensor-core peak a large, well-shaped GEMM sustains. The one
  // calibrated constant of the compute model (docs/workload.md says which row of
  // which published table sets it).
  double gemm = kCalibratedGemmEfficiency;
  // Share of the HBM peak a streaming (elementwise) kernel sustains. STREAM-like
  // kernels reach ~90 % of HBM2e/HBM3 peak (NVIDIA, "CUDA C++ Best Practices Guide",
  // effective bandwidth; BabelStream on A100: 1.7 of 1.9-2.0 TB/s).
  double memory = 0.88;
  // A kernel's fixed cost (launch, prologue, tail): a few microseconds (CUDA kernel
  // launch latency is 3-5 us; NVIDIA Nsight guidance).
  Time launch = Time::us(4);
  // Output tile of a GEMM (cuBLAS' large tiles are 128 x 128 or 256 x 128).
  int64_t tile_m = 128;
  int64_t tile_n = 128;
  // Split-K's smallest piece of the reduction dimension per SM.
  static constexpr int64_t kSplitKMin = 256;
};

// One GEMM of `batch` independent (m x k) . (k x n) products in `p` (inputs and
// output), optionally accumulating into an fp32 output (Megatron's fused weight-
// gradient accumulation): 2 m n k FLOPs each, tiles of the output spread over the SMs
// in waves (a last partial wave leaves SMs idle; too few tiles split K), then the
// roofline and launch cost.
Time gemm_time(const GpuModel& gpu, const KernelEfficiency& e, int64_t m, int64_t n, int64_t k,
               Precision p, int64_t batch = 1, bool accumulate_fp32 = false);
// The share of the SMs' tile slots a GEMM's output fills (1 = no quantization loss);
// with fewer tiles than SMs, K (if given) is split over SMs.
double gemm_wave_efficiency(const GpuModel& gpu, const KernelEfficiency& e, int64_t m, int64_t n,
                            int64_t batch = 1, int64_t k = 0);
// A memory-bound kernel that reads and writes `bytes` in all.
Time memory_time(const GpuModel& gpu, const KernelEfficiency& e, double bytes);

}  // namespace aifabric
