// How a sender picks the UDP source port (the entropy every ECMP switch hashes) of
// each packet when it is not fixed for the queue pair: packet spraying. Implementations
// live with the load balancers (lb/sender/<mode>/); a queue pair without one stamps its
// flow's own port on every packet, as RoCEv2 NICs do.
#pragma once

#include <cstdint>

#include "aifabric/core/units.h"
#include "aifabric/net/packet.h"

namespace aifabric {

class PathChooser {
 public:
  virtual ~PathChooser() = default;
  // The source port of the next data packet.
  virtual uint16_t next_sport() = 0;
  // An ACK came back `rtt` after its data packet left (it echoes that packet's source
  // port and CE mark).
  virtual void on_ack(const Packet& /*ack*/, Time /*rtt*/) {}
};

}  // namespace aifabric
