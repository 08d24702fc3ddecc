// INT at a switch egress: a data packet that carries a stack gets one hop whose values
// are the egress port's own (time of dequeue, cumulative tx bytes with this packet,
// bytes still queued behind it, link rate); packets without a stack, ACKs, and switches
// that were not asked for INT stamp nothing.
#include "aifabric/fabric/switch/int_stamper.h"

#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "aifabric/fabric/switch/switch.h"
#include "aifabric/lb/ecmp/ecmp.h"

namespace aifabric {
namespace {

// The far end of a link: keeps each frame's INT stack and arrival time.
struct Sink final : Node {
  PacketPool& pool;
  struct Rx {
    PacketType type;
    bool had_stack;
    IntStack stack;
  };
  std::vector<Rx> rx;
  explicit Sink(PacketPool& p) : pool(p) {}
  void receive(Packet* p, uint16_t /*port*/) override {
    Rx r{p->type, p->int_slot != 0, {}};
    if (p->int_slot != 0) r.stack = pool.telemetry().at(p->int_slot);
    rx.push_back(r);
    pool.release(p);
  }
  Packet* next_to_send(uint16_t /*port*/, Time /*now*/, Time& /*retry_at*/) override {
    return nullptr;
  }
  bool backlogged(uint16_t /*port*/) const override { return false; }
};

constexpr uint32_t kWire = 4178;

struct Rig {
  Simulator sim{1};
  PacketPool pool;
  Sink in{pool}, out{pool};
  SwitchConfig cfg;
  std::unique_ptr<Switch> sw;
  LinkParams link{BitRate::gbps(400), Time::us(1), 0};
  explicit Rig(bool with_int) {
    sw = std::make_unique<Switch>(sim, pool, 0, "s", cfg, std::make_unique<Ecmp>(1), kWire);
    sw->add_port(link).connect(&in, 0);   // host 0
    sw->add_port(link).connect(&out, 0);  // host 1
    sw->finalize();
    auto attach = std::make_shared<const std::vector<uint32_t>>(std::vector<uint32_t>{0, 0});
    sw->table().init(attach, 1, 0);
    sw->table().set_local(0, 0);
    sw->table().set_local(1, 1);
    sw->table().finish();
    if (with_int) sw->enable_int();
  }
  // Host 0 hands the switch a frame for host 1.
  void send(PacketType type, bool stack) {
    Packet* p = pool.acquire();
    p->type = type;
    p->src = 0;
    p->dst = 1;
    p->priority = 3;
    p->wire = type == PacketType::kData ? kWire : kAckWireBytes;
    p->payload = type == PacketType::kData ? kWire - kRoceHeaderBytes - kL1OverheadBytes : 0;
    if (stack) p->int_slot = pool.telemetry().acquire();
    sw->receive(p, 0);
  }
};

TEST(IntStamper, EachDataFrameGetsItsEgressPortsQueueTxCounterTimeAndRate) {
  Rig r(true);
  // Four data frames arrive together; the first leaves at once, the others queue.
  for (int i = 0; i < 4; ++i) r.send(PacketType::kData, true);
  r.sim.run();
  ASSERT_EQ(r.out.rx.size(), 4U);
  const Time ser = r.link.rate.transmit_time(kWire);
  for (int k = 0; k < 4; ++k) {
    SCOPED_TRACE(k);
    const auto& rx = r.out.rx[k];
    ASSERT_TRUE(rx.had_stack);
    ASSERT_EQ(rx.stack.hops, 1);
    const IntHop& h = rx.stack.hop[0];
    EXPECT_EQ(h.ts, ser * k);                         // dequeued when the previous one ended
    EXPECT_EQ(h.tx_bytes, int64_t{kWire} * (k + 1));  // this frame included
    // Behind frame 0 nothing yet (it left on arrival, before the others came in);
    // behind frame k >= 1, the 3 - k frames still waiting.
    EXPECT_EQ(h.qlen, k == 0 ? 0 : int64_t{kWire} * (3 - k));
    EXPECT_EQ(h.rate_bps, 400'000'000'000);
  }
  EXPECT_EQ(r.pool.telemetry().live(), 0U) << "stacks are freed with their packets";
  EXPECT_EQ(r.pool.live(), 0U);
}

TEST(IntStamper, NoStackNoAckAndNoStamperMeanNoHops) {
  Rig r(true);
  r.send(PacketType::kData, false);
  r.send(PacketType::kAck, true);  // ACKs bring a stack back; they collect nothing
  r.sim.run();
  ASSERT_EQ(r.out.rx.size(), 2U);
  EXPECT_FALSE(r.out.rx[0].had_stack);
  ASSERT_TRUE(r.out.rx[1].had_stack);
  EXPECT_EQ(r.out.rx[1].stack.hops, 0);

  Rig plain(false);
  plain.send(PacketType::kData, true);
  plain.sim.run();
  ASSERT_EQ(plain.out.rx.size(), 1U);
  EXPECT_EQ(plain.out.rx[0].stack.hops, 0);
}

TEST(IntStamper, PacketsKeepTheirSizeAndStacksOverflowPastTheirHops) {
  // The INT slot sits in padding: the per-hop packet stays 96 bytes.
  EXPECT_EQ(sizeof(Packet), 96U);
  IntStack s;
  for (int i = 0; i < kMaxIntHops; ++i) s.push(IntHop{Time::ns(i), i, i, 1});
  EXPECT_FALSE(s.overflow);
  s.push(IntHop{});
  EXPECT_TRUE(s.overflow);
  EXPECT_EQ(s.hops, kMaxIntHops);
}

}  // namespace
}  // namespace aifabric
