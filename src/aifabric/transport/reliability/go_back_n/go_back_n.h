// Go-back-N, as RoCE NICs recover: the receiver accepts only the next expected packet,
// ACKs cumulatively (every ack_interval packets, and the last), NACKs the first gap
// once (as InfiniBand's NAK-sequence-error: no second NACK until the expected packet
// arrives) and re-ACKs duplicates; on a NACK or a timeout the sender resends
// everything from the oldest unacknowledged packet. One loss costs a round trip of
// retransmissions; a lost NACK or a lost retransmission costs a timeout. With
// `nack: false` the receiver discards out-of-order packets silently and only the
// retransmission timeout recovers (RoCE NICs without NACK-based recovery).
#pragma once

#include "aifabric/transport/reliability/reliability.h"

namespace aifabric {

struct GoBackNParams final : ParamsOf<GoBackNParams> {
  // The receiver NACKs the first gap; false = timeout-only recovery.
  bool nack = true;
  void visit(ParamVisitor& v) override {
    v.param("nack", nack,
            "the receiver NACKs the first out-of-order packet and the sender goes back at "
            "once; false = out-of-order packets are discarded silently and only the "
            "retransmission timeout (transport.rto) recovers");
  }
};

class GoBackNSender final : public SenderRecovery {
 public:
  explicit GoBackNSender(RecoveryContext& /*ctx*/) {}
  uint64_t next_psn(SendWindow& w) override { return w.snd_nxt++; }
  void on_nack(uint64_t psn, SendWindow& w) override {
    if (psn < w.snd_nxt) w.snd_nxt = psn;  // go back
  }
  void on_timeout(SendWindow& w) override { w.snd_nxt = w.snd_una; }
};

class GoBackNReceiver final : public ReceiverRecovery {
 public:
  explicit GoBackNReceiver(const GoBackNParams& p) : nack_(p.nack) {}
  int on_data(const Packet& p, ReceiveWindow& w, ReceiverStats& st, ControlFactory& f,
              Packet** out) override;

 private:
  bool nack_;
  int64_t nacked_ = -1;  // expected psn already NACKed
};

}  // namespace aifabric
