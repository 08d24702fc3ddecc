// Queue pairs driven by hand, without a fabric: a test plays the network, choosing
// when each data packet reaches the receiver (or that it never does) and handing every
// ACK straight back to the sender.
#pragma once

#include <memory>
#include <vector>

#include "aifabric/transport/queue_pair.h"

namespace aifabric::testing {

constexpr int64_t kMtu = 4096;

inline Packet data_packet(uint64_t psn, bool ce = false, uint16_t sport = 50000) {
  Packet p;
  p.type = PacketType::kData;
  p.psn = psn;
  p.payload = kMtu;
  p.sport = sport;
  p.ecn_ce = ce;
  p.sent_at = Time::ns(static_cast<int64_t>(psn));
  return p;
}

inline FlowSpec flow_of(int64_t packets) {
  FlowSpec f;
  f.src = 0;
  f.dst = 1;
  f.size = packets * kMtu;
  f.sport = 50000;
  return f;
}

// The control packets one data packet produced.
struct Reply {
  std::vector<Packet> ctl;
  bool has(PacketType t) const {
    for (const Packet& c : ctl) {
      if (c.type == t) return true;
    }
    return false;
  }
  const Packet& ack() const { return ctl.at(0); }
};

inline Reply deliver(ReceiverQp& rx, PacketPool& pool, const Packet& p) {
  Packet* out[2];
  const int n = rx.on_data(p, Time::us(1), pool, out);
  Reply r;
  for (int i = 0; i < n; ++i) {
    r.ctl.push_back(*out[i]);
    pool.release(out[i]);
  }
  return r;
}

inline TransportConfig selective_config() {
  TransportConfig cfg;
  cfg.recovery.select("selective");
  return cfg;
}

class RecordingNic final : public SenderQp::Nic {
 public:
  void wake(SenderQp& /*qp*/) override { ++wakes; }
  void finished(SenderQp& /*qp*/) override { ++done; }
  void retire(SenderQp& /*qp*/) override { ++retired; }  // the test owns the queue pair
  int wakes = 0;
  int done = 0;
  int retired = 0;
};

// A sender and a receiver joined by the test: send() takes the sender's next packet
// now, deliver() hands a packet to the receiver at the current time and returns the
// receiver's ACKs to the sender at once.
struct Loop {
  Simulator sim;
  PacketPool pool;
  RecordingNic nic;
  TransportConfig cfg = selective_config();
  std::unique_ptr<Params> cc_params;
  std::unique_ptr<SenderQp> tx;
  std::unique_ptr<ReceiverQp> rx;

  explicit Loop(int64_t packets, std::unique_ptr<PathChooser> paths = nullptr) {
    const CcAlgorithm* cc = find_cc_algorithm("none");
    cc_params = cc->make_params();
    const FlowSpec f = flow_of(packets);
    tx = std::make_unique<SenderQp>(sim, pool, nic, f, 0, cfg, *cc, *cc_params, BitRate::gbps(400),
                                    std::move(paths));
    rx = std::make_unique<ReceiverQp>(f, 0, cfg, Time::us(50), false);
  }
  ~Loop() {
    for (Packet* p : held) pool.release(p);
  }
  // Moves the clock (running any timers due by then).
  void at(Time t) { sim.run_until(t); }
  Packet* send() {
    Packet* p = tx->next_packet(sim.now());
    held.push_back(p);
    return p;
  }
  // Sends `n` packets 100 ns apart, from t = 0.
  std::vector<Packet*> send_spaced(int n) {
    std::vector<Packet*> sent;
    for (int i = 0; i < n; ++i) {
      at(Time::ns(100 * i));
      sent.push_back(send());
    }
    return sent;
  }
  void deliver(Packet* p, bool ce = false, bool lose_ack = false) {
    p->ecn_ce = ce;
    Packet* out[2];
    const int n = rx->on_data(*p, sim.now(), pool, out);
    for (int i = 0; i < n; ++i) {
      if (!lose_ack) tx->on_control(*out[i]);
      pool.release(out[i]);
    }
  }
  std::vector<Packet*> held;  // data packets the test owns until the end
};

}  // namespace aifabric::testing
