// Configuration of an output-queued shared-buffer switch: buffer and dynamic
// thresholds, egress scheduling, ECN marking (RED-style) and PFC.
#pragma once

#include <string>
#include <vector>

#include "aifabric/core/params.h"
#include "aifabric/core/registry.h"
#include "aifabric/fabric/switch/aggregation/aggregation.h"
#include "aifabric/fabric/switch/ecn/tuner.h"
#include "aifabric/fabric/switch/trim/trimming_config.h"

namespace aifabric {

// ECN marking thresholds of the egress ports that run at one link rate (and, with
// `priority`, of one priority there), as deployments and the ns-3 RDMA model set them
// (KMIN_MAP / KMAX_MAP / PMAX_MAP; HPCC's run.py: 100 KB / 400 KB / 0.2 per 25 Gb/s).
struct EcnRule final : ParamsOf<EcnRule> {
  BitRate rate = BitRate::gbps(400);
  int64_t priority = -1;  // -1: every priority
  Bytes k_min = Bytes(100'000);
  Bytes k_max = Bytes(400'000);
  double p_max = 0.2;
  void visit(ParamVisitor& v) override {
    v.param("rate", rate, "the link rate of the egress ports this rule applies to");
    v.param("priority", priority, "the priority it applies to; -1 = every priority", Range{-1, 7});
    v.param("k_min", k_min, "queue depth where marking starts");
    v.param("k_max", k_max, "queue depth above which every packet is marked");
    v.param("p_max", p_max, "marking probability at k_max", Range{0, 1});
  }
  Status validate() const override {
    if (k_min > k_max) return Status::error("k_min must be <= k_max");
    return Status::ok();
  }
};

struct EcnConfig final : ParamsOf<EcnConfig> {
  bool enabled = true;
  // RED-style marking on the egress queue depth seen at dequeue. Defaults follow the
  // HPCC public ns-3 simulator's DCQCN runs (run.py: K_min 100 KB, K_max 400 KB,
  // P_max 0.2 per 25 Gbps of link rate); aifabric keeps the 25 Gbps values, which
  // hold a 400 Gbps queue at a few microseconds of delay. `by_rate` overrides them per
  // link rate (and priority); a port whose rate no rule names keeps these.
  Bytes k_min = Bytes(100'000);
  Bytes k_max = Bytes(400'000);
  double p_max = 0.2;
  std::vector<EcnRule> by_rate;
  // How the thresholds move during the run (fabric/switch/ecn/): static or dynamic.
  Choice<EcnTuning> tuning{ecn_tunings(), "policy",
                           "threshold tuning: static (as configured) or dynamic (per port, to "
                           "a delay target)",
                           "static"};
  void visit(ParamVisitor& v) override {
    v.param("enabled", enabled, "mark ECN-capable packets on egress");
    v.param("k_min", k_min, "queue depth where marking starts");
    v.param("k_max", k_max, "queue depth above which every packet is marked");
    v.param("p_max", p_max, "marking probability at k_max", Range{0, 1});
    ParamsVector<EcnRule> rules(by_rate);
    v.list("by_rate", rules,
           "thresholds per egress link rate (and priority), e.g. [{rate: 100Gbps, k_min: 400KB, "
           "k_max: 1600KB}, {rate: 400Gbps, k_min: 1600KB, k_max: 6400KB}]; a rule with a "
           "priority wins over one without; ports at other rates keep k_min/k_max/p_max");
    v.section("tuning", tuning, "how the thresholds move during the run");
  }
  Status validate() const override {
    if (k_min > k_max) return Status::error("k_min must be <= k_max");
    if (Status s = tuning.validate(); !s) return s.with_context("tuning");
    for (size_t i = 0; i < by_rate.size(); ++i) {
      if (Status s = by_rate[i].validate(); !s) {
        return s.with_context("by_rate." + std::to_string(i));
      }
      for (size_t j = 0; j < i; ++j) {
        if (by_rate[j].rate == by_rate[i].rate && by_rate[j].priority == by_rate[i].priority) {
          return Status::error("by_rate." + std::to_string(i) +
                               ": the same rate and priority as "
                               "by_rate." +
                               std::to_string(j));
        }
      }
    }
    return Status::ok();
  }
};

struct PfcConfig final : ParamsOf<PfcConfig> {
  bool enabled = true;
  // Lossless priorities (RoCE traffic conventionally rides priority 3).
  std::vector<int64_t> priorities{3};
  // XOFF threshold on ingress accounting. With xoff_alpha > 0 it is dynamic:
  // alpha x (free shared buffer), as Broadcom-style MMUs and the HPCC ns-3 model do
  // (there alpha = 1/2^pfc_a_shift; 1/8 here). With xoff_alpha = 0, `xoff` is static.
  double xoff_alpha = 0.125;
  Bytes xoff = Bytes::kib(256);
  // Resume once ingress bytes fall this far below the XOFF threshold.
  Bytes xon_offset = Bytes(int64_t{2} * 4178);
  // Per-port, per-priority headroom absorbing what arrives after XOFF. 0 = sized from
  // the link: 2 x rate x delay + 3 maximum frames + 2 pause frames.
  Bytes headroom = Bytes(0);
  // Pause time carried by an XOFF frame, in quanta of 512 bit times (802.1Qbb max).
  int64_t quanta = 65535;
  // While still congested, XOFF is re-sent this often. 0 = half the pause time.
  Time refresh = Time::zero();
  void visit(ParamVisitor& v) override {
    v.param("enabled", enabled, "priority flow control on the lossless priorities");
    v.param("priorities", priorities, "lossless priorities (0..7)", Range{0, 7});
    v.param("xoff_alpha", xoff_alpha,
            "dynamic XOFF threshold = alpha x free shared buffer; 0 uses the static xoff",
            Range{0, 64});
    v.param("xoff", xoff, "static XOFF threshold per ingress port and priority");
    v.param("xon_offset", xon_offset, "resume when ingress bytes < XOFF threshold - xon_offset");
    v.param(
        "headroom", headroom,
        "headroom per ingress port and priority; 0 = 2 x rate x delay + 3 MTU + 2 pause frames");
    v.param("quanta", quanta, "pause time in an XOFF frame, units of 512 bit times",
            Range{1, 65535});
    v.param("refresh", refresh, "XOFF re-send interval while congested; 0 = half the pause time");
  }
};

// Credit-based flow control per virtual lane, as InfiniBand links (IBTA Vol. 1 §7.9)
// and UEC's CBFC run it: a transmitter starts a frame of a credit lane only while it
// holds credits for it; the receiver returns them when the frame leaves its buffer, in
// credit frames that carry the lane's absolute limit (IB's FCCL), on the same link and
// ahead of data. No pause frames, no drops: each ingress's buffer per lane is bounded
// by the credits it granted. It applies to every link, NIC uplinks included (a NIC
// returns credits as it consumes what arrives).
struct CbfcConfig final : ParamsOf<CbfcConfig> {
  bool enabled = false;
  // Credit lanes; none may also be a PFC priority.
  std::vector<int64_t> priorities{3};
  // Receive buffer per ingress and lane the upstream transmitter may fill. 0 = sized
  // from the link to cover the credit loop: 2 x rate x delay (the frame out, its credit
  // back) + 3 maximum frames (the one in serialization, the one the return path is busy
  // with, one of slack) + `update` (freed bytes held until the batch is full) + one
  // credit frame.
  Bytes credits = Bytes(0);
  // Credit granularity: InfiniBand counts 64-byte blocks (IBTA Vol. 1 §7.9.4).
  Bytes block = Bytes(64);
  // A credit frame goes out once this many bytes have left the buffer since the last
  // one. 0 = one maximum frame, so each full-size frame that leaves is returned at once.
  Bytes update = Bytes(0);
  // Freed bytes below `update` go back at most this late (IB sends a lane's flow control
  // packet at least every 65,536 symbol times, ~1.3 us at 400 Gb/s: 1 us here).
  Time interval = Time::us(1);
  void visit(ParamVisitor& v) override {
    v.param("enabled", enabled, "credit-based flow control on the credit lanes (no PFC there)");
    v.param("priorities", priorities, "credit lanes (0..7); none may be a PFC priority",
            Range{0, 7});
    v.param("credits", credits,
            "receive buffer per ingress and lane granted to the upstream transmitter; 0 = 2 x "
            "rate x delay + 3 max frames + update + a credit frame");
    v.param("block", block, "credit granularity (InfiniBand: 64-byte blocks)");
    v.param("update", update,
            "freed bytes that send a credit frame at once; 0 = one maximum frame");
    v.param("interval", interval, "fewer freed bytes are returned at most this late");
  }
  Status validate() const override {
    if (block.count() <= 0) return Status::error("block must be positive");
    if (credits.count() < 0) return Status::error("credits must be >= 0");
    if (update.count() < 0) return Status::error("update must be >= 0");
    if (interval <= Time::zero()) return Status::error("interval must be positive");
    return Status::ok();
  }
};

enum class Scheduler { kStrict = 0, kDwrr = 1 };
inline constexpr std::string_view kSchedulerNames[] = {"strict", "dwrr"};

struct SwitchConfig final : ParamsOf<SwitchConfig> {
  Bytes buffer = Bytes::mib(32);
  // Lossy queues are admitted while depth < alpha x free shared buffer (dynamic
  // threshold, Choudhury & Hahne 1998).
  double egress_alpha = 1.0;
  Scheduler scheduler = Scheduler::kStrict;
  std::vector<int64_t> weights{1, 1, 1, 1, 1, 1, 1, 1};
  EcnConfig ecn;
  PfcConfig pfc;
  CbfcConfig cbfc;
  TrimmingConfig trimming;
  AggregationConfig aggregation;
  void visit(ParamVisitor& v) override {
    v.param("buffer", buffer, "shared packet buffer per switch");
    v.param("egress_alpha", egress_alpha,
            "dynamic threshold for lossy queues: depth < alpha x free buffer", Range{0.001, 64});
    visit_enum(v, "scheduler", scheduler, kSchedulerNames,
               "egress scheduling among the 8 priorities: strict (7 highest) or dwrr");
    v.param("weights", weights, "DWRR weights of priorities 0..7", Range{1, 1000});
    v.section("ecn", ecn, "ECN marking");
    v.section("pfc", pfc, "priority flow control (802.1Qbb)");
    v.section("cbfc", cbfc, "credit-based flow control per virtual lane (InfiniBand, UEC)");
    v.section("trimming", trimming,
              "packet trimming (NDP): full data queues cut packets to headers sent at high "
              "priority");
    v.section("aggregation", aggregation,
              "in-network aggregation (SHARP-like): a reduction engine per aggregating switch, "
              "used by the collective algorithm sharp");
  }
  Status validate() const override {
    if (Status s = aggregation.validate(); !s) return s.with_context("aggregation");
    if (weights.size() != 8) return Status::error("weights must list 8 values (priorities 0..7)");
    if (buffer.count() <= 0) return Status::error("buffer must be positive");
    // The first priority both lists name, or -1.
    auto common = [](const std::vector<int64_t>& x, const std::vector<int64_t>& y) -> int64_t {
      for (int64_t a : x) {
        for (int64_t b : y) {
          if (a == b) return a;
        }
      }
      return -1;
    };
    if (trimming.enabled && pfc.enabled) {
      if (const int64_t t = common(trimming.priorities, pfc.priorities); t >= 0) {
        return Status::error("trimming.priorities: priority " + std::to_string(t) +
                             " is lossless (pfc.priorities); trimming needs a lossy "
                             "priority: set pfc.enabled: false or take it out of "
                             "pfc.priorities");
      }
    }
    if (!cbfc.enabled) return Status::ok();
    if (Status s = cbfc.validate(); !s) return s.with_context("cbfc");
    if (trimming.enabled) {
      if (const int64_t t = common(trimming.priorities, cbfc.priorities); t >= 0) {
        return Status::error("trimming.priorities: priority " + std::to_string(t) +
                             " is a credit lane (cbfc.priorities), which is lossless; "
                             "trimming needs a lossy priority");
      }
    }
    if (pfc.enabled) {
      if (const int64_t c = common(cbfc.priorities, pfc.priorities); c >= 0) {
        return Status::error("cbfc.priorities: priority " + std::to_string(c) +
                             " is also in pfc.priorities; a lane is either PFC or CBFC");
      }
    }
    return Status::ok();
  }
};

}  // namespace aifabric
