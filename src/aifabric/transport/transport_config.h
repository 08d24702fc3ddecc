// RoCEv2-like reliable connection parameters shared by every queue pair.
#pragma once

#include "aifabric/core/params.h"

namespace aifabric {

enum class Recovery { kGoBackN = 0, kSelective = 1 };
inline constexpr std::string_view kRecoveryNames[] = {"go_back_n", "selective"};

// The auto reordering window (`reorder_window` 0) is the spread of the queue pair's
// recent RTTs (its largest sample of the last 1-2 ms minus its smallest ever), which
// sprayed packets show as the queueing difference between their paths, plus a margin
// for the spread's growth until the next sample: a quarter of the minimum RTT (RFC
// 8985's reordering window), but at least this much. RFC 8985's quarter RTT alone suits
// WAN paths, whose RTT dwarfs queueing; in a fabric random spraying at full load drives
// spine queues 5 us (2 MiB flows) to 27 us (16 MiB) apart at a min RTT of 8.3 us
// (tests/scenarios/spray_reorder_test.cc).
inline constexpr Time kMinAutoReorderWindow = Time::us(4);

struct TransportConfig final : Params {
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
  Recovery recovery = Recovery::kGoBackN;
  // selective: packets the receiver can hold beyond the next expected one (the reorder
  // buffer of a NIC with direct data placement); a packet further ahead is dropped.
  int64_t reorder_buffer = 1024;
  // selective: how much later than the minimum RTT a hole may still be filled before
  // the sender declares it lost (RACK's reordering window); 0 = auto.
  Time reorder_window;
  void visit(ParamVisitor& v) override {
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
    visit_enum(v, "recovery", recovery, kRecoveryNames,
               "loss recovery: go_back_n (RoCE: receiver drops out-of-order packets and NACKs) "
               "or selective (receiver keeps out-of-order packets in a reorder buffer and "
               "acknowledges each one; the sender retransmits only packets RACK declares lost)");
    v.param("reorder_buffer", reorder_buffer,
            "selective: packets the receiver accepts beyond the next expected one; a packet "
            "further ahead is dropped (counted as rob_overflow_drops)",
            Range{1, 1 << 20});
    v.param("reorder_window", reorder_window,
            "selective: a packet not acknowledged although a later-sent one was is declared "
            "lost this long after its send time plus the minimum RTT; 0 = auto: the spread "
            "of recent RTTs (largest of the last 1-2 ms minus the smallest) plus max(min RTT "
            "/ 4, 4us)");
  }
  Status validate() const override {
    if (mtu.count() < 64 || mtu.count() > 65536)
      return Status::error("mtu must be in [64B, 64KiB]");
    if (rto <= Time::zero()) return Status::error("rto must be positive");
    if (reorder_window < Time::zero()) {
      return Status::error("reorder_window must not be negative");
    }
    return Status::ok();
  }
};

}  // namespace aifabric
