// The long-horizon fault model against itself and its sources: the seeded walk agrees
// with the closed form within the Poisson error of its fault count; element counts of
// the fat-tree and rail-optimized builders match a hand count; the default rates give
// Llama 3's network interruptions; a month on 1,024 and 10,240 GPUs shows what
// failing a job costs against stalling it; bad input is refused by name.
#include "aifabric/fault/horizon/horizon.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "aifabric/topo/builders/fat_tree/fat_tree.h"
#include "aifabric/topo/builders/rail_optimized/rail_optimized.h"

namespace aifabric {
namespace {

constexpr Time kMinute = Time::sec(60);
constexpr Time kHour = Time::sec(3600);
constexpr Time kDay = Time::sec(86400);
constexpr Time minutes(int64_t m) {
  return kMinute * m;
}
constexpr Time hours_of(int64_t h) {
  return kHour * h;
}
constexpr Time days(int64_t d) {
  return kDay * d;
}

double hours(Time t) {
  return t.to_seconds() / 3600;
}

// Sums of several seeds' results (counts and times as doubles of seconds).
struct Totals {
  double failures = 0, stalls = 0, absorbed = 0;
  double restart = 0, lost = 0, stall = 0, checkpoint = 0, effective = 0, fault_loss = 0;
  void add(const HorizonResult& r) {
    failures += r.job_failures;
    for (const ClassOutcome& c : r.classes) {
      stalls += c.stalls;
      absorbed += c.absorbed;
    }
    restart += r.restart.to_seconds();
    lost += r.lost_work.to_seconds();
    stall += r.stall.to_seconds();
    checkpoint += r.checkpoint.to_seconds();
    effective += r.effective().to_seconds();
    fault_loss += r.fault_loss().to_seconds();
  }
};

Totals run_seeds(const std::vector<FaultClass>& classes, const std::vector<FaultCost>& costs,
                 const CheckpointPolicy& p, Time horizon, int seeds) {
  Totals t;
  for (int s = 1; s <= seeds; ++s) {
    const Result<HorizonResult> r = simulate_horizon(classes, costs, p, horizon, s);
    EXPECT_TRUE(r.is_ok()) << r.status().message();
    if (!r.is_ok()) break;
    // The walk's accounting is exact: every picosecond of the horizon is one of these.
    EXPECT_EQ(r->training + r->checkpoint + r->stall + r->restart, horizon);
    t.add(*r);
  }
  return t;
}

TEST(Horizon, SimulationAgreesWithClosedForm) {
  // Rates high enough for many faults in 100 days: a failing class at 1 / h and a
  // stalling class at 2 / h with 1-minute stalls (phi = 1/30 of running time stalled);
  // interval 20 min, write 2 min, restart 10 min. lambda_f C = 0.38: far from the
  // first-order regime, so the exact renewal formula for the lost work is what agrees
  // (the uniform (C^2 - W^2) / 2C would be 6.2 % high, outside the 4.4 % band below).
  const std::vector<FaultClass> classes = {{"fails", 1000, 1000.0, kHour},
                                           {"stalls", 2000, 1000.0, kHour}};
  const std::vector<FaultCost> costs = {{.fails_job = true}, {.stall = kMinute}};
  const CheckpointPolicy p{minutes(20), minutes(2), minutes(10)};
  const Time horizon = days(100);
  const int seeds = 8;
  const Totals sim = run_seeds(classes, costs, p, horizon, seeds);
  const Result<HorizonResult> e = expected_horizon(classes, costs, p, horizon);
  ASSERT_TRUE(e.is_ok()) << e.status().message();
  Totals exp;
  exp.add(*e);

  // Tolerances: 4 standard deviations. The failure count over all seeds, N ~ 16,500,
  // is a renewal count no more variable than Poisson: relative sd <= 1/sqrt(N) (0.8 %).
  // Restart time is R per failure. Lost work is a sum of N draws of min(Y, T) with a
  // coefficient of variation below 1: relative sd <= sqrt(2 / N). Stall time counts
  // the stalling arrivals (N_s ~ 33,000); stalls a failure cuts short (~0.8 % of it)
  // and the horizon's start and end are biases of the closed form inside that band.
  const double n = exp.failures * seeds;
  const double tol_n = 4 / std::sqrt(n);
  const double tol_s = 4 / std::sqrt(exp.stalls * seeds) + 0.01;
  EXPECT_NEAR(sim.failures / (exp.failures * seeds), 1, tol_n);
  EXPECT_NEAR(sim.restart / (exp.restart * seeds), 1, tol_n);
  EXPECT_NEAR(sim.lost / (exp.lost * seeds), 1, 4 * std::sqrt(2 / n));
  EXPECT_NEAR(sim.stalls / (exp.stalls * seeds), 1, tol_s);
  EXPECT_NEAR(sim.stall / (exp.stall * seeds), 1, tol_s);
  EXPECT_NEAR(sim.absorbed / (exp.absorbed * seeds), 1, 4 / std::sqrt(exp.absorbed * seeds));
  // Effective training: each failure moves it by at most R + T, so its sd over the
  // seeds is below sqrt(N) (R + T).
  const double tol_eff = 4 * std::sqrt(n) * (p.restart + p.interval).to_seconds();
  EXPECT_NEAR(sim.effective, exp.effective * seeds, tol_eff);
  EXPECT_NEAR(sim.checkpoint, exp.checkpoint * seeds, tol_eff);
  std::printf(
      "100 days x %d seeds: failures %.0f (closed form %.0f), lost work %.1f h "
      "(%.1f), stall %.1f h (%.1f), goodput %.4f (%.4f)\n",
      seeds, sim.failures, exp.failures * seeds, sim.lost / 3600, exp.lost * seeds / 3600,
      sim.stall / 3600, exp.stall * seeds / 3600, sim.effective / (horizon.to_seconds() * seeds),
      e->goodput());
}

TEST(Horizon, NoFaultsIsTheCheckpointScheduleExactly) {
  // One hour of 10-minute intervals and 1-minute writes: 5 cycles (55 min), then 5
  // minutes of training the horizon cuts.
  const std::vector<FaultClass> classes = {{"none", 0, 1000.0, Time::zero()}};
  const std::vector<FaultCost> costs = {{.fails_job = true}};
  const CheckpointPolicy p{minutes(10), kMinute, minutes(10)};
  const Result<HorizonResult> r = simulate_horizon(classes, costs, p, kHour, 1);
  ASSERT_TRUE(r.is_ok()) << r.status().message();
  EXPECT_EQ(r->training, minutes(55));
  EXPECT_EQ(r->checkpoint, minutes(5));
  EXPECT_EQ(r->effective(), minutes(55));
  EXPECT_EQ(r->job_failures, 0);
  // The closed form has no horizon edge: training is H T / (T + W) = 54.55 min.
  const Result<HorizonResult> e = expected_horizon(classes, costs, p, kHour);
  ASSERT_TRUE(e.is_ok());
  EXPECT_NEAR(e->training.to_seconds(), 3600.0 * 10 / 11, 1e-6);
}

TEST(Horizon, DeterministicAndEachClassHasItsOwnStream) {
  std::vector<FaultClass> classes = {{"a", 100, 100.0, kHour}};
  std::vector<FaultCost> costs = {{.fails_job = true}};
  const CheckpointPolicy p{minutes(30), kMinute, minutes(5)};
  const HorizonResult r1 = *simulate_horizon(classes, costs, p, days(30), 7);
  const HorizonResult r2 = *simulate_horizon(classes, costs, p, days(30), 7);
  const HorizonResult r3 = *simulate_horizon(classes, costs, p, days(30), 8);
  EXPECT_EQ(r1.lost_work, r2.lost_work);
  EXPECT_EQ(r1.classes[0].faults, r2.classes[0].faults);
  EXPECT_NE(r1.lost_work, r3.lost_work);
  // A second class changes what the job does, not when class "a" fails.
  classes.push_back({"b", 100, 100.0, kHour});
  costs.push_back({.stall = kMinute});
  const HorizonResult r4 = *simulate_horizon(classes, costs, p, days(30), 7);
  EXPECT_EQ(r4.classes[0].faults, r1.classes[0].faults);
  EXPECT_GT(r4.classes[1].faults, 0);
}

TEST(HorizonCounts, FatTreeK16) {
  // Hand count for a k-ary fat-tree (Al-Fares et al. 2008), k = 16: k^3/4 = 1,024
  // hosts; k^2 edge + aggregation and k^2/4 core = 5k^2/4 = 320 switches; k (k/2)^2 =
  // 1,024 edge-aggregation plus as many aggregation-core links = k^3/2 = 2,048
  // switch-to-switch links; 1,024 host links. Optics: 2 per switch link = k^3 = 4,096,
  // plus 2 per host link = 6,144 unless host links are copper.
  FatTreeConfig c;
  c.k = 16;
  const TopologyGraph g = build_fat_tree(c);
  const ElementCounts n = count_elements(g);
  EXPECT_EQ(n.nics, 1024);
  EXPECT_EQ(n.switches, 320);
  EXPECT_EQ(n.switch_links, 2048);
  EXPECT_EQ(n.host_links, 1024);
  EXPECT_EQ(n.optics, 6144);
  EXPECT_EQ(count_elements(g, /*host_links_copper=*/true).optics, 16 * 16 * 16);
}

RailOptimizedConfig rail_config(int64_t gpus) {
  // 8 GPUs (and NICs) per server, 32 servers per leaf group, 32 spines: each leaf has
  // 32 host ports and 32 uplinks (non-blocking).
  RailOptimizedConfig c;
  c.gpus_per_node = 8;
  c.nodes = gpus / 8;
  c.nodes_per_leaf = 32;
  c.spines = 32;
  return c;
}

TEST(HorizonCounts, RailOptimized10240) {
  // Hand count: 1,280 servers x 8 = 10,240 NICs; 40 leaf groups x 8 rails = 320
  // leaves + 32 spines = 352 switches; 320 x 32 = 10,240 leaf-spine links; 10,240 host
  // links. Optics: 2 x (10,240 + 10,240) = 40,960; copper host links: 20,480.
  const TopologyGraph g = build_rail_optimized(rail_config(10240));
  ASSERT_TRUE(g.validate().is_ok());
  const ElementCounts n = count_elements(g);
  EXPECT_EQ(n.nics, 10240);
  EXPECT_EQ(n.switches, 352);
  EXPECT_EQ(n.switch_links, 10240);
  EXPECT_EQ(n.host_links, 10240);
  EXPECT_EQ(n.optics, 40960);
  EXPECT_EQ(count_elements(g, true).optics, 20480);
}

TEST(HorizonDefaults, RatesReproduceLlama3NetworkInterruptions) {
  // Llama 3 (§3.3.4, Table 5): on 16,384 GPUs in 54 days, 35 interruptions from
  // "network switch and cable" and 7 from NICs. Its cluster is a 3-tier Clos whose
  // element counts are not published; a k = 40 fat-tree (16,000 hosts, 2,000
  // switches, 32,000 switch links) stands in. The NIC rate is Llama's own, so it must
  // come back (scaled by 16,000 / 16,384). The other three classes come from other
  // operators: a factor of 2 either way covers the unknown counts and the Poisson
  // error of 35 (+-17 % sd).
  const int64_t k = 40;
  ElementCounts n;
  n.nics = k * k * k / 4;
  n.host_links = n.nics;
  n.switches = 5 * k * k / 4;
  n.switch_links = k * k * k / 2;
  n.optics = 2 * n.switch_links;  // in-rack host links on copper
  const std::vector<FaultClass> classes = default_fault_classes(n);
  const double h = 54 * 24;
  auto expected = [&](const std::string& name) {
    for (const FaultClass& c : classes) {
      if (c.name == name) return static_cast<double>(c.elements) * h / c.mtbf_hours;
    }
    return -1.0;
  };
  const double nic = expected("nic");
  const double network = expected("optic") + expected("link") + expected("switch");
  std::printf(
      "k=40 fat-tree, 54 days: NIC %.1f (Llama 3: 7), switch+cable+optic %.1f "
      "(Llama 3: 35): optic %.1f, link %.1f, switch %.1f\n",
      nic, network, expected("optic"), expected("link"), expected("switch"));
  EXPECT_NEAR(nic, 7.0 * 16000 / 16384, 1e-9);
  EXPECT_GT(network, 35.0 / 2);
  EXPECT_LT(network, 35.0 * 2);
}

struct MonthCase {
  const char* cluster;
  std::vector<FaultClass> classes;
};

std::vector<FaultCost> uniform_costs(size_t n, FaultCost c) {
  return std::vector<FaultCost>(n, c);
}

TEST(HorizonMonth, FailingFaultsCostFarMoreThanStalls) {
  // A month (30 days) of one job on rail-optimized clusters of 1,024 and 10,240 GPUs
  // (same shape, so the ratio is size alone), default rates. Every network fault costs
  // the same: a 0.5 ms stall (data-plane fast recovery), a 100 ms stall (control-plane
  // recovery within the queue pair's retry limit), or a job failure (a 100 ms outage
  // beyond the retry limit: NCCL aborts). Checkpoints every 10 or 60 minutes; write 30 s
  // and restart 10 min are illustrative figures for a large model, not measurements.
  // (Single-homed elements, a NIC, its link, a leaf, fail a job whatever the recovery;
  // giving each class its cost is the caller's choice, here all classes are alike.)
  const Time month = days(30);
  const Time write = Time::sec(30), restart = minutes(10);
  const int seeds = 400;
  std::vector<MonthCase> cases;
  for (int64_t gpus : {1024, 10240}) {
    cases.push_back(
        {gpus == 1024 ? "1,024" : "10,240",
         default_fault_classes(count_elements(build_rail_optimized(rail_config(gpus))))});
  }
  // [cluster][interval]: fault_loss for failing faults; expected failures per cluster.
  double fail_loss[2][2] = {}, lost_work[2][2] = {}, exp_failures[2] = {}, sim_failures[2] = {};
  for (size_t ci = 0; ci < cases.size(); ++ci) {
    const std::vector<FaultClass>& classes = cases[ci].classes;
    const double mtbf_job =
        job_mtbf_hours(classes, uniform_costs(classes.size(), {.fails_job = true}));
    std::printf("%s GPUs: network faults every %.1f h; Young interval for 30 s writes %.0f min\n",
                cases[ci].cluster, mtbf_job,
                young_daly_interval(write, mtbf_job).to_seconds() / 60);
    const Time intervals[2] = {minutes(10), minutes(60)};
    for (int ii = 0; ii < 2; ++ii) {
      const CheckpointPolicy p{intervals[ii], write, restart};
      double stall_loss[2] = {};
      const FaultCost stalls[2] = {{.stall = Time::us(500)}, {.stall = Time::ms(100)}};
      for (int si = 0; si < 2; ++si) {
        const std::vector<FaultCost> costs = uniform_costs(classes.size(), stalls[si]);
        const Totals sim = run_seeds(classes, costs, p, month, seeds);
        const HorizonResult e = *expected_horizon(classes, costs, p, month);
        // Stall time = stall x Poisson count over the seeds: 4 sd = 4 / sqrt(N).
        double n_s = 0;
        for (const ClassOutcome& c : e.classes) n_s += c.stalls * seeds;
        EXPECT_NEAR(sim.fault_loss / (e.fault_loss().to_seconds() * seeds), 1, 4 / std::sqrt(n_s));
        EXPECT_EQ(sim.failures, 0);
        stall_loss[si] = e.fault_loss().to_seconds();
      }
      const std::vector<FaultCost> costs = uniform_costs(classes.size(), {.fails_job = true});
      const Totals sim = run_seeds(classes, costs, p, month, seeds);
      const HorizonResult e = *expected_horizon(classes, costs, p, month);
      // Failures over 400 seeds: N ~ 560 (1,024 GPUs) or 5,600 (10,240): 4 / sqrt(N)
      // = 17 % or 5 %. Fault loss per failure (R + lost) varies less than the count.
      const double n = e.job_failures * seeds;
      EXPECT_NEAR(sim.failures / n, 1, 4 / std::sqrt(n));
      EXPECT_NEAR(sim.fault_loss / (e.fault_loss().to_seconds() * seeds), 1, 4 / std::sqrt(n));
      EXPECT_NEAR(sim.lost / (e.lost_work.to_seconds() * seeds), 1, 4 * std::sqrt(2 / n));
      fail_loss[ci][ii] = sim.fault_loss / seeds;
      lost_work[ci][ii] = sim.lost / seeds;
      exp_failures[ci] = e.job_failures;
      sim_failures[ci] += sim.failures / seeds / 2;
      std::printf(
          "  ckpt %2.0f min: failing %.2f failures, lost %.2f h (restart %.2f + work "
          "%.2f; closed form %.2f h), checkpoints %.1f h, goodput %.4f; "
          "100 ms stall %.2f s, 0.5 ms stall %.4f s\n",
          p.interval.to_seconds() / 60, sim.failures / seeds, sim.fault_loss / seeds / 3600,
          sim.restart / seeds / 3600, sim.lost / seeds / 3600, hours(e.fault_loss()),
          sim.checkpoint / seeds / 3600, sim.effective / seeds / month.to_seconds(), stall_loss[1],
          stall_loss[0]);
      // A failing fault costs a restart plus half a cycle; a 100 ms stall costs 100 ms.
      EXPECT_GT(fail_loss[ci][ii], 1000 * stall_loss[1]);
      EXPECT_NEAR(stall_loss[1] / stall_loss[0], 200, 1e-6);
    }
    // 10-minute checkpoints lose less work per failure than 60-minute ones: about
    // (C^2 - W^2) / 2C, 314 s against 1,815 s.
    EXPECT_LT(lost_work[ci][0], lost_work[ci][1] / 3);
  }
  // Interruptions scale with the elements: NICs, links and optics x10, switches x5.5
  // (64 -> 352), so the closed form's ratio is 9.9.
  const double ratio = exp_failures[1] / exp_failures[0];
  std::printf("10,240 / 1,024 GPUs: failures x%.2f (simulated x%.2f)\n", ratio,
              sim_failures[1] / sim_failures[0]);
  EXPECT_NEAR(ratio, 10, 0.5);
  // The simulated ratio, within 4 sd of the two counts (2 intervals x 400 seeds each).
  const double n0 = exp_failures[0] * seeds * 2, n1 = exp_failures[1] * seeds * 2;
  EXPECT_NEAR(sim_failures[1] / sim_failures[0] / ratio, 1, 4 * std::sqrt(1 / n0 + 1 / n1));
  EXPECT_GT(fail_loss[1][1] / fail_loss[0][1], 8);
}

TEST(HorizonMonth, YoungIntervalMinimizesTheClosedFormLoss) {
  // Young (1974): the interval sqrt(2 W MTBF) minimizes checkpoint overhead plus lost
  // work to first order; halving or doubling it must cost more in the closed form.
  const std::vector<FaultClass> classes =
      default_fault_classes(count_elements(build_rail_optimized(rail_config(10240))));
  const std::vector<FaultCost> costs(classes.size(), FaultCost{.fails_job = true});
  const Time write = Time::sec(30);
  const Time best = young_daly_interval(write, job_mtbf_hours(classes, costs));
  auto loss = [&](Time interval) {
    const HorizonResult e =
        *expected_horizon(classes, costs, {interval, write, minutes(10)}, days(30));
    return (e.checkpoint + e.lost_work).to_seconds();
  };
  EXPECT_LT(loss(best), loss(best / 2));
  EXPECT_LT(loss(best), loss(best * 2));
  // In this regime (lambda C ~ 0.02) the exact lost work per failure is within 1 % of
  // the uniform first-order (C^2 - W^2) / 2C.
  const CheckpointPolicy p{minutes(10), write, minutes(10)};
  const HorizonResult e = *expected_horizon(classes, costs, p, days(30));
  const double c = (p.interval + p.write).to_seconds(), w = write.to_seconds();
  EXPECT_NEAR(e.lost_work.to_seconds() / e.job_failures / ((c * c - w * w) / (2 * c)), 1, 0.01);
}

TEST(Horizon, BadInputIsRefusedByName) {
  const std::vector<FaultClass> ok_classes = {{"optic", 10, 1000.0, kHour}};
  const std::vector<FaultCost> ok_costs = {{.stall = Time::ms(1)}};
  const CheckpointPolicy ok_policy{minutes(10), Time::sec(30), minutes(10)};
  auto error = [](const Result<HorizonResult>& r) { return r.status().message(); };
  auto both = [&](const std::vector<FaultClass>& cl, const std::vector<FaultCost>& co,
                  const CheckpointPolicy& p, Time h) {
    const std::string a = error(simulate_horizon(cl, co, p, h, 1));
    EXPECT_EQ(a, error(expected_horizon(cl, co, p, h)));
    return a;
  };
  EXPECT_TRUE(simulate_horizon(ok_classes, ok_costs, ok_policy, kDay, 1).is_ok());

  std::vector<FaultClass> bad = ok_classes;
  bad[0].mtbf_hours = 0;
  EXPECT_NE(both(bad, ok_costs, ok_policy, kDay).find("'optic': mtbf_hours must be > 0"),
            std::string::npos);
  bad[0].mtbf_hours = -5;
  EXPECT_NE(both(bad, ok_costs, ok_policy, kDay).find("mtbf_hours"), std::string::npos);
  bad = ok_classes;
  bad[0].elements = -1;
  EXPECT_NE(both(bad, ok_costs, ok_policy, kDay).find("elements must be >= 0"), std::string::npos);
  bad = ok_classes;
  bad[0].mttr = Time::sec(-1);
  EXPECT_NE(both(bad, ok_costs, ok_policy, kDay).find("mttr"), std::string::npos);

  EXPECT_NE(both(ok_classes, {}, ok_policy, kDay).find("cost_per_class has 0 entries for 1"),
            std::string::npos);
  EXPECT_NE(both(ok_classes, {{.stall = Time::ms(-1)}}, ok_policy, kDay).find("stall must be >= 0"),
            std::string::npos);

  CheckpointPolicy p = ok_policy;
  p.interval = Time::zero();
  EXPECT_NE(both(ok_classes, ok_costs, p, kDay).find("checkpoint.interval must be > 0"),
            std::string::npos);
  p = ok_policy;
  p.write = Time::sec(-1);
  EXPECT_NE(both(ok_classes, ok_costs, p, kDay).find("checkpoint.write"), std::string::npos);
  p = ok_policy;
  p.restart = Time::sec(-1);
  EXPECT_NE(both(ok_classes, ok_costs, p, kDay).find("checkpoint.restart"), std::string::npos);

  EXPECT_NE(both(ok_classes, ok_costs, ok_policy, Time::zero()).find("horizon must be > 0"),
            std::string::npos);
  EXPECT_NE(both(ok_classes, ok_costs, ok_policy, Time::zero() - kDay).find("horizon"),
            std::string::npos);

  // Stalls that would take all the running time have no steady state.
  const std::vector<FaultCost> endless = {{.stall = hours_of(200)}};  // 0.01 / h x 200 h
  EXPECT_NE(error(expected_horizon(ok_classes, endless, ok_policy, kDay)).find("stalls take all"),
            std::string::npos);
}

}  // namespace
}  // namespace aifabric
