// CBFC on one link between two test devices: the credits bound what a transmitter
// sends, a credit frame crosses the link back (its serialization plus the delay) and
// the transmitter resumes the instant it lands, batched updates wait for their
// threshold or the interval, starved time is accounted exactly, and a lane without
// credits holds back no other priority.
#include <gtest/gtest.h>

#include <deque>
#include <functional>
#include <vector>

#include "aifabric/net/port.h"

namespace aifabric {
namespace {

constexpr uint32_t kFrame = 4178;  // 4096 payload + headers: 66 blocks of 64 B
constexpr int64_t kFrameBlocks = (kFrame + 63) / 64;
const Time kFrameTime = Time::ps(83'560);  // 4178 B at 400 Gb/s
const Time kCreditTime = Time::ps(1'680);  // 84 B at 400 Gb/s
const Time kDelay = Time::us(1);

// A device with one port. It sends the first queued frame its port allows (so a
// starved lane does not block another), takes credit frames to its port, and either
// returns a received frame's credits at once (`consume`) or keeps them.
struct CreditNode final : Node {
  Simulator& sim;
  PacketPool& pool;
  Port* port = nullptr;
  bool consume = true;
  std::deque<Packet*> out;
  std::vector<Time> tx_start;
  std::vector<uint8_t> tx_prio;
  std::vector<Time> rx_data;
  std::vector<Time> rx_credit;
  std::vector<Packet> held;  // frames whose credits were kept

  CreditNode(Simulator& s, PacketPool& p) : sim(s), pool(p) {}
  void receive(Packet* p, uint16_t /*port*/) override {
    if (p->type == PacketType::kCredit) {
      rx_credit.push_back(sim.now());
      port->on_credit_frame(p->priority, p->credit_limit());
    } else {
      rx_data.push_back(sim.now());
      if (consume) {
        port->return_credits(p->priority, p->wire);
      } else {
        held.push_back(*p);
      }
    }
    pool.release(p);
  }
  Packet* next_to_send(uint16_t /*port*/, Time now, Time& retry_at) override {
    for (auto it = out.begin(); it != out.end(); ++it) {
      if (port->blocked((*it)->priority, (*it)->wire, now, retry_at)) continue;
      Packet* p = *it;
      out.erase(it);
      tx_start.push_back(now);
      tx_prio.push_back(p->priority);
      return p;
    }
    return nullptr;
  }
  bool backlogged(uint16_t /*port*/) const override { return !out.empty(); }
  void queue(uint32_t wire, uint8_t prio = 3) {
    Packet* p = pool.acquire();
    p->type = PacketType::kData;
    p->wire = wire;
    p->payload = wire - kRoceHeaderBytes - kL1OverheadBytes;
    p->priority = prio;
    out.push_back(p);
  }
  // Returns the credits of every frame kept so far.
  void release_held() {
    for (const Packet& p : held) port->return_credits(p.priority, p.wire);
    held.clear();
  }
};

// a <-> b over one 400 Gb/s, 1 us link, lane 3 a credit lane with `credits` blocks.
struct CreditPair {
  Simulator sim;
  PacketPool pool;
  CreditNode a{sim, pool}, b{sim, pool};
  Port pa, pb;
  explicit CreditPair(int64_t credits, int64_t update = kFrameBlocks, Time interval = Time::us(1))
      : pa(sim, pool, a, 0, LinkParams{BitRate::gbps(400), kDelay, 0}, 1),
        pb(sim, pool, b, 0, LinkParams{BitRate::gbps(400), kDelay, 0}, 2) {
    pa.connect(&b, 0);
    pb.connect(&a, 0);
    a.port = &pa;
    b.port = &pb;
    CreditLink c;
    c.lanes = 1U << 3;
    c.block = 64;
    c.credits = credits;
    c.update = update;
    c.interval = interval;
    pa.enable_credits(c);
    pb.enable_credits(c);
  }
};

// Runs `f` at `t`.
struct At final : EventHandler {
  std::function<void()> f;
  At(Simulator& sim, Time t, std::function<void()> fn) : f(std::move(fn)) {
    sim.schedule_at(t, EventPriority::kApplication, this, 0);
  }
  void handle_event(uint32_t /*kind*/, uint64_t /*arg*/) override { f(); }
};

TEST(PortCredits, CreditsBoundWhatTheTransmitterSends) {
  CreditPair l(3 * kFrameBlocks);
  l.b.consume = false;  // b's buffer never drains
  for (int i = 0; i < 10; ++i) l.a.queue(kFrame);
  l.pa.kick();
  l.sim.run();
  // Exactly the three frames the credits cover, and not one block beyond them.
  EXPECT_EQ(l.b.rx_data.size(), 3U);
  EXPECT_EQ(l.pa.credits_available(3), 0);
  EXPECT_EQ(l.pa.counters().credit_overruns, 0);
  EXPECT_EQ(l.a.out.size(), 7U);
  // Starved since the third frame ended (the fourth found no credits), never fed.
  EXPECT_EQ(l.pa.starved_time(3, Time::us(100)), Time::us(100) - kFrameTime * 3);
  EXPECT_EQ(l.pa.starved_time(0, Time::us(100)), Time::zero());
}

TEST(PortCredits, FrameResumesWhenTheCreditFrameLands) {
  // One frame of credit, returned as soon as it arrives: frame k+1 starts when frame
  // k's credit lands, one loop later: 83.56 ns + 1 us + 1.68 ns (the credit frame)
  // + 1 us = 2085.24 ns.
  CreditPair l(kFrameBlocks);
  for (int i = 0; i < 4; ++i) l.a.queue(kFrame);
  l.pa.kick();
  l.sim.run();
  const Time loop = kFrameTime + kDelay + kCreditTime + kDelay;
  EXPECT_EQ(loop, Time::ps(2'085'240));
  ASSERT_EQ(l.a.tx_start.size(), 4U);
  for (size_t i = 0; i < 4; ++i) EXPECT_EQ(l.a.tx_start[i], loop * static_cast<int64_t>(i)) << i;
  ASSERT_EQ(l.a.rx_credit.size(), 4U);
  EXPECT_EQ(l.a.rx_credit[0], loop);
  EXPECT_EQ(l.pb.counters().credit_tx, 4);
  EXPECT_EQ(l.pa.counters().credit_rx, 4);
  // Waiting for credits is starvation: three waits of loop - frame time each.
  EXPECT_EQ(l.pa.starved_time(3, l.sim.now()), (loop - kFrameTime) * 3);
  // The credit frame's limit is absolute (IB's FCCL): all credits are back.
  EXPECT_EQ(l.pa.credits_available(3), kFrameBlocks);
}

TEST(PortCredits, StarvedUntilTheReceiverFreesItsBuffer) {
  CreditPair l(kFrameBlocks);
  l.b.consume = false;
  l.a.queue(kFrame);
  l.a.queue(kFrame);
  l.pa.kick();
  At release(l.sim, Time::us(10), [&] { l.b.release_held(); });
  l.sim.run();
  ASSERT_EQ(l.a.tx_start.size(), 2U);
  // The credit leaves b at 10 us and lands 1.68 ns + 1 us later; the lane was starved
  // from the end of the first frame.
  const Time landed = Time::us(10) + kCreditTime + kDelay;
  EXPECT_EQ(l.a.tx_start[1], landed);
  EXPECT_EQ(l.pa.starved_time(3, l.sim.now()), landed - kFrameTime);
}

TEST(PortCredits, BatchedUpdatesWaitForTheThresholdOrTheInterval) {
  // Updates every two frames' worth of blocks, or 1 us after the first freed block.
  CreditPair l(8 * kFrameBlocks, 2 * kFrameBlocks, Time::us(1));
  l.a.queue(1000);  // 16 blocks: below the threshold, returned by the interval timer
  l.pa.kick();
  l.sim.run();
  ASSERT_EQ(l.b.rx_data.size(), 1U);
  ASSERT_EQ(l.a.rx_credit.size(), 1U);
  EXPECT_EQ(l.a.rx_credit[0], l.b.rx_data[0] + Time::us(1) + kCreditTime + kDelay);
  EXPECT_EQ(l.pa.credits_available(3), 8 * kFrameBlocks);

  // Two full frames reach the threshold with the second: one update, sent at once.
  CreditPair m(8 * kFrameBlocks, 2 * kFrameBlocks, Time::us(1));
  m.a.queue(kFrame);
  m.a.queue(kFrame);
  m.pa.kick();
  m.sim.run();
  ASSERT_EQ(m.b.rx_data.size(), 2U);
  ASSERT_EQ(m.a.rx_credit.size(), 1U);
  EXPECT_EQ(m.a.rx_credit[0], m.b.rx_data[1] + kCreditTime + kDelay);
  EXPECT_EQ(m.pa.credits_available(3), 8 * kFrameBlocks);
}

TEST(PortCredits, AStarvedLaneHoldsBackNoOtherPriority) {
  CreditPair l(kFrameBlocks);
  l.b.consume = false;
  l.a.queue(kFrame, 3);
  l.a.queue(kFrame, 3);  // no credits for this one
  l.a.queue(kFrame, 0);  // lane 0 is not a credit lane
  l.pa.kick();
  l.sim.run();
  ASSERT_EQ(l.a.tx_prio.size(), 2U);
  EXPECT_EQ(l.a.tx_prio[0], 3);
  EXPECT_EQ(l.a.tx_prio[1], 0);
  EXPECT_EQ(l.a.tx_start[1], kFrameTime);
  EXPECT_EQ(l.a.out.size(), 1U);
}

}  // namespace
}  // namespace aifabric
