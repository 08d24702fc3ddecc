// DCQCN (Zhu et al., "Congestion Control for Large-Scale RDMA Deployments", SIGCOMM
// 2015): switches mark ECN (the congestion point), receivers turn marks into CNPs at
// most once per interval per queue pair (the notification point), and the sender (the
// reaction point) cuts its rate by alpha/2 and recovers through fast recovery, additive
// and hyper increase. Two reaction points are modelled, key by key: the deployed one
// (the defaults: NVIDIA ConnectX's, as the ns-3 RDMA model of the HPCC repository
// models it) and the paper's (dcqcn_paper; docs/congestion-control.md lists both).
#pragma once

#include <array>
#include <string_view>

#include "aifabric/transport/cc/congestion_control.h"

namespace aifabric {

// When alpha is set to its initial value: at the queue pair's first CNP (ConnectX,
// initial_alpha_value) or when the queue pair is created (the paper: alpha = 1, then
// decaying while no CNP comes).
enum class DcqcnAlphaStart { kFirstCnp, kCreation };
inline constexpr std::array<std::string_view, 2> kDcqcnAlphaStartNames = {"first_cnp", "creation"};
// How alpha moves: once per alpha_interval, up if a CNP came in that interval and
// down otherwise (ConnectX: dce_tcp_g every dce_tcp_rtt), or up at every CNP (after the
// cut it causes) and down per alpha_interval without a CNP (the paper).
enum class DcqcnAlphaUpdate { kTimer, kPerCnp };
inline constexpr std::array<std::string_view, 2> kDcqcnAlphaUpdateNames = {"timer", "per_cnp"};
// When the rate is cut: at the next tick of a fixed check grid (every decrease_interval,
// the first one interval after the first CNP) if a CNP came since the last tick
// (ConnectX rate_reduce_monitor_period), or at the CNP itself, at most once per
// decrease_interval (the paper).
enum class DcqcnDecrease { kCheck, kPerCnp };
inline constexpr std::array<std::string_view, 2> kDcqcnDecreaseNames = {"check", "per_cnp"};
// How the notification reaches the sender: a CNP frame of its own (RoCEv2 CNP,
// sent at most once per cnp_interval) or the ECN echo of every ACK (the ns-3 model).
enum class DcqcnCnp { kFrame, kAck };
inline constexpr std::array<std::string_view, 2> kDcqcnCnpNames = {"frame", "ack"};

struct DcqcnParams final : ParamsOf<DcqcnParams> {
  // Defaults: the deployed reaction point as the ns-3 RDMA simulator of the HPCC
  // repository models it (rdma-hw.cc's "mlx" DCQCN, CC_MODE 1) with the settings its
  // run.py uses for "dcqcn", the AI/HAI steps scaled to 400 Gb/s as run.py scales them
  // (5 and 50 Mb/s per 25 Gb/s). NVIDIA's ConnectX names for the same knobs are in
  // brackets (docs/congestion-control.md has both sets of values).
  double g = 1.0 / 256;               // EWMA_GAIN [dce_tcp_g]
  Time alpha_interval = Time::us(1);  // ALPHA_RESUME_INTERVAL [dce_tcp_rtt]
  double initial_alpha = 1.0;         // alpha = 1 at the first CNP [initial_alpha_value]
  DcqcnAlphaStart alpha_start = DcqcnAlphaStart::kFirstCnp;
  DcqcnAlphaUpdate alpha_update = DcqcnAlphaUpdate::kTimer;
  DcqcnDecrease decrease = DcqcnDecrease::kCheck;
  Time decrease_interval = Time::us(4);    // RATE_DECREASE_INTERVAL [rate_reduce_monitor_period]
  double first_cnp_rate = 0;               // off [rate_to_set_on_first_cnp]
  bool clamp_target_rate = false;          // CLAMP_TARGET_RATE 0 [clamp_tgt_rate]
  bool clamp_after_increase = true;        // [clamp_tgt_rate_after_time_inc]
  Time increase_interval = Time::us(300);  // RP_TIMER [rpg_time_reset]
  Bytes byte_counter = Bytes(0);           // timer stages alone, as the ns-3 model
  int64_t fast_recovery_steps = 1;         // FAST_RECOVERY_TIMES [rpg_threshold]
  BitRate rate_ai = BitRate::mbps(80);     // RATE_AI [rpg_ai_rate]
  BitRate rate_hai = BitRate::mbps(800);   // RATE_HAI [rpg_hai_rate]
  BitRate min_rate = BitRate::mbps(1000);  // MIN_RATE [rpg_min_rate]
  DcqcnCnp cnp = DcqcnCnp::kAck;           // the ns-3 model's CNP flag on the ACK
  Time cnp_interval = Time::us(4);         // frames only [min_time_between_cnps]
  void visit(ParamVisitor& v) override {
    v.param("g", g, "EWMA gain of alpha", Range{1e-6, 1});
    v.param("alpha_interval", alpha_interval,
            "alpha period: up or down once per period (timer), down per period without CNP "
            "(per_cnp)");
    v.param("initial_alpha", initial_alpha, "alpha at its start", Range{0, 1});
    visit_enum(v, "alpha_start", alpha_start, kDcqcnAlphaStartNames,
               "alpha starts at the first CNP (deployed) or at queue-pair creation (paper)");
    visit_enum(v, "alpha_update", alpha_update, kDcqcnAlphaUpdateNames,
               "alpha moves once per alpha_interval (timer, deployed) or rises at every CNP "
               "(per_cnp, paper)");
    visit_enum(v, "decrease", decrease, kDcqcnDecreaseNames,
               "cut on a fixed check grid of decrease_interval (check, deployed) or at the "
               "CNP, at most once per decrease_interval (per_cnp, paper)");
    v.param("decrease_interval", decrease_interval, "time between rate cuts");
    v.param("first_cnp_rate", first_cnp_rate,
            "current and target rate set at the first CNP, a fraction of line rate (0: cut as "
            "at any CNP)",
            Range{0, 1});
    v.param("clamp_target_rate", clamp_target_rate,
            "every cut sets the target rate to the current rate (paper); otherwise the target "
            "is kept through an episode of cuts");
    v.param("clamp_after_increase", clamp_after_increase,
            "a cut after a timer increase sets the target rate to the current rate");
    v.param("increase_interval", increase_interval, "rate-increase timer period");
    v.param("byte_counter", byte_counter, "rate-increase byte counter (0: timer stages alone)");
    v.param("fast_recovery_steps", fast_recovery_steps, "F: increase events of fast recovery",
            Range{1, 1000});
    v.param("rate_ai", rate_ai, "additive increase step");
    v.param("rate_hai", rate_hai, "hyper increase step");
    v.param("min_rate", min_rate, "lowest sending rate");
    visit_enum(v, "cnp", cnp, kDcqcnCnpNames,
               "notification as a CNP frame of its own or as the ECN echo on the ACK");
    v.param("cnp_interval", cnp_interval,
            "receiver sends at most one CNP frame per interval per QP");
  }
  Status validate() const override {
    if (alpha_interval <= Time::zero() || increase_interval <= Time::zero() ||
        decrease_interval <= Time::zero()) {
      return Status::error(
          "alpha_interval, increase_interval and decrease_interval must be positive");
    }
    if (byte_counter.count() < 0) return Status::error("byte_counter must not be negative");
    if (min_rate.bits_per_second() <= 0) return Status::error("min_rate must be positive");
    return Status::ok();
  }
};

class Dcqcn final : public CongestionControl {
 public:
  Dcqcn(const DcqcnParams& p, BitRate line, CcContext& ctx);
  BitRate rate() const override { return BitRate::bps(static_cast<int64_t>(rc_)); }
  void on_packet_sent(uint32_t wire_bytes) override;
  void on_cnp() override;
  void on_ack(const AckEvent& ack) override;
  void on_timer(uint32_t tag) override;
  // Alpha as of the last event (the timer rule applies elapsed periods lazily).
  double alpha() const { return alpha_; }
  double target_rate() const { return rt_; }

