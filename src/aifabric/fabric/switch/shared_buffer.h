// The switch's memory management unit: one shared packet buffer with dynamic
// thresholds, and priority flow control driven by per-ingress (port, priority)
// accounting with headroom. Lossless priorities are admitted to the shared pool while
// their ingress bytes stay under the XOFF threshold (alpha x free shared buffer, or a
// static one), then to that ingress's headroom, and dropped (never silently) when the
// headroom is full; lossy ones while their egress queue stays under alpha x free
// buffer. CBFC credit lanes are admitted to their ingress's credit reservation, which
// the upstream transmitter's credits bound: a credit-lane frame that finds it full is a
// model bug, refused and counted (kDropCredit). It decides; the switch sends the pause
// frames it asks for.
//
// Invariant: shared_used + sum(headroom in use) + sum(credit lanes in use) = bytes in
// all egress queues <= buffer.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "aifabric/core/units.h"
#include "aifabric/fabric/switch/switch_config.h"
#include "aifabric/net/link.h"
#include "aifabric/net/packet.h"

namespace aifabric {

class SharedBuffer {
 public:
  enum class Verdict : uint8_t {
    kAdmitted,
    kAdmittedXoff,  // admitted to headroom, crossing the XOFF threshold: pause upstream
    kDropHeadroom,  // lossless, its ingress headroom is full
    kDropBuffer,    // lossy, refused by the dynamic threshold or a full buffer
    kDropCredit,    // credit lane beyond the credits its ingress granted (a model bug)
  };

  SharedBuffer(const SwitchConfig& cfg, int64_t max_frame);
  // The headroom one lossless (port, priority) reserves when its peer sends over `link`.
  static int64_t headroom_for(const SwitchConfig& cfg, const LinkParams& link, int64_t max_frame);
  // The lossless priorities `cfg` makes.
  static int lossless_priorities(const SwitchConfig& cfg);
  // CBFC: the credit lanes `cfg` makes, and the receive buffer (bytes, whole credit
  // blocks) each of them grants the transmitter at the far end of `link`.
  static int credit_lanes(const SwitchConfig& cfg);
  static int64_t credits_for(const SwitchConfig& cfg, const LinkParams& link, int64_t max_frame);
  // The freed bytes that trigger a credit frame.
  static int64_t credit_update_bytes(const SwitchConfig& cfg, int64_t max_frame);
  // A port whose peer sends over `link` (sizes its automatic headroom and the XOFF
  // refresh interval).
  void add_port(const LinkParams& link, Time pause_time);
  // Reserves every port's headroom out of the buffer; call once all ports exist.
  void finalize();

  bool lossless(uint8_t prio) const { return lossless_[prio]; }
  bool credit_lane(uint8_t prio) const { return credit_[prio]; }
  // Admits `p`, which arrived on `in` for an egress queue now holding `egress_queue`
  // bytes of its priority.
  Verdict admit(const Packet& p, uint16_t in, int64_t egress_queue);
  // `p` leaves its egress queue. True: the upstream must hear of it: on a PFC priority
  // its ingress (p.in_port, p.priority) drained below XON and the pause must be lifted;
  // on a credit lane (always) its credits go back.
  bool release(const Packet& p);

  int64_t xoff_threshold() const;
  bool xoff(uint16_t port, uint8_t prio) const { return ingress_[port].cls[prio].xoff; }
  // A new generation of refreshes for an XOFF just sent (older timers lapse).
  uint32_t next_refresh_gen(uint16_t port, uint8_t prio) {
    return ++ingress_[port].cls[prio].refresh_gen;
  }
  uint32_t refresh_gen(uint16_t port, uint8_t prio) const {
    return ingress_[port].cls[prio].refresh_gen;
  }
  Time refresh_interval(uint16_t port) const { return ingress_[port].refresh; }
  int64_t headroom_per_queue(size_t port) const { return ingress_[port].headroom_size; }
  int64_t credits_per_lane(size_t port) const { return ingress_[port].credit_size; }
  int64_t max_ingress_bytes() const { return max_ingress_bytes_; }
  int64_t max_buffer_used() const { return max_buffer_used_; }

 private:
  struct IngressClass {
    int64_t shared = 0;    // bytes admitted to the shared pool
    int64_t headroom = 0;  // bytes admitted to headroom
    bool xoff = false;     // an XOFF is in force upstream
    uint32_t refresh_gen = 0;
  };
  struct IngressState {
    std::array<IngressClass, kNumPriorities> cls;
    int64_t headroom_size = 0;
    int64_t credit_size = 0;  // bytes each credit lane of this ingress reserves
    Time refresh;             // XOFF re-send interval: half this link's pause time
  };

  const SwitchConfig& cfg_;
  int64_t max_frame_;
  std::array<bool, kNumPriorities> lossless_{};
  std::array<bool, kNumPriorities> credit_{};
  std::vector<IngressState> ingress_;
  int64_t shared_size_ = 0;  // buffer minus all headroom reservations
  int64_t shared_used_ = 0;
  int64_t buffered_ = 0;  // bytes in all egress queues (shared + headroom)
  int64_t max_ingress_bytes_ = 0;
  int64_t max_buffer_used_ = 0;
};

}  // namespace aifabric
