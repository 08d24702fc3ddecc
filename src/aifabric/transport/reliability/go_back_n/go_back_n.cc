// Go-back-N's receiver: in-order acceptance, cumulative ACKs, one NACK per gap.
#include "aifabric/transport/reliability/go_back_n/go_back_n.h"

namespace aifabric {

int GoBackNReceiver::on_data(const Packet& p, ReceiveWindow& w, ReceiverStats& st,
                             ControlFactory& f, Packet** out) {
  if (p.psn == w.expected) {
    ++w.expected;
    st.accepted_bytes += p.payload;
    if (static_cast<int64_t>(w.expected - w.acked) >= w.ack_interval || w.expected == w.total) {
      out[0] = f.control(PacketType::kAck, w.expected, p);
      w.acked = w.expected;
      return 1;
    }
    return 0;
  }
  if (p.psn > w.expected) {
    ++st.ooo_packets;
    st.discarded_bytes += p.payload;
    if (nack_ && nacked_ != static_cast<int64_t>(w.expected)) {
      out[0] = f.control(PacketType::kNack, w.expected, p);
      nacked_ = static_cast<int64_t>(w.expected);
      return 1;
    }
    return 0;
  }
  ++st.duplicate_packets;
  st.discarded_bytes += p.payload;
  out[0] = f.control(PacketType::kAck, w.expected, p);  // re-ACK a duplicate
  return 1;
}

}  // namespace aifabric
