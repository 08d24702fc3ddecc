// The device interface ports talk to: a Node receives frames on a port and hands a
// port the next frame to transmit. Devices reach each other only through ports.
#pragma once

#include <cstdint>

#include "aifabric/core/units.h"
#include "aifabric/net/packet.h"

namespace aifabric {

class Node {
 public:
  // A frame has fully arrived on `port`. The node owns the packet from here on.
  virtual void receive(Packet* p, uint16_t port) = 0;
  // `port` is free: return the frame to send now, or nullptr. When nothing is
  // eligible now but will be at a known time (pacing, pause expiry), lower `retry_at`.
  virtual Packet* next_to_send(uint16_t port, Time now, Time& retry_at) = 0;
  // Whether `port` still has frames waiting (decides if the port books its next slot).
  virtual bool backlogged(uint16_t port) const = 0;

 protected:
  ~Node() = default;
};

}  // namespace aifabric
