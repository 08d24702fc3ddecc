// Go-back-N, as RoCE NICs recover: the receiver accepts only the next expected packet,
// ACKs cumulatively (every ack_interval packets, and the last), NACKs the first gap
// once and re-ACKs duplicates; on a NACK or a timeout the sender resends everything
// from the oldest unacknowledged packet. One loss costs a window of retransmissions.
#pragma once

#include "aifabric/transport/reliability/reliability.h"

namespace aifabric {

struct GoBackNParams final : ParamsOf<GoBackNParams> {
  void visit(ParamVisitor& /*v*/) override {}
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
  int on_data(const Packet& p, ReceiveWindow& w, ReceiverStats& st, ControlFactory& f,
              Packet** out) override;

 private:
  int64_t nacked_ = -1;  // expected psn already NACKed
};

}  // namespace aifabric
