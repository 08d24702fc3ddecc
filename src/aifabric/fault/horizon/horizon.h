// The long-horizon cost of network faults for one training job: element counts of a
// topology, per-element failure rates (MTBF) and repair times (MTTR) per fault class,
// and what one fault costs the job (a stall, or a job failure that rolls back to the
// last checkpoint) turned into the training time lost over a day or a month, where a
// packet-level run is far too slow. Two answers that must agree: a seeded walk over
// wall-clock time (simulate_horizon) and its renewal-theory expectation
// (expected_horizon). Durations of the job are Time; per-element MTBFs are hours as a
// double, because an element's MTBF (10^5 .. 10^7 h) is far beyond Time's +-106 days.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "aifabric/core/status.h"
#include "aifabric/core/units.h"
#include "aifabric/topo/graph.h"

namespace aifabric {

// One kind of element that fails independently of the others: `elements` of them,
// each failing as a Poisson process of mean time between failures `mtbf_hours`, so the
// class fails at rate elements / mtbf_hours. `mttr` (repair, e.g. replacing a
// transceiver) does not enter the job's time: the job recovers (reroutes, or restarts
// on spare capacity) long before the element is repaired. It matters only for capacity
// (the element is down, the fabric degraded, for mttr) and for the second event it
// brings, the link coming back up; HorizonResult reports the element-time down.
struct FaultClass {
  std::string name;
  int64_t elements = 0;
  double mtbf_hours = 0;  // per element; > 0
  Time mttr;              // per fault; >= 0
};

// Network elements of a topology, as the fault classes count them.
//   switches     = switch nodes
//   nics         = hosts (every host of our graphs is one NIC: a GPU with its own NIC)
//   switch_links = links whose both ends are switches
//   host_links   = links with a host end (host-to-leaf)
//   optics       = pluggable optical modules, one per optical link end:
//                  2 x switch_links, plus 2 x host_links unless host links are copper
// Counting rule: switch-to-switch links span racks and rows, beyond passive copper's
// reach (a few metres for DAC at 400G), so they are optical with a module at each end. Host
// links run inside a rack and are often DAC/AEC copper, but GPU back-end NICs are
// commonly cabled with optics too (rail-optimized leaves sit outside the rack): they
// count as optical unless `host_links_copper`. Every link, copper or fiber, is one
// "link" element (the cable or fiber and its connectors, excluding transceivers).
// Failed links (up = false) are counted: they are still installed elements.
struct ElementCounts {
  int64_t switches = 0;
  int64_t nics = 0;
  int64_t switch_links = 0;
  int64_t host_links = 0;
  int64_t optics = 0;
  int64_t links() const { return switch_links + host_links; }
};
ElementCounts count_elements(const TopologyGraph& g, bool host_links_copper = false);

// Per-element rates of the four network classes, each with its source. MTBF in hours
// (a month is 730.5 h, a year 8,766 h).
struct FaultRates {
  // Optical transceivers: annualized failure rate 0.2 %/year. A typical figure, not one
  // measurement: public vendor and operator figures for data-center pluggables range
  // ~0.1-1 %/year. 0.2 % is chosen low in that range so that a transceiver pair plus
  // its fiber stays within Alibaba HPN's whole-link rate below. MTBF = 8766 / 0.002.
  double optic_mtbf_hours = 8766.0 / 0.002;  // 4.38e6 h
  // Cables/fibers excluding transceivers: Alibaba HPN (Qian et al., SIGCOMM 2024, §2)
  // reports ~0.057 % of NIC-ToR links failing per month (0.684 %/year), for the whole
  // link, transceivers included. The link class takes what the two transceivers leave:
  // 0.684 - 2 x 0.2 = 0.284 %/year. MTBF = 8766 / 0.00284.
  double link_mtbf_hours = 8766.0 / (0.00057 * 12 - 2 * 0.002);  // 3.09e6 h
  // Switches: Alibaba HPN (same section) ~0.051 % of ToR switches crash per month.
  // MTBF = 730.5 / 0.00051. (Singh et al., "Surviving switch failures in cloud
  // datacenters", CCR 2021, see 2 % of Azure switches fail within 3 months, ~8 %/year,
  // counting any failure; HPN's figure counts crashes that take the switch down.)
  double switch_mtbf_hours = 730.5 / 0.00051;  // 1.43e6 h
  // NICs: Llama 3 (Dubey et al. 2024, "The Llama 3 Herd of Models", §3.3.4, Table 5):
  // 419 unexpected interruptions in 54 days on 16,384 H100 (one 400G NIC per GPU), of
  // which 1.7 % (7) were NIC failures. MTBF = 16384 x 54 x 24 h / 7. (The same table's
  // 8.4 %, 35 interruptions, from "network switch and cable" is the check the tests
  // apply to the three classes above, whose individual rates it does not split.)
  double nic_mtbf_hours = 16384.0 * 54 * 24 / 7;  // 3.03e6 h
  // Repair times: assumptions, not measurements (operators publish no MTTR per class):
  // a transceiver is swapped within an on-site shift, a cable re-run takes longer, a
  // switch or NIC needs a spare, a drained server and a re-validation.
  Time optic_mttr = Time::sec(int64_t{4} * 3600);
  Time link_mttr = Time::sec(int64_t{8} * 3600);
  Time switch_mttr = Time::sec(int64_t{24} * 3600);
  Time nic_mttr = Time::sec(int64_t{24} * 3600);
};

// The classes "optic", "link", "switch", "nic" (in that order) from counts and rates.
std::vector<FaultClass> default_fault_classes(const ElementCounts& counts,
                                              const FaultRates& rates = {});

// What one fault of a class costs the job, as the packet level measures it: `stall`,
// the iteration-time increase it causes (recovery, retransmission, rerouting), or
// `fails_job`, the connection's queue pair exceeded its retry limit and the collective
// library (NCCL) aborts the whole job. A failing fault's stall is not used.
struct FaultCost {
  Time stall;
  bool fails_job = false;
};

// interval: training time between checkpoints (> 0); write: the job pauses this long to
// write one (>= 0); restart: from a job failure to training again (rescheduling,
// initialization, loading the checkpoint; >= 0).
struct CheckpointPolicy {
  Time interval;
  Time write;
  Time restart;
};

struct ClassOutcome {
  std::string name;
  // Whole numbers from simulate_horizon, expectations from expected_horizon.
  double faults = 0;        // all arrivals within the horizon
  double job_failures = 0;  // arrivals of a failing class while the job ran
  double stalls = 0;        // arrivals of a stalling class while the job ran
  double absorbed = 0;      // arrivals during a restart: the job was not running
  // Element-hours down (each fault: mttr, cut at the horizon); hours in a double, since
  // thousands of faults times their repair exceed Time's range.
  double down_hours = 0;
};

// Wall-clock accounting: horizon = training + checkpoint + stall + restart, exactly in
// a simulation; lost_work is the part of training rolled back by job failures.
struct HorizonResult {
  Time horizon;
  std::vector<ClassOutcome> classes;
  double job_failures = 0;  // sum over classes
  Time training;            // time spent training, including work later rolled back
  Time lost_work;           // training since the last checkpoint, lost at each failure
  Time checkpoint;          // writing checkpoints (a write cut by a failure included)
  Time stall;               // stalled by faults that did not fail the job
  Time restart;             // restarting after job failures
  Time effective() const { return training - lost_work; }
  // What the faults cost: checkpointing is paid with or without them.
  Time fault_loss() const { return stall + restart + lost_work; }
  double goodput() const { return effective().to_seconds() / horizon.to_seconds(); }
  double lost_fraction() const { return 1 - goodput(); }
};

// Walks `horizon` of wall-clock time. Each class's faults are a Poisson process of rate
// elements / mtbf (its own RandomStream, seeded from `seed` and the class name, so a
// class's faults do not move when another class is added). The job starts training at
// time 0 with a fresh checkpoint; after every `interval` of training it pauses `write`
// to write a checkpoint, which becomes the restart point when the write completes.
//   * A fault of a stalling class while the job runs (training, writing or already
//     stalled) adds its stall: the job makes no progress for that long; stalls queue.
//   * A fault of a failing class while the job runs fails it: the training since the
//     last completed checkpoint is lost (a checkpoint being written is lost with it),
//     any pending stall is dropped, and the job restarts for `restart`, then trains
//     from the last checkpoint.
//   * A fault during a restart is absorbed: the job holds no connections then, and the
//     rescheduled job is placed on healthy elements.
// Training left uncheckpointed at the horizon counts as effective (the job goes on).
// Deterministic for a seed.
Result<HorizonResult> simulate_horizon(const std::vector<FaultClass>& classes,
                                       const std::vector<FaultCost>& cost_per_class,
                                       const CheckpointPolicy& policy, Time horizon, uint64_t seed);

// The expectation of simulate_horizon over seeds, in closed form (renewal theory, the
// horizon long against the time between failures; the start and the end of the horizon
// are not corrected for). With lambda_c = elements_c / mtbf_c:
//   lambda_f = sum over failing classes, phi = sum over stalling classes lambda_c stall_c
//   (the share of running time spent stalled; must be < 1),
//   u = 1 / (1 + lambda_f R)      share of the horizon the job runs (not restarting),
//   failures = lambda_f u H,  restart = failures R,  stall = phi u H,
//   progress time P = (1 - phi) u H, the running time not stalled, is the train/write
//   cycle C = T + W (T = interval, W = write) cut by failures at rate
//   m = lambda_f / (1 - phi) per unit of progress time. Between failures the progress
//   time X is exponential(m); its full cycles floor(X / C) and its remainder Y are
//   independent, Y exponential truncated to [0, C). With q = exp(-m C):
//     lost per failure L = E[min(Y, T)] = ((1 - exp(-m T)) / m - T q) / (1 - q)
//     training per failure cycle = T q / (1 - q) + L, of mean cycle 1 / m,
//   so training = P m (T q / (1 - q) + L), checkpoint = P - training, lost = failures L.
//   For m C << 1, Y is uniform on [0, C) and L -> (C^2 - W^2) / (2 C) ~ (T + W) / 2:
//   a failure loses on average half a cycle of work, less the write it cannot lose.
//   Without failures (m = 0): training = P T / C.
//   Per class: faults = lambda_c H; arrivals during restarts (share 1 - u) are absorbed;
//   down = lambda_c (mttr H - mttr^2 / 2) (mttr < H), the mttr cut at the horizon.
Result<HorizonResult> expected_horizon(const std::vector<FaultClass>& classes,
                                       const std::vector<FaultCost>& cost_per_class,
                                       const CheckpointPolicy& policy, Time horizon);

// The job's mean time between failures, in hours: 1 / sum of elements / mtbf over the
// classes whose cost fails the job (infinity if none does).
double job_mtbf_hours(const std::vector<FaultClass>& classes,
                      const std::vector<FaultCost>& cost_per_class);

// Young's first-order optimal checkpoint interval, sqrt(2 x write x MTBF_job)
// (J. W. Young, "A first order approximation to the optimum checkpoint interval",
// CACM 17(9), 1974). J. T. Daly ("A higher order estimate of the optimum checkpoint
// interval for restart dumps", FGCS 22(3), 2006) shows it is within a few percent of
// the optimum while write << MTBF_job, the regime of these jobs.
Time young_daly_interval(Time write, double mtbf_job_hours);

// A long-horizon estimate as a run reports it: the classes with their counts and rates,
// the cost of one fault of each as the packet-level probe measured it, and the result
// drawn (seeded) and expected (closed form).
struct HorizonReport {
  ElementCounts counts;
  std::vector<FaultClass> classes;
  std::vector<FaultCost> costs;
  Time probe_time;  // the probe collective without a fault
  CheckpointPolicy policy;
  HorizonResult simulated;
  HorizonResult expected;
  double job_mtbf_hours = 0;
  Time young_daly;  // the checkpoint interval that would minimize the loss
};

}  // namespace aifabric
