// RoCEv2-like reliable connection parameters shared by every queue pair.
#pragma once

#include "aifabric/core/params.h"
#include "aifabric/core/registry.h"
#include "aifabric/transport/reliability/reliability.h"

namespace aifabric {

// The source report's table 3 as presets (scenario/profiles/): each sets load
// balancing, link-layer backpressure, congestion control and recovery where the
// scenario does not.
enum class TransportProfileName { kNone = 0, kTcp, kRoce, kFalcon, kUet, kSrd };
inline constexpr std::string_view kTransportProfileNames[] = {"none",   "tcp", "roce",
                                                              "falcon", "uet", "srd"};

struct TransportConfig final : ParamsOf<TransportConfig> {
  TransportProfileName profile = TransportProfileName::kNone;
  Bytes mtu = Bytes(4096);   // payload bytes per packet (RoCE path MTU 4096)
  int64_t ack_interval = 1;  // ACK every N in-order packets (the last one always)
  // Retransmission timeout without progress. Real RoCE NICs wait 4.096 us x 2^timeout
  // (NCCL sets timeout 14-18: 67 ms to 1 s); 4 ms keeps tail-loss recovery visible in
  // short runs while a PFC pause of a few hundred microseconds never triggers it.
  Time rto = Time::ms(4);
  int64_t retry_limit = 7;    // timeouts in a row before the flow fails (IB retry_cnt max)
  Bytes window = Bytes(0);    // max bytes in flight per QP; 0 = no window (rate only)
  int64_t data_priority = 3;  // default priority of data (flows may override)
  int64_t ack_priority = 6;   // ACK, NACK and CNP priority (higher is served first)
  // Loss recovery (transport/reliability/): its parameters sit beside `recovery:`.
  Choice<RecoveryMode> recovery{recovery_modes(), "recovery",
                                "loss recovery: go_back_n (RoCE) or selective (reorder buffer, "
                                "SACK and RACK)",
                                "go_back_n"};
  void visit(ParamVisitor& v) override {
    visit_enum(v, "profile", profile, kTransportProfileNames,
               "a named preset of the report's table 3 (docs/congestion-control.md, Transport "
               "profiles): tcp (ECMP, lossy, dctcp, selective), roce (ECMP, PFC, dcqcn, "
               "go_back_n), falcon (spray, lossy, swift, selective), uet (spray, lossy, "
               "trimming, eqds, selective), srd (as falcon: its BBR-like control is not "
               "modelled); it sets lb.algorithm, switch.pfc.enabled, cc.algorithm, "
               "transport.recovery (and for uet switch.trimming.enabled) wherever the "
               "scenario does not");
    v.param("mtu", mtu, "payload bytes per packet (headers are added on the wire)");
    v.param("ack_interval", ack_interval, "ACK every N in-order packets; the last is always ACKed",
            Range{1, 1 << 20});
    v.param("rto", rto,
            "retransmission timeout: after this long without progress, resend from "
            "(go_back_n) or only (selective) the oldest unacknowledged packet");
    v.param("retry_limit", retry_limit, "consecutive timeouts before the flow is failed",
            Range{0, 1000});
    v.param("window", window, "maximum unacknowledged bytes per queue pair; 0 = unlimited");
    v.param("data_priority", data_priority, "802.1p priority of data packets", Range{0, 7});
    v.param("ack_priority", ack_priority, "802.1p priority of ACK/NACK/CNP", Range{0, 7});
    recovery.visit(v);
  }
  Status validate() const override {
    if (mtu.count() < 64 || mtu.count() > 65536)
      return Status::error("mtu must be in [64B, 64KiB]");
    if (rto <= Time::zero()) return Status::error("rto must be positive");
    return Status::ok();
  }
};

}  // namespace aifabric
