// A frame on the fabric: RoCEv2 data, ACK/NACK, CNP, a pull (receiver-driven credit), a
// PFC pause frame or a CBFC credit update. Packets come from a pool and are linked into
// queues intrusively (`next`), so moving one costs no allocation. Sizes: `payload` is
// application bytes, `wire` is everything the frame occupies on a link, headers and
// Ethernet preamble/inter-frame gap included.
#pragma once

#include <cstdint>

#include "aifabric/core/pool.h"
#include "aifabric/core/random.h"
#include "aifabric/core/units.h"
#include "aifabric/net/int_telemetry.h"

namespace aifabric {

// kPull: a receiver's credit for one more data packet (receiver-driven algorithms); its
// `psn` counts the pulls of its connection, so a lost pull is made up by the next.
// Link-control frames (kPause, kCredit) come last: `type < kPause` is a frame the
// devices forward.
// kNotice: a switch's failure notification to a neighbour (remote fast recovery), consumed
// by the next device like the link-control frames; `psn` holds the notice's number.
enum class PacketType : uint8_t { kData, kAck, kNack, kCnp, kPull, kPause, kCredit, kNotice };
inline constexpr bool is_link_control(PacketType t) {
  return t >= PacketType::kPause;
}

// Wire overheads (bytes). RoCEv2 data: Ethernet 14 + IPv4 20 + UDP 8 + BTH 12 + ICRC 4
// + FCS 4 = 62, plus preamble/SFD 8 and inter-frame gap 12 = 20 (IEEE 802.3).
inline constexpr uint32_t kRoceHeaderBytes = 62;
inline constexpr uint32_t kL1OverheadBytes = 20;
// ACK/NACK: the data headers plus the 4-byte AETH.
inline constexpr uint32_t kAckWireBytes = kRoceHeaderBytes + 4 + kL1OverheadBytes;
// CNP: the data headers plus 16 reserved bytes (RoCEv2 annex A17).
inline constexpr uint32_t kCnpWireBytes = kRoceHeaderBytes + 16 + kL1OverheadBytes;
// Pull: the ACK's headers, its 4-byte extension carrying the pull counter (NDP's PULL is
// header-only as well).
inline constexpr uint32_t kPullWireBytes = kAckWireBytes;
// A trimmed data packet: the data headers without their payload.
inline constexpr uint32_t kTrimmedWireBytes = kRoceHeaderBytes + kL1OverheadBytes;
// PFC frame: a minimum 64-byte MAC control frame (IEEE 802.1Qbb).
inline constexpr uint32_t kPauseWireBytes = 64 + kL1OverheadBytes;
// CBFC credit update: also a minimum 64-byte MAC control frame (an InfiniBand flow
// control packet is 4 bytes + CRC, but on Ethernet a frame is at least 64 bytes).
inline constexpr uint32_t kCreditWireBytes = 64 + kL1OverheadBytes;
// Failure notification: a minimum frame as well (hardware-generated, as BFD or a pause is).
inline constexpr uint32_t kNoticeWireBytes = 64 + kL1OverheadBytes;
inline constexpr int kNumPriorities = 8;
inline constexpr uint16_t kRoceUdpPort = 4791;

struct Packet {
  Packet* next = nullptr;  // intrusive queue link
  Time arrive_at;          // last bit reaches the far end of the current link
  Time sent_at;            // data: when the sender put it on the wire; ACK: echoed
  uint64_t entropy = 0;    // hash of the 5-tuple, computed once by the sender
  uint64_t psn = 0;        // data: sequence number; ACK/NACK: next expected sequence
  uint64_t sack_psn = 0;   // selective ACK: the data packet this ACK reports received
  uint64_t sack_bits = 0;  // selective ACK: bit i = packet sack_psn - 64 + i is held too
  uint32_t flow = 0;       // flow index, for records
  uint32_t src = 0;        // source host index
  uint32_t dst = 0;        // destination host index
  uint32_t sender_qp = 0;  // the sending queue pair's number at its NIC (data and control)
  uint32_t payload = 0;    // application bytes
  uint32_t wire = 0;       // bytes on the link
  uint16_t sport = 0;      // UDP source port: the ECMP entropy RoCEv2 carries
  uint16_t dport = kRoceUdpPort;
  // ACK: the acknowledged data packet's UDP source port; data: the queue pair's own port
  // (under spraying `sport` varies), which the receiver's ACKs and CNPs carry.
  uint16_t echo_sport = 0;
  uint16_t in_port = 0;   // ingress port at the current switch
  uint8_t priority = 0;   // 802.1p class, 0..7
  uint8_t hops = 0;       // switches that forwarded this frame (as an IP TTL counts)
  uint8_t echo_hops = 0;  // ACK/NACK: the acknowledged data packet's `hops`
  PacketType type = PacketType::kData;
  // The packet's INT stack in its pool's IntTable, 0 = none (only algorithms that ask
  // for INT get one). With the flags below it fills one 32-bit word: the packet does
  // not grow.
  uint32_t int_slot : 24 = 0;
  bool ecn_capable : 1 = false;
  bool ecn_ce : 1 = false;   // congestion experienced
  bool echo_ce : 1 = false;  // ACK: the acknowledged data packet arrived with CE set
  bool last : 1 = false;     // data: the message's last packet (RDMA WRITE LAST/ONLY)
  // Data: a switch cut the payload (packet trimming) and forwarded the header; NACK: the
  // data packet `sack_psn` arrived trimmed (resend exactly it).
  bool trimmed : 1 = false;
  // Data of a receiver-driven sender: it wants a pull for this packet, having more to
  // send than its credits and the pulls on their way cover (EQDS's backlog, in a bit).
  bool wants_pull : 1 = false;

