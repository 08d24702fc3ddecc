// In-band network telemetry at a switch egress (HPCC's INT): a data packet that carries
// an INT stack gets one hop record as it leaves the egress queue — the time, the port's
// cumulative tx bytes (this packet included), the bytes still queued on the port (all
// priorities) and the link rate. A switch has a stamper only when the fabric's
// congestion control asks for INT, so other runs pay nothing.
#pragma once

#include <cstdint>

#include "aifabric/core/units.h"
#include "aifabric/net/int_telemetry.h"
#include "aifabric/net/packet.h"
#include "aifabric/net/port.h"

namespace aifabric {

class IntStamper {
 public:
  explicit IntStamper(IntTable& table) : table_(table) {}
  // `p` leaves `port` now, `queued` bytes stay behind it. Port::transmit counts the
  // packet's bytes after the dequeue, so the stamp adds them (as ns-3's HPCC switch
  // counts a packet's bytes before it stamps it).
  void on_dequeue(const Packet& p, const Port& port, int64_t queued, Time now) {
    if (p.int_slot == 0 || p.type != PacketType::kData) return;
    table_.at(p.int_slot)
        .push(IntHop{now, port.counters().tx_bytes + p.wire, queued,
                     port.link().rate.bits_per_second()});
  }

 private:
  IntTable& table_;
};

}  // namespace aifabric
