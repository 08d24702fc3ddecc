// SharedBuffer on hand-built packets: the dynamic and static XOFF thresholds, headroom
// after XOFF (one kAdmittedXoff per crossing, kDropHeadroom when full), XON on release,
// lossy admission by egress_alpha, the automatic headroom size and the buffer invariant;
// CBFC lanes bounded by their credits and reserved out of the shared pool.
#include "aifabric/fabric/switch/shared_buffer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <vector>

#include "aifabric/core/random.h"

namespace aifabric {
namespace {

constexpr int64_t kMaxFrame = 4096 + 62 + 20;  // MTU payload + RoCEv2 headers + preamble/IFG

Packet pkt(uint8_t prio, uint32_t wire, uint16_t in_port = 0) {
  Packet p;
  p.type = PacketType::kData;
  p.priority = prio;
  p.wire = wire;
  p.payload = wire;
  p.in_port = in_port;
  return p;
}

// A 1 MB buffer, lossless priority 3, 20 kB of headroom per (port, lossless priority),
// two ports: the shared pool is 1e6 - 2 x 20000 = 960000 bytes.
struct Mmu {
  SwitchConfig cfg;
  std::unique_ptr<SharedBuffer> buf;
  static constexpr int64_t kBuffer = 1'000'000;
  static constexpr int64_t kHeadroom = 20'000;
  static constexpr int64_t kShared = kBuffer - 2 * kHeadroom;
  explicit Mmu(double xoff_alpha = 0.125) {
    cfg.buffer = Bytes(kBuffer);
    cfg.pfc.enabled = true;
    cfg.pfc.priorities = {3};
    cfg.pfc.xoff_alpha = xoff_alpha;
    cfg.pfc.headroom = Bytes(kHeadroom);
    build(2);
  }
  void build(int ports) {
    buf = std::make_unique<SharedBuffer>(cfg, kMaxFrame);
    for (int i = 0; i < ports; ++i) buf->add_port(LinkParams{}, Time::us(10));
    buf->finalize();
  }
};

TEST(SharedBuffer, DynamicThresholdIsAlphaTimesFreeSharedBuffer) {
  Mmu m(0.125);
  EXPECT_EQ(m.buf->xoff_threshold(), Mmu::kShared / 8);  // 0.125 x 960000 = 120000
  // A lossy packet takes 1000 bytes of the shared pool: the threshold follows the free
  // space, 0.125 x 959000 = 119875.
  EXPECT_EQ(m.buf->admit(pkt(0, 1000), 0, 0), SharedBuffer::Verdict::kAdmitted);
  EXPECT_EQ(m.buf->xoff_threshold(), 119'875);
  // A lossless packet in the shared pool counts the same way: 0.125 x 958000.
  EXPECT_EQ(m.buf->admit(pkt(3, 1000), 1, 0), SharedBuffer::Verdict::kAdmitted);
  EXPECT_EQ(m.buf->xoff_threshold(), 119'750);
  EXPECT_FALSE(m.buf->release(pkt(0, 1000)));
  EXPECT_EQ(m.buf->xoff_threshold(), 119'875);
}

TEST(SharedBuffer, StaticThresholdWhenAlphaIsZero) {
  Mmu m(0.0);
  m.cfg.pfc.xoff = Bytes(10'000);
  EXPECT_EQ(m.buf->xoff_threshold(), 10'000);
  // Usage does not move it.
  for (int i = 0; i < 5; ++i) (void)m.buf->admit(pkt(0, 1000), 0, 0);
  EXPECT_EQ(m.buf->xoff_threshold(), 10'000);
  // Ten 1000-byte lossless packets fit under 10000; the eleventh crosses into headroom.
  for (int i = 0; i < 10; ++i) {
    EXPECT_EQ(m.buf->admit(pkt(3, 1000), 0, 0), SharedBuffer::Verdict::kAdmitted) << i;
  }
  EXPECT_FALSE(m.buf->xoff(0, 3));
  EXPECT_EQ(m.buf->admit(pkt(3, 1000), 0, 0), SharedBuffer::Verdict::kAdmittedXoff);
  EXPECT_TRUE(m.buf->xoff(0, 3));
}

TEST(SharedBuffer, XoffOncePerCrossingThenHeadroomThenDrop) {
  // One ingress (port 0, priority 3) receiving W-byte packets, nothing else in the
  // buffer: packet n (1-based) stays in the shared pool while
  //   n W <= a (S - (n - 1) W)   <=>   n <= a (S + W) / (W (1 + a)),
  // with a = 1/8, S = 960000, W = 1000: n <= 120125 / 1125 = 106.8, so 106 packets.
  Mmu m(0.125);
  const int64_t w = 1000;
  const double a = 0.125;
  const auto in_shared = static_cast<int>(a * static_cast<double>(Mmu::kShared + w) /
                                          (static_cast<double>(w) * (1 + a)));
  ASSERT_EQ(in_shared, 106);
  const int in_headroom = static_cast<int>(Mmu::kHeadroom / w);  // 20
  int xoffs = 0, admitted = 0, dropped = 0;
  for (int i = 0; i < in_shared + in_headroom + 5; ++i) {
    const auto v = m.buf->admit(pkt(3, static_cast<uint32_t>(w)), 0, 0);
    if (i < in_shared) {
      EXPECT_EQ(v, SharedBuffer::Verdict::kAdmitted) << i;
      EXPECT_FALSE(m.buf->xoff(0, 3)) << i;
    } else if (i == in_shared) {
      EXPECT_EQ(v, SharedBuffer::Verdict::kAdmittedXoff) << i;
    } else if (i < in_shared + in_headroom) {
      EXPECT_EQ(v, SharedBuffer::Verdict::kAdmitted) << i;  // headroom, XOFF already sent
    } else {
      EXPECT_EQ(v, SharedBuffer::Verdict::kDropHeadroom) << i;
    }
    xoffs += v == SharedBuffer::Verdict::kAdmittedXoff;
    admitted += v == SharedBuffer::Verdict::kAdmitted || v == SharedBuffer::Verdict::kAdmittedXoff;
    dropped += v == SharedBuffer::Verdict::kDropHeadroom;
  }
  EXPECT_EQ(xoffs, 1);
  EXPECT_EQ(admitted, in_shared + in_headroom);
  EXPECT_EQ(dropped, 5);
  EXPECT_TRUE(m.buf->xoff(0, 3));
  // The other port's accounting is its own: it is not paused and still admits.
  EXPECT_FALSE(m.buf->xoff(1, 3));
  EXPECT_EQ(m.buf->admit(pkt(3, 1000, 1), 1, 0), SharedBuffer::Verdict::kAdmitted);
  EXPECT_EQ(m.buf->max_ingress_bytes(), (in_shared + in_headroom) * w);
}

TEST(SharedBuffer, ReleaseDrainsHeadroomFirstAndXonOnceBelowThresholdMinusOffset) {
  // Fill as above: 106 packets (106000 bytes) shared, 20 (20000 bytes) in headroom.
  Mmu m(0.125);
  const int64_t w = 1000;
  int sent = 0;
  while (m.buf->admit(pkt(3, 1000), 0, 0) != SharedBuffer::Verdict::kDropHeadroom) ++sent;
  ASSERT_EQ(sent, 126);
  const int64_t shared = 106'000;
  // Departures leave the headroom first: for the first 20 releases the shared pool,
  // and with it the dynamic threshold, does not move, and there is no XON.
  const int64_t threshold_full = m.buf->xoff_threshold();
  EXPECT_EQ(threshold_full, (Mmu::kShared - shared) / 8);  // 106750
  for (int i = 0; i < 20; ++i) {
    EXPECT_FALSE(m.buf->release(pkt(3, 1000))) << i;
    EXPECT_EQ(m.buf->xoff_threshold(), threshold_full) << i;
  }
  // Then shared bytes leave: after k more releases shared = 106000 - 1000 k and the
  // threshold is (S - shared) / 8 = 106750 + 125 k. XON once
  //   106000 - 1000 k <= 106750 + 125 k - xon_offset   <=>   k >= (xon_offset - 750) / 1125,
  // xon_offset = 8356 (two 4178-byte frames): k >= 6.76, so the 7th shared release.
  const int64_t xon_offset = m.cfg.pfc.xon_offset.count();
  ASSERT_EQ(xon_offset, 8356);
  const auto k_xon = static_cast<int>((xon_offset - 750 + 1124) / 1125);  // ceil
  ASSERT_EQ(k_xon, 7);
  for (int k = 1; k <= k_xon; ++k) {
    const bool xon = m.buf->release(pkt(3, 1000));
    EXPECT_EQ(m.buf->xoff_threshold(), (Mmu::kShared - (shared - k * w)) / 8) << k;
    EXPECT_EQ(xon, k == k_xon) << k;
  }
  EXPECT_FALSE(m.buf->xoff(0, 3));
  // No second XON for the same crossing.
  EXPECT_FALSE(m.buf->release(pkt(3, 1000)));
  // A new crossing gives a new kAdmittedXoff.
  int xoffs = 0;
  for (int i = 0; i < 40; ++i) {
    xoffs += m.buf->admit(pkt(3, 1000), 0, 0) == SharedBuffer::Verdict::kAdmittedXoff;
  }
  EXPECT_EQ(xoffs, 1);
}

TEST(SharedBuffer, NoXonWhileHeadroomHoldsBytes) {
  // Static threshold 10000, xon_offset 0: after the crossing the eleventh packet sits in
  // headroom. Releasing one packet empties the headroom (departures take it first), and
  // shared = 10000 <= threshold - 0: XON on exactly that release.
  Mmu m(0.0);
  m.cfg.pfc.xoff = Bytes(10'000);
  m.cfg.pfc.xon_offset = Bytes(0);
  for (int i = 0; i < 10; ++i) (void)m.buf->admit(pkt(3, 1000), 0, 0);
  ASSERT_EQ(m.buf->admit(pkt(3, 1000), 0, 0), SharedBuffer::Verdict::kAdmittedXoff);
  ASSERT_EQ(m.buf->admit(pkt(3, 1000), 0, 0), SharedBuffer::Verdict::kAdmitted);  // headroom
  EXPECT_FALSE(m.buf->release(pkt(3, 1000)));  // headroom 1000 left
  EXPECT_TRUE(m.buf->release(pkt(3, 1000)));   // headroom empty, shared 10000 <= 10000
}

TEST(SharedBuffer, LossyAdmissionByEgressAlphaTimesFree) {
  Mmu m;
  m.cfg.egress_alpha = 0.5;
  // Free shared buffer 960000: a lossy queue may hold up to 0.5 x 960000 = 480000
  // bytes including the arriving packet.
  EXPECT_EQ(m.buf->admit(pkt(0, 1000), 0, 479'000), SharedBuffer::Verdict::kAdmitted);
  // Now free = 959000, limit 479500.
  EXPECT_EQ(m.buf->admit(pkt(0, 1000), 0, 478'500), SharedBuffer::Verdict::kAdmitted);
  EXPECT_EQ(m.buf->admit(pkt(0, 1000), 0, 478'001), SharedBuffer::Verdict::kDropBuffer);
  // Free = 958000, limit 479000: the lossless class of another priority is untouched.
  EXPECT_EQ(m.buf->admit(pkt(0, 1000), 0, 478'000), SharedBuffer::Verdict::kAdmitted);
  EXPECT_FALSE(m.buf->lossless(0));
  EXPECT_TRUE(m.buf->lossless(3));
  // PFC off: priority 3 is lossy too.
  Mmu off;
  off.cfg.pfc.enabled = false;
  off.build(2);
  EXPECT_FALSE(off.buf->lossless(3));
  // No headroom reserved: free = the whole 1e6 buffer, limit 1e6 at egress_alpha 1.
  EXPECT_EQ(off.buf->admit(pkt(3, 1000), 0, 999'000), SharedBuffer::Verdict::kAdmitted);
  EXPECT_EQ(off.buf->admit(pkt(3, 1000), 0, 998'001), SharedBuffer::Verdict::kDropBuffer);
}

TEST(SharedBuffer, AutomaticHeadroomFromTheLink) {
  // Headroom 0 = sized per port: what arrives after XOFF is sent is the cable's round
  // trip at line rate (2 x rate x delay), plus three maximum frames (one the upstream
  // started, one ahead of our pause frame, one of slack) and two pause frames (the
  // 64-byte MAC control frame + 8 preamble/SFD + 12 inter-frame gap).
  SwitchConfig cfg;
  cfg.buffer = Bytes::mib(32);
  cfg.pfc.priorities = {3, 4};
  cfg.pfc.headroom = Bytes(0);
  SharedBuffer buf(cfg, kMaxFrame);
  const LinkParams fast{BitRate::gbps(400), Time::us(1), 0};
  const LinkParams slow{BitRate::gbps(100), Time::ns(1500), 0};
  buf.add_port(fast, Time::us(100));
  buf.add_port(slow, Time::us(400));
  buf.finalize();
  const int64_t pause_frame = 64 + 8 + 12;
  // 400e9 b/s x 1e-6 s / 8 = 50000 bytes one way; 100e9 x 1.5e-6 / 8 = 18750.
  const int64_t fast_bdp = 400'000'000'000LL / 1'000'000 / 8;
  const int64_t slow_bdp = 100'000'000'000LL * 15 / 10'000'000 / 8;
  ASSERT_EQ(fast_bdp, 50'000);
  ASSERT_EQ(slow_bdp, 18'750);
  const int64_t fast_h = 2 * fast_bdp + 3 * kMaxFrame + 2 * pause_frame;  // 112702
  const int64_t slow_h = 2 * slow_bdp + 3 * kMaxFrame + 2 * pause_frame;  // 50202
  EXPECT_EQ(buf.headroom_per_queue(0), fast_h);
  EXPECT_EQ(buf.headroom_per_queue(1), slow_h);
  // Both lossless priorities of both ports reserve it: the shared pool is what is left,
  // and the initial threshold is alpha x that.
  const int64_t shared = Bytes::mib(32).count() - 2 * (fast_h + slow_h);
  EXPECT_EQ(buf.xoff_threshold(),
            static_cast<int64_t>(cfg.pfc.xoff_alpha * static_cast<double>(shared)));
  // The refresh interval is half the port's pause time unless configured.
  EXPECT_EQ(buf.refresh_interval(0), Time::us(50));
  EXPECT_EQ(buf.refresh_interval(1), Time::us(200));
  cfg.pfc.refresh = Time::us(7);
  SharedBuffer fixed(cfg, kMaxFrame);
  fixed.add_port(fast, Time::us(100));
  fixed.finalize();
  EXPECT_EQ(fixed.refresh_interval(0), Time::us(7));
}

// Random arrivals on 4 ports x 8 priorities with random departures, for a mix of
// lossless and lossy priorities, all lossy (PFC off) and all lossless: the bytes
// admitted minus the bytes released never exceed the buffer, and the high-water mark
// the buffer reports agrees with what the test counted.
struct Pressure {
  int64_t high = 0, drops = 0;
};
Pressure random_traffic(const SwitchConfig& cfg, uint64_t seed) {
  SharedBuffer buf(cfg, kMaxFrame);
  for (int i = 0; i < 4; ++i) buf.add_port(LinkParams{}, Time::us(100));
  buf.finalize();
  RandomStream rng(seed);
  std::vector<Packet> held;
  std::vector<int64_t> queue(kNumPriorities, 0);  // one egress port: per-priority depth
  int64_t in_buffer = 0;
  Pressure out;
  for (int step = 0; step < 100'000; ++step) {
    if (held.empty() || rng.uniform() < 0.55) {
      const auto prio = static_cast<uint8_t>(rng.below(kNumPriorities));
      const auto wire = static_cast<uint32_t>(84 + rng.below(kMaxFrame - 84 + 1));
      const auto in = static_cast<uint16_t>(rng.below(4));
      const Packet p = pkt(prio, wire, in);
      const auto v = buf.admit(p, in, queue[prio]);
      if (v == SharedBuffer::Verdict::kDropBuffer || v == SharedBuffer::Verdict::kDropHeadroom) {
        ++out.drops;
        continue;
      }
      held.push_back(p);
      queue[prio] += wire;
      in_buffer += wire;
    } else {
      const size_t i = rng.below(held.size());
      const Packet p = held[i];
      held[i] = held.back();
      held.pop_back();
      (void)buf.release(p);
      queue[p.priority] -= p.wire;
      in_buffer -= p.wire;
    }
    out.high = std::max(out.high, in_buffer);
    EXPECT_LE(in_buffer, cfg.buffer.count()) << "step " << step;
    if (in_buffer > cfg.buffer.count()) break;
  }
  EXPECT_EQ(buf.max_buffer_used(), out.high);
  return out;
}

TEST(SharedBuffer, AdmittedMinusReleasedNeverExceedsTheBuffer) {
  SwitchConfig cfg;
  cfg.buffer = Bytes(400'000);
  cfg.pfc.priorities = {3, 4};
  cfg.pfc.headroom = Bytes(12'000);
  // The largest egress_alpha allowed: lossy queues may take nearly all of the free
  // buffer, so arrivals keep finding it almost full.
  cfg.egress_alpha = 64;
  for (int mode = 0; mode < 3; ++mode) {
    SCOPED_TRACE(mode == 0 ? "mixed" : mode == 1 ? "all lossy" : "all lossless");
    if (mode == 1) cfg.pfc.enabled = false;
    if (mode == 2) {
      cfg.pfc.enabled = true;
      cfg.pfc.priorities = {0, 1, 2, 3, 4, 5, 6, 7};
      cfg.pfc.headroom = Bytes(6'000);  // 4 x 8 x 6000 = 192000 reserved
      // A static XOFF of 20000 per class: 32 classes could hold 640000, three times the
      // 208000-byte shared pool, so the pool itself must refuse.
      cfg.pfc.xoff_alpha = 0;
      cfg.pfc.xoff = Bytes(20'000);
    }
    const Pressure p = random_traffic(cfg, 42 + static_cast<uint64_t>(mode));
    EXPECT_GT(p.drops, 0);                          // the buffer was really under pressure
    EXPECT_GT(p.high, cfg.buffer.count() * 3 / 4);  // and well filled at times
  }
}

// BUG (reported): finalize() reserves every port's headroom without checking that the
// reservations fit in the buffer. With 1 MiB and 16 ports of automatic headroom at
// 400 Gbps / 1 us (112702 bytes each, 1.8 MB in all) the shared pool is negative, the
// XOFF threshold is 0, and every lossless packet is admitted to headroom, well beyond
// the buffer: the header's invariant (bytes in all queues <= buffer) breaks. The
// correct behaviour is to refuse the configuration or never admit beyond the buffer.
TEST(SharedBuffer, DISABLED_HeadroomReservationsLargerThanTheBufferNeverOverfill) {
  SwitchConfig cfg;
  cfg.buffer = Bytes::mib(1);
  cfg.pfc.priorities = {3};
  cfg.pfc.headroom = Bytes(0);
  SharedBuffer buf(cfg, kMaxFrame);
  for (int i = 0; i < 16; ++i) buf.add_port(LinkParams{}, Time::us(100));
  buf.finalize();
  int64_t in_buffer = 0;
  for (uint16_t in = 0; in < 16; ++in) {
    for (int k = 0; k < 40; ++k) {
      const auto v = buf.admit(pkt(3, kMaxFrame, in), in, 0);
      if (v == SharedBuffer::Verdict::kAdmitted || v == SharedBuffer::Verdict::kAdmittedXoff) {
        in_buffer += kMaxFrame;
      }
    }
  }
  EXPECT_LE(in_buffer, cfg.buffer.count());
  EXPECT_LE(buf.max_buffer_used(), cfg.buffer.count());
}

// CBFC lanes: each ingress reserves its credits out of the buffer; a lane's frames are
// admitted while they fit its ingress's credits (the upstream transmitter spent credits
// on each), and one that does not fit is a model bug, refused as kDropCredit.
struct CreditMmu {
  SwitchConfig cfg;
  std::unique_ptr<SharedBuffer> buf;
  static constexpr int64_t kBuffer = 1'000'000;
  static constexpr int64_t kCredits = 10'048;  // 10,000 B rounded up to 157 blocks
  CreditMmu() {
    cfg.buffer = Bytes(kBuffer);
    cfg.egress_alpha = 64;
    cfg.pfc.enabled = false;
    cfg.cbfc.enabled = true;
    cfg.cbfc.priorities = {4};
    cfg.cbfc.credits = Bytes(10'000);
    buf = std::make_unique<SharedBuffer>(cfg, kMaxFrame);
    for (int i = 0; i < 2; ++i) buf->add_port(LinkParams{}, Time::us(10));
    buf->finalize();
  }
};

TEST(SharedBuffer, CreditLanesAreBoundedByTheirCredits) {
  CreditMmu m;
  EXPECT_TRUE(m.buf->credit_lane(4));
  EXPECT_FALSE(m.buf->lossless(4));
  EXPECT_EQ(m.buf->credits_per_lane(0), CreditMmu::kCredits);
  // Two frames fit one ingress's 10,048 B, a third (12,534 B) does not.
  const Packet f = pkt(4, kMaxFrame, 0);
  EXPECT_EQ(m.buf->admit(f, 0, 0), SharedBuffer::Verdict::kAdmitted);
  EXPECT_EQ(m.buf->admit(f, 0, 0), SharedBuffer::Verdict::kAdmitted);
  EXPECT_EQ(m.buf->admit(f, 0, 0), SharedBuffer::Verdict::kDropCredit);
  // The other ingress has credits of its own.
  EXPECT_EQ(m.buf->admit(pkt(4, kMaxFrame, 1), 1, 0), SharedBuffer::Verdict::kAdmitted);
  EXPECT_EQ(m.buf->max_ingress_bytes(), 2 * kMaxFrame);
  // A frame that leaves frees its ingress's room and owes its credits upstream.
  EXPECT_TRUE(m.buf->release(f));
  EXPECT_EQ(m.buf->admit(f, 0, 0), SharedBuffer::Verdict::kAdmitted);
}

TEST(SharedBuffer, CreditReservationsLeaveTheSharedPool) {
  CreditMmu m;
  // Lossy traffic gets the buffer minus 2 ports x 10,048 B of credits, not a byte more.
  const int64_t shared = CreditMmu::kBuffer - 2 * CreditMmu::kCredits;
  EXPECT_EQ(m.buf->admit(pkt(0, static_cast<uint32_t>(shared) + 1), 0, 0),
            SharedBuffer::Verdict::kDropBuffer);
  EXPECT_EQ(m.buf->admit(pkt(0, static_cast<uint32_t>(shared)), 0, 0),
            SharedBuffer::Verdict::kAdmitted);
  // Credit lanes still have their reservation with the shared pool full.
  EXPECT_EQ(m.buf->admit(pkt(4, kMaxFrame, 0), 0, 0), SharedBuffer::Verdict::kAdmitted);
  EXPECT_EQ(m.buf->max_buffer_used(), shared + kMaxFrame);
}

TEST(SharedBuffer, AutomaticCreditsCoverTheCreditLoop) {
  SwitchConfig cfg;
  cfg.cbfc.enabled = true;
  // 2 x rate x delay + 3 frames + the update batch (one frame) + a credit frame, in
  // whole 64-byte blocks. 400 Gb/s, 1 us: 2 x 50,000 + 4 x 4178 + 84 = 116,796 -> 116,800.
  EXPECT_EQ(
      SharedBuffer::credits_for(cfg, LinkParams{BitRate::gbps(400), Time::us(1), 0}, kMaxFrame),
      116'800);
  // 100 Gb/s, 1 us: 2 x 12,500 + 16,712 + 84 = 41,796 -> 41,856.
  EXPECT_EQ(
      SharedBuffer::credits_for(cfg, LinkParams{BitRate::gbps(100), Time::us(1), 0}, kMaxFrame),
      41'856);
  // A larger update batch needs that much more credit; explicit credits are rounded up
  // to whole blocks.
  cfg.cbfc.update = Bytes(16'384);
  EXPECT_EQ(
      SharedBuffer::credits_for(cfg, LinkParams{BitRate::gbps(100), Time::us(1), 0}, kMaxFrame),
      (25'000 + 3 * kMaxFrame + 16'384 + 84 + 63) / 64 * 64);
  cfg.cbfc.credits = Bytes(1000);
  EXPECT_EQ(SharedBuffer::credits_for(cfg, LinkParams{}, kMaxFrame), 1024);
  EXPECT_EQ(SharedBuffer::credit_lanes(cfg), 1);
  cfg.cbfc.enabled = false;
  EXPECT_EQ(SharedBuffer::credit_lanes(cfg), 0);
}

}  // namespace
}  // namespace aifabric