 private:
  static constexpr uint32_t kDecreaseTag = 0x80000000U;
  // Alpha runs from creation, or (alpha_start first_cnp) from the first CNP.
  bool alpha_running() const { return seen_cnp_ || p_.alpha_start == DcqcnAlphaStart::kCreation; }
  void advance_alpha(Time now);
  void cut(Time now);
  void schedule_check(Time now);
  void increase();
  const DcqcnParams& p_;
  CcContext& ctx_;
  double line_;  // bits per second
  double rc_;    // current rate
  double rt_;    // target rate
  double alpha_;
  Time alpha_at_;       // start of the alpha period alpha_ belongs to
  bool alpha_started_;  // alpha_start = first_cnp: false until the first CNP
  bool seen_cnp_ = false;
  bool cnp_in_period_ = false;  // timer rule: a CNP came in the current alpha period
  bool cnp_pending_ = false;    // check rule: a CNP came since the last tick
  bool check_armed_ = false;    // check rule: a tick timer is set
  Time grid_origin_;            // check rule: the first CNP
  Time last_cut_ = Time::max();
  int64_t bytes_ = 0;
  int64_t t_stage_ = 0;
  int64_t b_stage_ = 0;
  uint32_t timer_gen_ = 0;
  uint32_t check_gen_ = 0;
  bool limited_ = false;  // below line rate: the increase timer runs
};

// The paper's reaction point, key by key (section 5: T = K = 55 us, B = 10 MB, F = 5,
// g = 1/256, CNPs at most every 50 us; alpha = 1 from creation; the target clamped at
// every cut) with the increase steps of the HPCC ns-3 runs at 400 Gbps (run.py scales
// AI 5 Mb/s and HAI 50 Mb/s per 25 Gb/s) and their MIN_RATE, 1 Gb/s.
DcqcnParams dcqcn_paper_params();

// The registry entries: `dcqcn` (the deployed defaults) and `dcqcn_paper` (the same
// algorithm with dcqcn_paper_params() as its defaults). Receivers send CNP frames at
// most every cnp_interval, or none when the ACKs carry the echo.
CcAlgorithm dcqcn_algorithm();
CcAlgorithm dcqcn_paper_algorithm();

}  // namespace aifabric
