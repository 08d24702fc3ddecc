// The congestion-control interface: one instance per sending queue pair decides its
// pacing rate (and optionally a window) from ACKs, CNPs and its own timers. A new
// algorithm is a folder under transport/cc/ plus one line in transport/cc/registry.cc
// (docs/add-a-congestion-control.md).
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string_view>
#include <type_traits>

#include "aifabric/core/params.h"
#include "aifabric/core/registry.h"
#include "aifabric/core/units.h"
#include "aifabric/net/int_telemetry.h"
#include "aifabric/net/packet.h"

namespace aifabric {

// What the queue pair offers its algorithm: the clock, one-shot timers and the payload
// bytes per packet.
class CcContext {
 public:
  virtual Time now() const = 0;
  virtual Bytes mtu() const = 0;
  // Calls on_timer(tag) at `at`. A later call with the same tag does not cancel an
  // earlier one; algorithms keep their own generation numbers where that matters.
  virtual void set_timer(Time at, uint32_t tag) = 0;

 protected:
  ~CcContext() = default;
};

// One per ACK or NACK, whether or not it advances the cumulative point. RTT samples are
// NIC timestamps: the ACK's arrival at the sending NIC minus the data packet's send time
// (the NIC stamped it when the packet started onto the wire), which the ACK echoes.
struct AckEvent {
  int64_t newly_acked_bytes = 0;
  Time rtt;      // sample from the echoed send time
  int hops = 0;  // switches the acknowledged data packet crossed (echoed)
  bool ecn_echo = false;
};

// An ACK or NACK that carries the INT stack its data packet collected (only algorithms
// whose entry says needs_int get these). Sequence points are in payload bytes.
struct IntAckEvent {
  const IntStack& telemetry;
  uint64_t acked_bytes = 0;  // the cumulative point after this ACK
  uint64_t sent_bytes = 0;   // highest byte sent so far (snd_nxt)
  Time rtt;
};

class CongestionControl {
 public:
  virtual ~CongestionControl() = default;
  virtual BitRate rate() const = 0;
  virtual int64_t window_bytes() const { return 0; }  // 0 = not window-limited
  virtual void on_packet_sent(uint32_t /*wire_bytes*/) {}
  virtual void on_ack(const AckEvent& /*ack*/) {}
  virtual void on_cnp() {}
  virtual void on_int_ack(const IntAckEvent& /*ack*/) {}
  virtual void on_timer(uint32_t /*tag*/) {}
  // Algorithms whose entry has make_port_feedback: fill in the window request a data
  // packet carries (called as the packet is made; `wire` is its size on the link).
  virtual void request_grant(WindowGrant& /*g*/, uint32_t /*wire*/) const {}
  // Receiver-driven algorithms (CcAlgorithm::pull_share set): the packets the sender may
  // put on the wire before its first pull, its initial window; after it, one per pull.
  virtual int64_t initial_credits() const { return 0; }
};

// The switch-side half of an algorithm that computes its feedback in the fabric (the
// zero-queue scheme): one per switch egress port, told of every packet that joins
// the port's egress queue and of every one that leaves it. `stack` is the packet's
// out-of-line header (null when it has none); `queued` the port's egress bytes (all
// priorities) before the arrival.
class PortFeedback {
 public:
  virtual ~PortFeedback() = default;
  virtual void on_enqueue(const Packet& p, const IntStack* stack, int64_t queued, Time now) = 0;
  virtual void on_dequeue(const Packet& p, IntStack* stack, Time now) = 0;
};

struct CcAlgorithm : Member {
  // Receivers answer ECN-marked packets with CNPs spaced at least this far apart per
  // queue pair (the notification point); nullptr, or Time::max() from it, = no CNPs.
  Time (*cnp_interval)(const Params& params) = nullptr;
  // Data packets collect INT at every switch egress and ACKs carry it back
  // (on_int_ack). Switches stamp only when the fabric's algorithm asks.
  bool needs_int = false;
  // Non-null: every switch egress port gets one of these (fabric/switch/switch.cc), and
  // data packets carry an out-of-line header for it (IntStack::grant).
  std::unique_ptr<PortFeedback> (*make_port_feedback)(const Params& params,
                                                      BitRate port_rate) = nullptr;
  // Receiver-driven credits: non-null makes senders send only against pulls (after their
  // initial_credits()) and receiving NICs pace pulls at this share of their line rate,
  // one per data packet that asks for one (Packet::wants_pull) or arrives trimmed.
  // nullptr: no pulls, no credits.
  double (*pull_share)(const Params& params) = nullptr;
  std::unique_ptr<CongestionControl> (*make)(const Params& params, BitRate line_rate,
                                             CcContext& ctx) = nullptr;
};

// The registry entry of algorithm `Impl`, constructed as Impl(const P&, line rate,
// context) (or Impl(line rate) when P has nothing to pass). With `Cnp`, receivers send
// CNPs at most once per P::*Cnp. An Impl that declares `static constexpr bool
// kNeedsInt = true` gets in-band telemetry; one that names `using PortPart = X` gets an
// X(const P&, port rate) at every switch egress port; one that declares `static double
// pull_share(const P&)` is receiver-driven.
template <class P, class Impl, Time P::*Cnp = nullptr>
CcAlgorithm cc_member(std::string_view name, std::string_view doc) {
  CcAlgorithm a;
  a.name = name;
  a.doc = doc;
  a.make_params = &make_params_of<P>;
  if constexpr (requires { Impl::kNeedsInt; }) a.needs_int = Impl::kNeedsInt;
  if constexpr (requires { typename Impl::PortPart; }) {
    a.make_port_feedback = [](const Params& p, BitRate rate) -> std::unique_ptr<PortFeedback> {
      return std::make_unique<typename Impl::PortPart>(params_as<P>(p), rate);
    };
  }
  if constexpr (requires(const P& p) { Impl::pull_share(p); }) {
    a.pull_share = [](const Params& p) { return Impl::pull_share(params_as<P>(p)); };
  }
  if constexpr (Cnp != nullptr) {
    a.cnp_interval = [](const Params& p) { return params_as<P>(p).*Cnp; };
  }
  a.make = [](const Params& p, BitRate line, CcContext& ctx) -> std::unique_ptr<CongestionControl> {
    if constexpr (std::is_constructible_v<Impl, const P&, BitRate, CcContext&>) {
      return std::make_unique<Impl>(params_as<P>(p), line, ctx);
    } else {
      return std::make_unique<Impl>(line);
    }
  };
  return a;
}

const Registry<CcAlgorithm>& cc_algorithms();
inline const CcAlgorithm* find_cc_algorithm(std::string_view name) {
  return cc_algorithms().find(name);
}

}  // namespace aifabric
