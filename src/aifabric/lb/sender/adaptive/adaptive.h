// Adaptive spraying, REPS-like: a port whose packet crossed the fabric without an ECN
// mark (and, with rtt_threshold, fast enough) is worth reusing; the sender keeps up to
// `recycle` such ports in a FIFO and sends on them first, else on a random port. When
// the FIFO is full the newest good port is forgotten: the ones already waiting are as
// good and older feedback is used first.
#pragma once

#include "aifabric/lb/sender/random/random.h"
#include "aifabric/transport/ring_buffer.h"

namespace aifabric {

class AdaptiveChooser final : public PathChooser {
 public:
  AdaptiveChooser(const PathSelection& ps, const FlowSpec& flow)
      : recycle_(ps.recycle), rtt_threshold_(ps.rtt_threshold), random_(ps, flow) {}
  uint16_t next_sport() override {
    if (good_.empty()) return random_.draw();
    const uint16_t port = good_.front();
    good_.pop_front();
    return port;
  }
  void on_ack(const Packet& ack, Time rtt) override {
    if (ack.echo_ce) return;
    if (rtt_threshold_ > Time::zero() && rtt >= rtt_threshold_) return;
    if (static_cast<int64_t>(good_.size()) >= recycle_) return;
    good_.push_back(ack.echo_sport);
  }

 private:
  int64_t recycle_;
  Time rtt_threshold_;
  RandomPorts random_;
  RingBuffer<uint16_t> good_;  // ports whose ACKs came back unmarked
};

}  // namespace aifabric