  // kPause: the pause time in units of 512 bit times, kept in `psn` (a pause frame has
  // no sequence number).
  uint16_t pause_quanta() const { return static_cast<uint16_t>(psn); }
  void set_pause_quanta(uint16_t q) { psn = q; }
  // kCredit: the lane is `priority`; `psn` holds the lane's absolute credit limit in
  // blocks (InfiniBand's FCCL: blocks freed so far + the receiver's credit size), so a
  // lost or late update is repaired by the next one.
  int64_t credit_limit() const { return static_cast<int64_t>(psn); }
  void set_credit_limit(int64_t blocks) { psn = static_cast<uint64_t>(blocks); }
};
static_assert(sizeof(Packet) <= 96, "Packet grew past 96 bytes");

// Packets and the INT stacks some of them carry: releasing a packet frees its stack.
class PacketPool {
 public:
  explicit PacketPool(size_t block = 4096) : packets_(block) {}
  Packet* acquire() { return packets_.acquire(); }
  void release(Packet* p) {
    if (p->int_slot != 0) telemetry_.release(p->int_slot);
    packets_.release(p);
  }
  size_t live() const { return packets_.live(); }
  size_t capacity() const { return packets_.capacity(); }
  IntTable& telemetry() { return telemetry_; }
  const IntTable& telemetry() const { return telemetry_; }

 private:
  Pool<Packet> packets_;
  IntTable telemetry_;
};

// An intrusive FIFO of packets with a byte count.
class PacketQueue {
 public:
  bool empty() const { return head_ == nullptr; }
  Packet* front() const { return head_; }
  int64_t bytes() const { return bytes_; }
  uint32_t packets() const { return count_; }
  void push(Packet* p) {
    p->next = nullptr;
    if (tail_) {
      tail_->next = p;
    } else {
      head_ = p;
    }
    tail_ = p;
    bytes_ += p->wire;
    ++count_;
  }
  Packet* pop() {
    Packet* p = head_;
    head_ = p->next;
    if (!head_) tail_ = nullptr;
    bytes_ -= p->wire;
    --count_;
    p->next = nullptr;
    return p;
  }

 private:
  Packet* head_ = nullptr;
  Packet* tail_ = nullptr;
  int64_t bytes_ = 0;
  uint32_t count_ = 0;
};

// The 5-tuple hash a sender stamps on each packet (protocol is always UDP).
inline uint64_t flow_entropy(uint32_t src, uint32_t dst, uint16_t sport, uint16_t dport) {
  uint64_t x = (static_cast<uint64_t>(src) << 32) | dst;
  x ^= (static_cast<uint64_t>(sport) << 48) ^ (static_cast<uint64_t>(dport) << 16) ^ 17;
  uint64_t s = x;
  return splitmix64(s);
}

}  // namespace aifabric
