#include "aifabric/fault/fault_config.h"

namespace aifabric {

void FaultSpec::visit(ParamVisitor& v) {
  v.source_line(line);
  v.param("at", at, "when it happens (simulated time from the start of the run)");
  visit_enum(v, "kind", kind, kFaultKindNames,
             "link_down, link_up, flap (down then up every period for a duration), degrade "
             "(the link's rate drops, a lane downshift), restore (back to its rate), ber (the "
             "link's bit error rate changes), switch_down, switch_up, nic_down, nic_up");
  v.param("link", link, "the link, named by its end nodes: nodeA-nodeB (link kinds)");
  v.param("node", node, "the switch (switch_down/up) or host (nic_down/up)");
  v.param("rate", rate, "degrade: the link's new rate in both directions");
  v.param("ber", ber, "ber: the new bit error rate (a frame of b bits is lost with 1-(1-ber)^b)",
          Range{0, 0.01});
  v.param("period", period, "flap: one down-and-up cycle");
  v.param("down_time", down_time, "flap: how long the link is down in each period");
  v.param("duration", duration, "flap: how long the link flaps");
}

Status FaultSpec::validate() const {
  if (at < Time::zero()) return Status::error("at: must not be negative");
  const bool on_link = kind == FaultKind::kLinkDown || kind == FaultKind::kLinkUp ||
                       kind == FaultKind::kFlap || kind == FaultKind::kDegrade ||
                       kind == FaultKind::kRestore || kind == FaultKind::kBer;
  const std::string name(kFaultKindNames[static_cast<int>(kind)]);
  if (on_link && link.empty()) return Status::error("link: " + name + " needs the link");
  if (on_link && !node.empty()) return Status::error("node: " + name + " takes a link, not a node");
  if (!on_link && node.empty()) return Status::error("node: " + name + " needs the node");
  if (!on_link && !link.empty())
    return Status::error("link: " + name + " takes a node, not a link");
  if (kind == FaultKind::kDegrade && rate.bits_per_second() <= 0) {
    return Status::error("rate: must be positive");
  }
  if (kind == FaultKind::kFlap) {
    if (period <= Time::zero()) return Status::error("period: must be positive");
    if (down_time <= Time::zero() || down_time >= period) {
      return Status::error("down_time: must be positive and shorter than the period");
    }
    if (duration < period) return Status::error("duration: must be at least one period");
    if (duration > Time::max() - at - period) return Status::error("duration: too long");
  }
  return Status::ok();
}

std::string FaultSpec::where(size_t index) const {
  return line > 0 ? "faults entry at line " + std::to_string(line)
                  : "faults entry " + std::to_string(index);
}

void RandomFaultsSpec::visit(ParamVisitor& v) {
  v.param("link_mtbf", link_mtbf, "mean time between failures of each link (0: never)");
  v.param("link_mttr", link_mttr, "mean time a failed link stays down");
  v.param("switch_mtbf", switch_mtbf, "mean time between failures of each switch (0: never)");
  v.param("switch_mttr", switch_mttr, "mean time a failed switch stays down");
  v.param("nic_mtbf", nic_mtbf, "mean time between failures of each NIC port (0: never)");
  v.param("nic_mttr", nic_mttr, "mean time a failed NIC port stays down");
}

Status RandomFaultsSpec::validate() const {
  for (Time t : {link_mtbf, link_mttr, switch_mtbf, switch_mttr, nic_mtbf, nic_mttr}) {
    if (t < Time::zero()) return Status::error("MTBF and MTTR must not be negative");
  }
  return Status::ok();
}

void RecoverySpec::visit(ParamVisitor& v) {
  visit_enum(v, "mode", mode, kRepairModeNames,
             "control_plane: routes are recomputed and installed switch by switch; local: "
             "the detecting switch also drops the dead port from its ECMP groups at once; "
             "remote: local, plus a hardware notice upstream to the switches whose paths "
             "cross the failure (the control plane still converges after the data plane)");
  visit_enum(v, "detection", detection, kDetectionNames,
             "los: loss of signal after los_delay; bfd: bfd_interval x bfd_multiplier");
  v.param("los_delay", los_delay, "loss-of-signal detection in the forwarding chip");
  v.param("bfd_interval", bfd_interval, "BFD transmit interval");
  v.param("bfd_multiplier", bfd_multiplier, "BFD packets missed before the session is down",
          Range{1, 255});
  v.param("cp_propagation", cp_propagation,
          "control plane: time for the routing update to travel one switch hop");
  v.param("cp_computation", cp_computation, "control plane: route computation at each switch");
  v.param("cp_fib_update", cp_fib_update, "control plane: programming the new routes (FIB)");
  v.param("notice_processing", notice_processing,
          "remote: processing of a failure notice at each switch (beside the link delay)");
  v.param("controller_delay", controller_delay,
          "after a rate change, WCMP weights follow the path capacities this late (0: never)");
  v.param("checkpoint_interval", checkpoint_interval,
          "training time between checkpoints (the work a failed job loses is since the last)");
  v.param("checkpoint_write", checkpoint_write, "the pause to write one checkpoint");
  v.param("restart_time", restart_time,
          "from a failed job to training again: rescheduling and loading the checkpoint");
}

Status RecoverySpec::validate() const {
  // Bounded first, so that the sums below (and the events they schedule) stay in range.
  for (Time t : {los_delay, bfd_interval, cp_propagation, cp_computation, cp_fib_update,
                 notice_processing, controller_delay}) {
    if (t > Time::sec(1000)) return Status::error("recovery delays: at most 1000 s each");
  }
  for (Time t : {checkpoint_interval, checkpoint_write, restart_time}) {
    if (t > Time::sec(int64_t{30} * 86400)) {
      return Status::error("checkpoint_interval, checkpoint_write, restart_time: at most 30 days");
    }
  }
  const Time cp = cp_propagation + cp_computation + cp_fib_update;
  if (cp < Time::ms(1) || cp > Time::sec(10)) {
    return Status::error(
        "cp_propagation + cp_computation + cp_fib_update: the control plane takes from 1 ms to "
        "10 s");
  }
  if (los_delay < Time::zero() || cp_propagation < Time::zero() || cp_computation < Time::zero() ||
      cp_fib_update < Time::zero() || notice_processing < Time::zero() ||
      controller_delay < Time::zero()) {
    return Status::error("recovery delays must not be negative");
  }
  if (bfd_interval <= Time::zero()) return Status::error("bfd_interval: must be positive");
  if (checkpoint_interval <= Time::zero()) {
    return Status::error("checkpoint_interval: must be positive");
  }
  if (checkpoint_write < Time::zero() || restart_time < Time::zero()) {
    return Status::error("checkpoint_write, restart_time: must not be negative");
  }
  return Status::ok();
}

void HorizonSpec::visit(ParamVisitor& v) {
  v.param("length", length,
          "wall-clock horizon of the estimate (e.g. 30d); 0 = none. Up to 106 days");
  v.param("host_links_copper", host_links_copper,
          "host-to-leaf links are copper (DAC): no optical modules on them");
  v.param("probe_size", probe_size,
          "per-rank size of the ring all-reduce the packet-level probes time each fault on");
  const Range hours{1, 1e12};
  v.param("optic_mtbf_hours", optic_mtbf_hours,
          "mean hours between failures of one optical module (default 0.2 %/year)", hours);
  v.param("link_mtbf_hours", link_mtbf_hours,
          "... of one link's cable or fiber (default: Alibaba HPN's link rate less 2 optics)",
          hours);
  v.param("switch_mtbf_hours", switch_mtbf_hours,
          "... of one switch (default: Alibaba HPN, 0.051 % of ToRs a month)", hours);
  v.param("nic_mtbf_hours", nic_mtbf_hours,
          "... of one NIC (default: Llama 3, 7 NIC failures in 54 days on 16,384 GPUs)", hours);
}

Status HorizonSpec::validate() const {
  if (length < Time::zero()) return Status::error("length: must not be negative");
  if (probe_size.count() < 4096) return Status::error("probe_size: at least 4KiB");
  if (probe_size.count() > (int64_t{1} << 30)) return Status::error("probe_size: at most 1GiB");
  return Status::ok();
}

}  // namespace aifabric
