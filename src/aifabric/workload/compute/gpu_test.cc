// The roofline kernel model against its own physics: a large GEMM runs at peak x
// efficiency, a GEMM one tile past a full wave pays a second wave, a skinny GEMM is
// bound by HBM, a memory kernel streams at HBM x efficiency; and the presets carry
// their datasheet figures.
#include "aifabric/workload/compute/gpu.h"

#include <gtest/gtest.h>

namespace aifabric {
namespace {

const GpuModel& gpu(std::string_view name) {
  const GpuModel* g = gpu_models().find(name);
  EXPECT_NE(g, nullptr) << name;
  return *g;
}

TEST(GpuModel, PresetsCarryTheirDatasheetPeaks) {
  // NVIDIA datasheets: A100 BF16 312 TFLOP/s dense, H100 SXM 989.5 (1,979 with
  // sparsity), B200 2,250 (HGX B200: 36 PFLOP/s sparse / 8 GPUs / 2).
  EXPECT_DOUBLE_EQ(gpu("a100").peak_flops(Precision::kBf16), 312e12);
  EXPECT_DOUBLE_EQ(gpu("h100").peak_flops(Precision::kFp8), 1979e12);
  EXPECT_DOUBLE_EQ(gpu("a100").peak_flops(Precision::kFp8), 312e12);  // no fp8: fp16 rate
  EXPECT_DOUBLE_EQ(gpu("b200").peak_flops(Precision::kBf16), 2250e12);
  EXPECT_EQ(gpu("h100").nvlink_rate, BitRate::gbps(3600));  // 450 GB/s per direction
  for (const GpuModel& g : gpu_models().all()) {
    if (g.name == "none") continue;
    EXPECT_GT(g.hbm_gbs, 0) << g.name;
    EXPECT_GT(g.sms, 0) << g.name;
    EXPECT_FALSE(g.source.empty()) << g.name;
  }
}

TEST(GpuModel, LargeGemmRunsAtPeakTimesEfficiency) {
  const GpuModel& a100 = gpu("a100");
  KernelEfficiency e;
  // 108 x 128 rows by 128 x 16 columns: 1728 tiles = 16 full waves on 108 SMs.
  const int64_t m = 108 * 128, n = 128 * 16, k = 8192;
  EXPECT_DOUBLE_EQ(gemm_wave_efficiency(a100, e, m, n), 1.0);
  const double flops = 2.0 * m * n * k;
  const double expect = flops / (312e12 * e.gemm) + e.launch.to_seconds();
  EXPECT_NEAR(gemm_time(a100, e, m, n, k, Precision::kBf16).to_seconds() / expect, 1.0, 1e-6);
}

TEST(GpuModel, OneTilePastAFullWavePaysASecondWave) {
  const GpuModel& a100 = gpu("a100");
  KernelEfficiency e;
  // 108 tiles fill one wave; 109 need two, of which 109 / 216 slots are used.
  EXPECT_DOUBLE_EQ(gemm_wave_efficiency(a100, e, 128 * 108, 128), 1.0);
  EXPECT_NEAR(gemm_wave_efficiency(a100, e, 128 * 109, 128), 109.0 / 216, 1e-12);
  // A partial tile counts whole: 129 rows take two tiles' slots.
  EXPECT_NEAR(gemm_wave_efficiency(a100, e, 129, 128), 129.0 / (108 * 128), 1e-12);
}

TEST(GpuModel, SkinnyGemmIsBoundByHbm) {
  const GpuModel& h100 = gpu("h100");
  KernelEfficiency e;
  // (8192 x 8192) . (8192 x 128): arithmetic intensity ~120 FLOP/B, below the ridge
  // (989 TFLOP/s x 0.78 / (3.35 TB/s x 0.88) ~ 260): the time is the bytes at the HBM
  // rate. Its 64 tiles would fill half of the 132 SMs; split-K in two fills 128.
  const int64_t m = 8192, n = 128, k = 8192;
  EXPECT_NEAR(gemm_wave_efficiency(h100, e, m, n, 1, k), 128.0 / 132, 1e-12);
  const double bytes = 2.0 * (static_cast<double>(k) * (m + n) + static_cast<double>(m) * n);
  const double expect = bytes / (3350e9 * e.memory) + e.launch.to_seconds();
  EXPECT_NEAR(gemm_time(h100, e, m, n, k, Precision::kBf16).to_seconds() / expect, 1.0, 1e-6);
  EXPECT_NEAR(memory_time(h100, e, 1e9).to_seconds(),
              1e9 / (3350e9 * e.memory) + e.launch.to_seconds(), 1e-12);
}

}  // namespace
}  // namespace aifabric
