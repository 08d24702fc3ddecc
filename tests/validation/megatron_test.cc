// Megatron-LM's published iteration times reproduced end to end (scenario -> plan ->
// task graph -> analytic backend), with the compute model's one calibrated constant.
//
// Source: Korthikanti et al., "Reducing Activation Recomputation in Large Transformer
// Models" (MLSys 2023, arXiv:2205.05198), table 5 (end-to-end iteration time) with the
// configurations of its table 3: GPT models, s = 2048, V = 51200, micro-batch 1,
// tensor parallelism 8 inside each DGX A100 server (NVLink3), pipeline stages on
// different servers (8 x 200 Gb/s HDR InfiniBand per server on Selene), data
// parallelism 1, fp16, the unfused attention of Megatron-LM in 2022.
//   model  heads hidden layers  TP PP GPUs  batch  full recompute  SP + selective
//   22B     64    6144    48     8  1    8     4      1.42 s         1.10 s
//   175B    96   12288    96     8  8   64    64     18.13 s        13.75 s
//   530B   128   20480   105     8 35  280   280     49.05 s        37.83 s
//   1T     160   25600   128     8 64  512   512     94.42 s        71.49 s
// "Full recompute" is tensor parallelism without sequence parallelism and with full
// activation recomputation; "present work" is sequence parallelism + selective
// recomputation. The paper does not say that the pipeline was interleaved; we run
// plain 1F1B.
//
// Calibration: cluster.gemm_efficiency (compute/gpu.h, kCalibratedGemmEfficiency) is
// set so that the 175B "present work" row comes out right; every other row is a
// prediction, held to 10 % (the tolerance). The relative gain of SP +
// selective recompute over full recompute is held to 5 % of the paper's per model.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "aifabric/scenario/scenario.h"
#include "aifabric/scenario/simulate.h"
#include "aifabric/workload/compute/gpu.h"

namespace aifabric {
namespace {

struct Row {
  const char* name;
  int heads, hidden, layers, pp, batch;
  double full_s, present_s;
};

constexpr Row kTable5[] = {
    {"22B", 64, 6144, 48, 1, 4, 1.42, 1.10},
    {"175B", 96, 12288, 96, 8, 64, 18.13, 13.75},
    {"530B", 128, 20480, 105, 35, 280, 49.05, 37.83},
    {"1T", 160, 25600, 128, 64, 512, 94.42, 71.49},
};

double iteration_seconds(const Row& r, bool present, double gemm_efficiency = 0) {
  const int gpus = 8 * r.pp;
  const std::string yaml =
      "name: korthikanti-" + std::string(r.name) +
      "\ntopology: {type: rail_optimized, nodes: " + std::to_string(r.pp) +
      ", gpus_per_node: 8, nodes_per_leaf: " + std::to_string(r.pp) +
      ", spines: 2, host_link: {rate: 200Gbps}, fabric_link: {rate: 200Gbps}}\n"
      "workload:\n  type: llm\n  trace: none\n"
      "  model: {name: gpt, layers: " +
      std::to_string(r.layers) + ", hidden: " + std::to_string(r.hidden) +
      ", heads: " + std::to_string(r.heads) +
      ", seq_len: 2048, vocab: 51200, vocab_pad: 1, attention: unfused}\n"
      "  parallel: {tp: 8, pp: " +
      std::to_string(r.pp) + ", dp: 1, micro_batch: 1, global_batch: " + std::to_string(r.batch) +
      (present ? ", sequence_parallel: true, recompute: selective}\n"
               : ", sequence_parallel: false, recompute: full}\n") +
      "  cluster: {gpus_per_node: 8, gpu: a100" +
      (gemm_efficiency > 0 ? ", gemm_efficiency: " + std::to_string(gemm_efficiency)
                           : std::string()) +
      "}\n";
  (void)gpus;
  auto s = load_scenario_text(yaml, "korthikanti", {});
  EXPECT_TRUE(s.is_ok()) << s.status().message();
  if (!s) return NAN;
  auto p = prepare_run(**s);
  EXPECT_TRUE(p.is_ok()) << p.status().message();
  if (!p) return NAN;
  auto sim = simulate(*p, nullptr);
  EXPECT_TRUE(sim.is_ok()) << sim.status().message();
  if (!sim) return NAN;
  return (*sim)->report.workload->iteration.to_seconds();
}

TEST(MegatronTable5, IterationTimesWithinTenPercentOfKorthikanti) {
  for (const Row& r : kTable5) {
    const double full = iteration_seconds(r, false);
    const double present = iteration_seconds(r, true);
    std::printf(
        "%-5s full %8.3f s (paper %6.2f, %+5.1f %%)  SP+selective %8.3f s (paper %6.2f, "
        "%+5.1f %%)  gain %5.1f %% (paper %5.1f %%)\n",
        r.name, full, r.full_s, 100 * (full / r.full_s - 1), present, r.present_s,
        100 * (present / r.present_s - 1), 100 * (full / present - 1),
        100 * (r.full_s / r.present_s - 1));
    EXPECT_NEAR(full / r.full_s, 1.0, 0.10) << r.name << " full recompute";
    EXPECT_NEAR(present / r.present_s, 1.0, 0.10) << r.name << " SP + selective";
    // The relative gain of SP + selective recompute, within 5 % of the paper's.
    EXPECT_NEAR((full / present) / (r.full_s / r.present_s), 1.0, 0.05) << r.name << " gain";
  }
}

// The calibration itself: bisection on gemm_efficiency until the 175B SP + selective
// row matches 13.75 s. The constant in compute/gpu.h must be what it finds (to 0.005):
// a change to the compute model that moves the calibration fails here until the
// constant is re-derived (and the other rows re-checked above).
TEST(MegatronTable5, CalibratedGemmEfficiencyIsWhatThe175BRowGives) {
  const Row& r = kTable5[1];
  double lo = 0.3, hi = 1.0;
  for (int i = 0; i < 12; ++i) {
    const double mid = 0.5 * (lo + hi);
    (iteration_seconds(r, true, mid) > r.present_s ? lo : hi) = mid;
  }
  std::printf("calibrated gemm_efficiency %.4f (compute/gpu.h has %.4f)\n", 0.5 * (lo + hi),
              kCalibratedGemmEfficiency);
  EXPECT_NEAR(0.5 * (lo + hi), kCalibratedGemmEfficiency, 0.005);
}

}  // namespace
}  // namespace aifabric
