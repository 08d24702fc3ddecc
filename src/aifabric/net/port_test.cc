// Port between two test nodes: serialization time = wire bytes x 8 / rate, arrival =
// end of serialization + delay, one frame at a time and in order, waking at retry_at,
// PFC pause state and paused-time accounting, and a link that corrupts every frame.
#include "aifabric/net/port.h"

#include <gtest/gtest.h>

#include <cmath>
#include <deque>
#include <functional>
#include <vector>

namespace aifabric {
namespace {

// A device with one port: sends the frames it is given (none before `hold_until`) and
// records every frame it receives, with its arrival time.
struct TestNode final : Node {
  struct Rx {
    Packet p;
    Time at;
  };
  Simulator& sim;
  PacketPool& pool;
  std::deque<Packet*> out;
  Time hold_until = Time::zero();
  std::vector<Time> tx_start;  // when each frame was handed to the port
  std::vector<Rx> rx;

  TestNode(Simulator& s, PacketPool& p) : sim(s), pool(p) {}
  void receive(Packet* p, uint16_t /*port*/) override {
    rx.push_back({*p, sim.now()});
    pool.release(p);
  }
  Packet* next_to_send(uint16_t /*port*/, Time now, Time& retry_at) override {
    if (out.empty()) return nullptr;
    if (now < hold_until) {
      retry_at = std::min(retry_at, hold_until);
      return nullptr;
    }
    tx_start.push_back(now);
    Packet* p = out.front();
    out.pop_front();
    return p;
  }
  bool backlogged(uint16_t /*port*/) const override { return !out.empty(); }
  void queue(uint32_t wire, uint32_t seq, PacketType type = PacketType::kData) {
    Packet* p = pool.acquire();
    p->type = type;
    p->wire = wire;
    p->payload = type == PacketType::kData ? wire - kRoceHeaderBytes - kL1OverheadBytes : 0;
    p->psn = seq;
    out.push_back(p);
  }
};

// Runs callbacks at given simulated times.
struct Script final : EventHandler {
  Simulator& sim;
  std::vector<std::function<void()>> fns;
  explicit Script(Simulator& s) : sim(s) {}
  void at(Time t, std::function<void()> f) {
    fns.push_back(std::move(f));
    sim.schedule_at(t, EventPriority::kApplication, this, 0, fns.size() - 1);
  }
  void handle_event(uint32_t /*kind*/, uint64_t arg) override { fns[arg](); }
};

struct Link {
  Simulator sim;
  PacketPool pool;
  TestNode a{sim, pool}, b{sim, pool};
  Port port;
  explicit Link(LinkParams l) : port(sim, pool, a, 0, l, 99) { port.connect(&b, 0); }
};

// Exact serialization time when the rate divides bytes x 8 x 1e12 picoseconds.
Time exact_ser(int64_t bytes, int64_t bps) {
  const int64_t bit_ps = bytes * 8 * 1'000'000'000'000LL;
  EXPECT_EQ(bit_ps % bps, 0) << "not exact at this rate";
  return Time::ps(bit_ps / bps);
}

TEST(Port, SerializationPlusDelayExactToThePicosecond) {
  // 4178 bytes at 400 Gbps: 33424 bits / 4e11 b/s = 83.56 ns; then 1 us of cable.
  Link l(LinkParams{BitRate::gbps(400), Time::us(1), 0});
  l.a.queue(4178, 0);
  l.port.kick();
  l.sim.run();
  ASSERT_EQ(l.b.rx.size(), 1U);
  EXPECT_EQ(exact_ser(4178, 400'000'000'000LL), Time::ps(83'560));
  EXPECT_EQ(l.b.rx[0].at, Time::ps(83'560) + Time::us(1));
  // 1500 bytes at 100 Gbps: 12000 bits / 1e11 = 120 ns, plus 250 ns of cable.
  Link m(LinkParams{BitRate::gbps(100), Time::ns(250), 0});
  m.a.queue(1500, 0);
  m.port.kick();
  m.sim.run();
  ASSERT_EQ(m.b.rx.size(), 1U);
  EXPECT_EQ(m.b.rx[0].at, exact_ser(1500, 100'000'000'000LL) + Time::ns(250));
  EXPECT_EQ(m.b.rx[0].at, Time::ns(370));
}

TEST(Port, OneFrameAtATimeInOrder) {
  // Frames queued together leave back to back: frame i starts when frame i-1 ends and
  // arrives delay later, in the order sent. A kick while busy starts nothing new.
  const int64_t bps = 400'000'000'000LL;
  Link l(LinkParams{BitRate::gbps(400), Time::ns(700), 0});
  const std::vector<uint32_t> sizes{4178, 86, 1500, 98, 4178, 600, 4178};
  for (uint32_t i = 0; i < sizes.size(); ++i) l.a.queue(sizes[i], i);
  Script s(l.sim);
  s.at(Time::ns(20), [&] { l.port.kick(); });  // mid-frame
  l.port.kick();
  l.sim.run();
  ASSERT_EQ(l.b.rx.size(), sizes.size());
  Time end;
  int64_t bytes = 0;
  for (size_t i = 0; i < sizes.size(); ++i) {
    EXPECT_EQ(l.a.tx_start[i], end) << i;
    end += exact_ser(sizes[i], bps);
    bytes += sizes[i];
    EXPECT_EQ(l.b.rx[i].p.psn, i);
    EXPECT_EQ(l.b.rx[i].at, end + Time::ns(700)) << i;
  }
  const PortCounters& c = l.port.counters();
  EXPECT_EQ(c.tx_bytes, bytes);
  EXPECT_EQ(c.tx_packets, static_cast<int64_t>(sizes.size()));
  EXPECT_EQ(c.deliveries, static_cast<int64_t>(sizes.size()));
  EXPECT_EQ(l.pool.live(), 0U);
}

TEST(Port, RateThatDoesNotDivideRoundsEachFrameToTheNearestPicosecond) {
  // 300 Gbps: 4178 bytes take 33424 / 3e11 s = 111413.33 ps; each frame is within half
  // a picosecond of the exact time, so the n-th arrival is within n / 2 ps.
  Link l(LinkParams{BitRate::gbps(300), Time::zero(), 0});
  const int n = 30;
  for (int i = 0; i < n; ++i) l.a.queue(4178, static_cast<uint32_t>(i));
  l.port.kick();
  l.sim.run();
  ASSERT_EQ(l.b.rx.size(), static_cast<size_t>(n));
  const double ser_ps = 4178.0 * 8 / 300e9 * 1e12;
  Time prev;
  for (int i = 0; i < n; ++i) {
    const double frame = static_cast<double>((l.b.rx[i].at - prev).ps());
    EXPECT_LE(std::fabs(frame - ser_ps), 0.5) << i;
    EXPECT_LE(std::fabs(static_cast<double>(l.b.rx[i].at.ps()) - (i + 1) * ser_ps), 0.5 * (i + 1));
    prev = l.b.rx[i].at;
  }
}

TEST(Port, WakesAtRetryAtWhenTheNodeHasNothingEligible) {
  // The node holds its frame until 5 us and says so through retry_at: the port wakes
  // exactly then, without another kick.
  Link l(LinkParams{BitRate::gbps(400), Time::us(1), 0});
  l.a.hold_until = Time::us(5);
  l.a.queue(4178, 0);
  l.port.kick();
  l.sim.run();
  ASSERT_EQ(l.a.tx_start.size(), 1U);
  EXPECT_EQ(l.a.tx_start[0], Time::us(5));
  ASSERT_EQ(l.b.rx.size(), 1U);
  EXPECT_EQ(l.b.rx[0].at, Time::us(6) + Time::ps(83'560));
}

TEST(Port, PauseFramesSetPauseStateForQuantaTimes512BitTimes) {
  // A quantum is 512 bit times: 1.28 ns at 400 Gbps, 5.12 ns at 100 Gbps.
  Link l(LinkParams{BitRate::gbps(400), Time::us(1), 0});
  const Time quantum = Time::ps(512 * 1'000'000'000'000LL / 400'000'000'000LL);
  ASSERT_EQ(quantum, Time::ps(1280));
  EXPECT_EQ(l.port.pause_quanta_time(1000), quantum * 1000);
  Link slow(LinkParams{BitRate::gbps(100), Time::us(1), 0});
  EXPECT_EQ(slow.port.pause_quanta_time(1000), Time::ps(5120) * 1000);

  Port& p = l.port;
  Script s(l.sim);
  const Time t0 = Time::ns(10), t_resume = Time::ns(500);
  s.at(t0, [&] {
    EXPECT_FALSE(p.on_pause_frame(3, 1000));
    EXPECT_TRUE(p.paused(3, t0));
    EXPECT_FALSE(p.paused(2, t0));
    EXPECT_EQ(p.pause_until(3), t0 + quantum * 1000);
    EXPECT_TRUE(p.paused(3, t0 + quantum * 1000 - Time::ps(1)));
    EXPECT_FALSE(p.paused(3, t0 + quantum * 1000));  // paused means until > now
  });
  s.at(Time::ns(200), [&] { EXPECT_EQ(p.paused_time(3, Time::ns(200)), Time::ns(190)); });
  // Quanta 0 resumes at once (and says so).
  s.at(t_resume, [&] {
    EXPECT_TRUE(p.on_pause_frame(3, 0));
    EXPECT_FALSE(p.paused(3, t_resume));
    EXPECT_EQ(p.pause_until(3), t_resume);
  });
  // Paused time so far: 490 ns, and it does not grow while running.
  const Time first = t_resume - t0;
  s.at(Time::us(1), [&] { EXPECT_EQ(p.paused_time(3, Time::us(1)), first); });
  // A second episode of 100 quanta (128 ns) that simply expires, and a third that a
  // refresh 100 ns in extends to 100 ns + 128 ns.
  s.at(Time::us(2), [&] { p.on_pause_frame(3, 100); });
  s.at(Time::us(2) + Time::ns(64),
       [&] { EXPECT_EQ(p.paused_time(3, Time::us(2) + Time::ns(64)), first + Time::ns(64)); });
  s.at(Time::us(4), [&] { p.on_pause_frame(3, 100); });
  s.at(Time::us(4) + Time::ns(100), [&] {
    EXPECT_TRUE(p.paused(3, Time::us(4) + Time::ns(100)));
    p.on_pause_frame(3, 100);
    EXPECT_EQ(p.pause_until(3), Time::us(4) + Time::ns(100) + quantum * 100);
  });
  l.sim.run();
  const Time total = first + quantum * 100 + Time::ns(100) + quantum * 100;
  EXPECT_EQ(p.paused_time(3, Time::us(10)), total);
  EXPECT_EQ(p.paused_time(2, Time::us(10)), Time::zero());
  EXPECT_EQ(p.counters().pause_rx, 5);
}

TEST(Port, PauseFramesOnTheWireCountAsPauseNotPackets) {
  Link l(LinkParams{BitRate::gbps(400), Time::us(1), 0});
  l.a.queue(kPauseWireBytes, 0, PacketType::kPause);
  l.a.queue(4178, 1);
  l.port.kick();
  l.sim.run();
  ASSERT_EQ(l.b.rx.size(), 2U);
  EXPECT_EQ(l.b.rx[0].p.type, PacketType::kPause);
  const PortCounters& c = l.port.counters();
  EXPECT_EQ(c.pause_tx, 1);
  EXPECT_EQ(c.tx_packets, 1);
  EXPECT_EQ(c.tx_data_packets, 1);
  EXPECT_EQ(c.deliveries, 1);
  EXPECT_EQ(c.tx_bytes, kPauseWireBytes + 4178);
  EXPECT_EQ(c.tx_payload_bytes, 4096);
}

TEST(Port, LossRateOneDropsEveryFrame) {
  Link l(LinkParams{BitRate::gbps(400), Time::us(1), 1.0});
  const int n = 50;
  for (int i = 0; i < n; ++i) l.a.queue(4178, static_cast<uint32_t>(i));
  l.port.kick();
  l.sim.run();
  EXPECT_TRUE(l.b.rx.empty());
  const PortCounters& c = l.port.counters();
  EXPECT_EQ(c.tx_packets, n);  // serialized, then corrupted on the cable
  EXPECT_EQ(c.link_drops, n);
  EXPECT_EQ(c.link_drop_payload, int64_t{n} * 4096);
  EXPECT_EQ(c.deliveries, 0);
  EXPECT_EQ(l.pool.live(), 0U);  // the dropped frames went back to the pool
  EXPECT_EQ(l.port.in_flight_payload(), 0);
}

}  // namespace
}  // namespace aifabric
