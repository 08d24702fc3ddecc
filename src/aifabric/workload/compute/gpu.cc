#include "aifabric/workload/compute/gpu.h"

#include <algorithm>
#include <cmath>

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

double GpuModel::peak_flops(Precision p) const {
  switch (p) {
    case Precision::kFp8:
      return (fp8_tflops > 0 ? fp8_tflops : fp16_tflops) * 1e12;
    case Precision::kFp32:
      return fp32_tflops * 1e12;
    default:
      return fp16_tflops * 1e12;
  }
}

namespace {

int64_t ceil_div(int64_t a, int64_t b) {
  return (a + b - 1) / b;
}

Time seconds(double s) {
  return Time::ps(std::llround(s * 1e12));
}

}  // namespace

double gemm_wave_efficiency(const GpuModel& gpu, const KernelEfficiency& e, int64_t m, int64_t n,
                            int64_t batch, int64_t k) {
  if (m <= 0 || n <= 0 || batch <= 0) return 1;
  const int64_t sms = std::max<int64_t>(gpu.sms, 1);
  // Tiles of the output, each one SM's work; a wave is one tile per SM. Quantization:
  // partial tiles at the edges and a partial last wave are paid as whole ones. With
  // fewer tiles than SMs the reduction dimension is split over SMs (split-K), in
  // pieces of at least kSplitKMin.
  const int64_t tiles = ceil_div(m, e.tile_m) * ceil_div(n, e.tile_n) * batch;
  int64_t split = 1;
  if (tiles < sms && k > 0) {
    split =
        std::clamp<int64_t>(sms / tiles, 1, std::max<int64_t>(k / KernelEfficiency::kSplitKMin, 1));
  }
  const int64_t waves = ceil_div(tiles * split, sms);
  const double slots = static_cast<double>(waves * sms) * static_cast<double>(e.tile_m * e.tile_n);
  return static_cast<double>(m) * static_cast<double>(n) * static_cast<double>(batch * split) /
         slots;
}

Time gemm_time(const GpuModel& gpu, const KernelEfficiency& e, int64_t m, int64_t n, int64_t k,
               Precision p, int64_t batch, bool accumulate_fp32) {
  if (m <= 0 || n <= 0 || k <= 0 || batch <= 0) return Time::zero();
  const double flops = 2.0 * static_cast<double>(m) * static_cast<double>(n) *
                       static_cast<double>(k) * static_cast<double>(batch);
  const double rate = gpu.peak_flops(p) * e.gemm * gemm_wave_efficiency(gpu, e, m, n, batch, k);
  const auto in = static_cast<double>(precision_bytes(p));
  const double mn = static_cast<double>(m) * static_cast<double>(n);
  const double out_bytes = accumulate_fp32 ? 8.0 * mn : in * mn;  // fp32 read + write
  const double bytes = static_cast<double>(batch) *
                       (in * static_cast<double>(k) * static_cast<double>(m + n) + out_bytes);
  const double mem = gpu.hbm_gbs * 1e9 * e.memory;
  return e.launch + seconds(std::max(flops / rate, bytes / mem));
}

Time memory_time(const GpuModel& gpu, const KernelEfficiency& e, double bytes) {
  if (bytes <= 0) return Time::zero();
  return e.launch + seconds(bytes / (gpu.hbm_gbs * 1e9 * e.memory));
}

}  // namespace aifabric
