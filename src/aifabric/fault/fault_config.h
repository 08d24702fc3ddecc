// The scenario's faults and how the fabric recovers from them, as plain Params:
//
//   faults:                       # the schedule: each entry happens at its time
//     - {at: 2ms, kind: link_down, link: leaf0-spine1}
//     - {at: 5ms, kind: link_up, link: leaf0-spine1}
//     - {at: 1ms, kind: flap, link: leaf1-spine0, period: 4ms, down_time: 1ms, duration: 20ms}
//     - {at: 1ms, kind: degrade, link: leaf0-spine0, rate: 100Gbps}   # lane downshift
//     - {at: 9ms, kind: restore, link: leaf0-spine0}                  # back to its rate
//     - {at: 1ms, kind: ber, link: leaf0-spine0, ber: 1e-7}
//     - {at: 1ms, kind: switch_down, node: spine1}   # and switch_up
//     - {at: 1ms, kind: nic_down, node: host3}       # and nic_up
//   random_faults: {link_mtbf: 10s, link_mttr: 1ms, ...}   # drawn per element, seeded
//   recovery:
//     mode: control_plane | local | remote
//     detection: los | bfd, with their delays; the control plane's delays; checkpoints
//
// Every default names its source in docs/faults.md.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "aifabric/core/params.h"
#include "aifabric/core/units.h"
#include "aifabric/fault/horizon/horizon.h"

namespace aifabric {

enum class FaultKind {
  kLinkDown,
  kLinkUp,
  kFlap,
  kDegrade,
  kRestore,
  kBer,
  kSwitchDown,
  kSwitchUp,
  kNicDown,
  kNicUp
};
inline constexpr std::string_view kFaultKindNames[] = {
    "link_down", "link_up",     "flap",      "degrade",  "restore",
    "ber",       "switch_down", "switch_up", "nic_down", "nic_up"};

struct FaultSpec final : ParamsOf<FaultSpec> {
  Time at = Time::zero();
  FaultKind kind = FaultKind::kLinkDown;
  std::string link;                   // "nodeA-nodeB" (link kinds)
  std::string node;                   // a switch (switch kinds) or a host (nic kinds)
  BitRate rate = BitRate::gbps(100);  // degrade: the lane's new rate
  double ber = 0;                     // ber: the link's new bit error rate
  Time period = Time::ms(4);          // flap: one down + up cycle
  Time down_time = Time::ms(1);       // flap: down part of each period
  Time duration = Time::ms(20);       // flap: how long it flaps
  int line = 0;                       // the entry's line in the scenario file (0: unknown)
  void visit(ParamVisitor& v) override;
  Status validate() const override;
  // "faults entry at line 12" or "faults entry 3" when the line is not known.
  std::string where(size_t index) const;
};

// Faults drawn at random for long runs: each element of a class fails after an
// exponential time of mean MTBF and comes back after one of mean MTTR (0 = the class
// never fails). Seeded by the scenario's seed.
struct RandomFaultsSpec final : ParamsOf<RandomFaultsSpec> {
  Time link_mtbf = Time::zero();
  Time link_mttr = Time::ms(1);
  Time switch_mtbf = Time::zero();
  Time switch_mttr = Time::ms(1);
  Time nic_mtbf = Time::zero();
  Time nic_mttr = Time::ms(1);
  void visit(ParamVisitor& v) override;
  Status validate() const override;
  bool any() const {
    return link_mtbf > Time::zero() || switch_mtbf > Time::zero() || nic_mtbf > Time::zero();
  }
};

enum class RepairMode { kControlPlane, kLocal, kRemote };
inline constexpr std::string_view kRepairModeNames[] = {"control_plane", "local", "remote"};
enum class Detection { kLos, kBfd };
inline constexpr std::string_view kDetectionNames[] = {"los", "bfd"};

struct RecoverySpec final : ParamsOf<RecoverySpec> {
  RepairMode mode = RepairMode::kControlPlane;
  Detection detection = Detection::kLos;
  Time los_delay = Time::us(5);
  Time bfd_interval = Time::us(3300);
  int64_t bfd_multiplier = 3;
  // Control plane: the routing protocol's news travels `cp_propagation` per switch hop
  // from the detecting switch, each switch then computes for `cp_computation` and
  // programs its FIB in `cp_fib_update`.
  Time cp_propagation = Time::ms(1);
  Time cp_computation = Time::ms(50);
  Time cp_fib_update = Time::ms(45);
  // Data plane: a hardware failure notice costs its link's delay plus this per hop.
  Time notice_processing = Time::us(1);
  // After a rate change: the controller re-weights WCMP this late (0: no re-weighting).
  Time controller_delay = Time::ms(10);
  // What a failed job costs (the long-horizon model): checkpoints and restart.
  Time checkpoint_interval = Time::sec(1800);
  Time checkpoint_write = Time::sec(30);
  Time restart_time = Time::sec(600);
  void visit(ParamVisitor& v) override;
  Status validate() const override;
  // Time from a link's failure to its detection at one end.
  Time detection_delay() const {
    return detection == Detection::kLos ? los_delay : bfd_interval * bfd_multiplier;
  }
};

// The long horizon (a day, a month) of a cluster too large for the packet level:
// faults drawn per element class (optics, links, switches, NICs of the scenario's
// topology) from their MTBF, each costing what a packet-level probe measured for that
// class under the scenario's recovery and transport (fault/horizon/horizon.h).
struct HorizonSpec final : ParamsOf<HorizonSpec> {
  Time length = Time::zero();  // 0: no long-horizon estimate
  bool host_links_copper = false;
  Bytes probe_size = Bytes(16 << 20);
  double optic_mtbf_hours = FaultRates{}.optic_mtbf_hours;
  double link_mtbf_hours = FaultRates{}.link_mtbf_hours;
  double switch_mtbf_hours = FaultRates{}.switch_mtbf_hours;
  double nic_mtbf_hours = FaultRates{}.nic_mtbf_hours;
  void visit(ParamVisitor& v) override;
  Status validate() const override;
};

}  // namespace aifabric
