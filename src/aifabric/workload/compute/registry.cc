// Every GPU preset, one entry each (`workload.cluster.gpu`). Peaks are the vendors'
// dense (no sparsity) tensor-core figures; where a datasheet quotes "with sparsity"
// the dense figure is half of it.
#include "aifabric/workload/compute/gpu.h"

namespace aifabric {
namespace {

GpuModel gpu(std::string_view name, std::string_view doc, double fp16, double fp8, double fp32,
             double hbm, int64_t sms, BitRate nvlink, std::string_view source) {
  GpuModel g;
  g.name = name;
  g.doc = doc;
  g.fp16_tflops = fp16;
  g.fp8_tflops = fp8;
  g.fp32_tflops = fp32;
  g.hbm_gbs = hbm;
  g.sms = sms;
  g.nvlink_rate = nvlink;
  g.source = source;
  return g;
}

}  // namespace

const Registry<GpuModel>& gpu_models() {
  static const Registry<GpuModel> kAll(
      "gpu",
      {
          GpuModel{{"none", "no GPU model: compute runs at cluster.effective_tflops"}},
          gpu("a100", "NVIDIA A100 SXM4 80 GB", 312, 0, 156, 2039, 108, BitRate::gbps(2400),
              "NVIDIA A100 datasheet (BF16 312 TFLOP/s dense, HBM2e 2,039 GB/s, NVLink3 600 GB/s "
              "both directions); 108 SMs: NVIDIA A100 architecture whitepaper"),
          gpu("h100", "NVIDIA H100 SXM5 80 GB", 989.5, 1979, 494.7, 3350, 132, BitRate::gbps(3600),
              "NVIDIA H100 datasheet (BF16 1,979 / FP8 3,958 TFLOP/s with sparsity, HBM3 3.35 "
              "TB/s, NVLink4 900 GB/s both directions); 132 SMs: NVIDIA H100 whitepaper"),
          gpu("h200", "NVIDIA H200 SXM 141 GB", 989.5, 1979, 494.7, 4800, 132, BitRate::gbps(3600),
              "NVIDIA H200 datasheet (H100's compute, HBM3e 4.8 TB/s, NVLink 900 GB/s)"),
          gpu("h20", "NVIDIA H20 96 GB", 148, 296, 74, 4000, 78, BitRate::gbps(3600),
              "published H20 specifications (BF16 148 / FP8 296 TFLOP/s dense, HBM3 4.0 TB/s, "
              "NVLink 900 GB/s, 78 SMs), as reported in 2023-24; not a datasheet we could check"),
          gpu("b200", "NVIDIA B200 (HGX B200)", 2250, 4500, 1100, 8000, 148, BitRate::gbps(7200),
              "NVIDIA HGX B200 datasheet (FP8 72 / BF16 36 PFLOP/s with sparsity per 8 GPUs, "
              "HBM3e 8 TB/s, NVLink5 1.8 TB/s both directions); 148 SMs"),
          gpu("ascend910b", "Huawei Ascend 910B", 313, 0, 156, 1600, 24, BitRate::gbps(1568),
              "Huawei Atlas 800T A2 (8 x 910B, ~2.5 PFLOP/s FP16), HBM2e 1.6 TB/s, 24 AI cores, "
              "HCCS 392 GB/s both directions, as publicly reported; not a datasheet we could "
              "check"),
      });
  return kAll;
}

}  // namespace aifabric
