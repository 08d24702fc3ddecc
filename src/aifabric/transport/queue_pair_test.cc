// Queue pairs driven by hand, without a fabric: a test plays the network, choosing
// when each data packet reaches the receiver (or that it never does) and handing every
// ACK straight back to the sender. Checks the selective receiver's reorder buffer, the
// sender's RACK loss detection and timeout, and the go-back-N receiver.
#include "aifabric/transport/queue_pair.h"

#include <gtest/gtest.h>

#include <memory>
#include <set>
#include <vector>

#include "aifabric/transport/reliability/selective/selective.h"
#include "tests/qp_loop.h"

namespace aifabric {
namespace {

using namespace testing;

TEST(SelectiveReceiver, AcceptsOutOfOrderAndCumulativeAckJumpsWhenTheHoleFills) {
  PacketPool pool;
  const TransportConfig cfg = selective_config();
  ReceiverQp rx(flow_of(8), 0, cfg, Time::us(50), false);

  Reply r = deliver(rx, pool, data_packet(0));
  ASSERT_EQ(r.ctl.size(), 1u);
  EXPECT_EQ(r.ack().type, PacketType::kAck);
  EXPECT_EQ(r.ack().psn, 1u);

  for (uint64_t psn : {2, 3}) {
    r = deliver(rx, pool, data_packet(psn));
    ASSERT_EQ(r.ctl.size(), 1u) << "an out-of-order packet is acknowledged at once";
    EXPECT_EQ(r.ack().type, PacketType::kAck) << "selective recovery never NACKs";
    EXPECT_EQ(r.ack().psn, 1u);  // cumulative point unchanged
    EXPECT_EQ(r.ack().sack_psn, psn);
  }
  // The ACK of 3 repeats that 2 is held: bit i stands for packet 3 - 64 + i.
  EXPECT_EQ(r.ack().sack_bits, 1ULL << 63);
  r = deliver(rx, pool, data_packet(1));
  ASSERT_EQ(r.ctl.size(), 1u);
  EXPECT_EQ(r.ack().psn, 4u) << "the cumulative ACK jumps over the held packets";
  EXPECT_EQ(r.ack().sack_psn, 1u);

  const ReceiverStats& s = rx.stats();
  EXPECT_EQ(s.accepted_bytes, 4 * kMtu);  // direct placement: held packets count
  EXPECT_EQ(s.discarded_bytes, 0);
  EXPECT_EQ(s.ooo_packets, 2);
  EXPECT_EQ(s.reordered_packets, 1);  // only packet 1 arrived below the highest (3)
  EXPECT_EQ(s.reorder_depth_max, 2);
  EXPECT_DOUBLE_EQ(s.reorder_depth_mean(), 2.0);
  EXPECT_EQ(s.rob_max_packets, 2);
  // Occupancy after each arrival: 0, 1, 2, 0.
  EXPECT_EQ(s.rob_occupancy_sum, 3);
  EXPECT_DOUBLE_EQ(s.rob_mean_packets(), 0.75);
  EXPECT_EQ(s.duplicate_packets, 0);

  // A second copy of packet 2 (a spurious retransmission): re-ACKed, discarded.
  r = deliver(rx, pool, data_packet(2));
  ASSERT_EQ(r.ctl.size(), 1u);
  EXPECT_EQ(r.ack().psn, 4u);
  EXPECT_EQ(r.ack().sack_psn, 2u);
  EXPECT_EQ(rx.stats().duplicate_packets, 1);
  EXPECT_EQ(rx.stats().discarded_bytes, kMtu);
  EXPECT_EQ(rx.stats().accepted_bytes, 4 * kMtu);

  // A duplicate of a packet still held beyond the cumulative point counts too.
  deliver(rx, pool, data_packet(6));
  r = deliver(rx, pool, data_packet(6));
  EXPECT_EQ(rx.stats().duplicate_packets, 2);
  EXPECT_EQ(rx.stats().accepted_bytes, 5 * kMtu);
}

TEST(SelectiveReceiver, DropsAndCountsPacketsBeyondTheReorderBuffer) {
  PacketPool pool;
  TransportConfig cfg = selective_config();
  cfg.recovery.as<SelectiveParams>().reorder_buffer = 4;  // holds [expected, expected + 4)
  ReceiverQp rx(flow_of(16), 0, cfg, Time::us(50), false);

  Reply r = deliver(rx, pool, data_packet(4));
  EXPECT_TRUE(r.ctl.empty()) << "a dropped packet must not be acknowledged";
  EXPECT_EQ(rx.stats().rob_overflow_drops, 1);
  EXPECT_EQ(rx.stats().discarded_bytes, kMtu);
  EXPECT_EQ(rx.stats().accepted_bytes, 0);

  r = deliver(rx, pool, data_packet(3));  // the edge of the window fits
  ASSERT_EQ(r.ctl.size(), 1u);
  EXPECT_EQ(r.ack().sack_psn, 3u);
  EXPECT_EQ(rx.stats().rob_overflow_drops, 1);
  for (uint64_t psn : {0, 1, 2}) deliver(rx, pool, data_packet(psn));
  // Expected is now 4: the window moved, so 4..7 fit and 8 does not.
  r = deliver(rx, pool, data_packet(7));
  EXPECT_EQ(r.ack().psn, 4u);
  deliver(rx, pool, data_packet(8));
  EXPECT_EQ(rx.stats().rob_overflow_drops, 2);
  EXPECT_EQ(rx.stats().accepted_bytes, 5 * kMtu);
}

TEST(SelectiveReceiver, AcksEchoTheDataPacket) {
  PacketPool pool;
  const TransportConfig cfg = selective_config();
  ReceiverQp rx(flow_of(4), 0, cfg, Time::us(50), false);
  Reply r = deliver(rx, pool, data_packet(2, true, 51234));
  ASSERT_EQ(r.ctl.size(), 1u);
  EXPECT_EQ(r.ack().sack_psn, 2u);
  EXPECT_EQ(r.ack().echo_sport, 51234);
  EXPECT_TRUE(r.ack().echo_ce);
  EXPECT_EQ(r.ack().sent_at, Time::ns(2));
  r = deliver(rx, pool, data_packet(0, false, 49999));
  EXPECT_EQ(r.ack().echo_sport, 49999);
  EXPECT_FALSE(r.ack().echo_ce);
}

// The contrast: go-back-N discards the same arrival order and NACKs the gap once.
TEST(GoBackNReceiver, DiscardsOutOfOrderAndNacksOnce) {
  PacketPool pool;
  const TransportConfig cfg;
  ReceiverQp rx(flow_of(8), 0, cfg, Time::us(50), false);
  deliver(rx, pool, data_packet(0));
  Reply r = deliver(rx, pool, data_packet(2));
  EXPECT_TRUE(r.has(PacketType::kNack));
  EXPECT_EQ(r.ack().psn, 1u);
  EXPECT_EQ(r.ack().sack_psn, 2u);
  r = deliver(rx, pool, data_packet(3));
  EXPECT_TRUE(r.ctl.empty());
  EXPECT_EQ(rx.stats().ooo_packets, 2);
  EXPECT_EQ(rx.stats().discarded_bytes, 2 * kMtu);
  EXPECT_EQ(rx.stats().accepted_bytes, kMtu);
}

// Eight packets sent 100 ns apart at t = 0..0.7 us reach the receiver at 10 us: RTTs
// 10 us (packet 0) down to 9.3 us (packet 7). The auto reordering window is then the
// spread, 0.7 us, plus kMinAutoReorderWindow (9.3 us / 4 is less): a packet is lost
// once its send time + 10 us + kMinAutoReorderWindow has passed.
TEST(SelectiveSender, ReorderingInsideTheWindowIsNotLoss) {
  Loop l(8);
  std::vector<Packet*> p = l.send_spaced(8);
  EXPECT_FALSE(l.tx->has_data());
  l.at(Time::us(10));
  for (int i : {0, 1, 3, 4, 5, 6, 7}) l.deliver(p[i]);
  // Packet 2 is overdue only then; it arrives 1 ps before.
  const Time deadline = Time::ns(200) + Time::us(10) + kMinAutoReorderWindow;
  l.at(deadline - Time::ps(1));
  EXPECT_FALSE(l.tx->has_data()) << "reordering must not be taken for loss";
  l.deliver(p[2]);
  EXPECT_EQ(l.tx->state(), SenderQp::State::kDone);
  l.at(Time::us(100));  // any armed loss timer fires harmlessly
  EXPECT_EQ(l.tx->stats().retx_packets, 0);
  EXPECT_EQ(l.tx->stats().loss_retx, 0);
  EXPECT_EQ(l.tx->stats().timeouts, 0);
  EXPECT_EQ(l.rx->stats().duplicate_packets, 0);
  EXPECT_EQ(l.tx->stats().min_rtt, Time::us(10) - Time::ns(700));
}

TEST(SelectiveSender, OneLossResendsExactlyThatPacket) {
  Loop l(8);
  std::vector<Packet*> p = l.send_spaced(8);
  l.at(Time::us(10));
  for (int i : {0, 1, 2, 4, 5, 6, 7}) l.deliver(p[i]);  // packet 3 is lost
  EXPECT_FALSE(l.tx->has_data());
  // RACK deadline for packet 3: 0.3 us + min RTT 9.3 us + spread 0.7 us + margin.
  const Time deadline = Time::ns(300) + Time::us(10) + kMinAutoReorderWindow;
  l.at(deadline - Time::ps(1));
  EXPECT_FALSE(l.tx->has_data()) << "declared lost before min RTT + reordering window";
  l.at(deadline);
  ASSERT_TRUE(l.tx->has_data());
  Packet* again = l.send();
  EXPECT_EQ(again->psn, 3u);
  EXPECT_FALSE(l.tx->has_data()) << "selective: nothing after the lost packet is resent";
  l.at(deadline + Time::us(10));
  l.deliver(again);
  EXPECT_EQ(l.tx->state(), SenderQp::State::kDone);
  EXPECT_EQ(l.tx->stats().retx_packets, 1);
  EXPECT_EQ(l.tx->stats().loss_retx, 1);
  EXPECT_EQ(l.tx->stats().spurious_retx, 0);
  EXPECT_EQ(l.tx->stats().timeouts, 0);
  EXPECT_EQ(l.rx->stats().duplicate_packets, 0);
  EXPECT_EQ(l.rx->stats().accepted_bytes, 8 * kMtu);
}

// A fixed window: no spread is added.
TEST(SelectiveSender, AConfiguredReorderWindowReplacesTheAutoOne) {
  Loop l(8);
  l.cfg.recovery.as<SelectiveParams>().reorder_window = Time::us(1);
  std::vector<Packet*> p = l.send_spaced(8);
  l.at(Time::us(10));
  for (int i : {0, 1, 2, 4, 5, 6, 7}) l.deliver(p[i]);
  const Time deadline = Time::ns(300) + Time::ns(9300) + Time::us(1);
  l.at(deadline - Time::ps(1));
  EXPECT_FALSE(l.tx->has_data());
  l.at(deadline);
  EXPECT_TRUE(l.tx->has_data());
}

// Packet 1 is lost and so is the ACK that reported packet 2; the next ACKs repeat
// packet 2 in their bitmaps, so only packet 1 is resent.
TEST(SelectiveSender, LostSackIsRepeatedByTheNextAck) {
  Loop l(8);
  std::vector<Packet*> p = l.send_spaced(8);
  l.at(Time::us(10));
  l.deliver(p[0]);
  l.deliver(p[2], false, true);
  for (int i = 3; i < 8; ++i) l.deliver(p[i]);
  l.at(Time::us(30));
  ASSERT_TRUE(l.tx->has_data());
  Packet* again = l.send();
  EXPECT_EQ(again->psn, 1u);
  EXPECT_FALSE(l.tx->has_data()) << "packet 2 was reported by later ACKs";
  l.deliver(again);
  EXPECT_EQ(l.tx->state(), SenderQp::State::kDone);
  EXPECT_EQ(l.rx->stats().duplicate_packets, 0);
  EXPECT_EQ(l.tx->stats().retx_packets, 1);
}

// A packet delayed past the window is retransmitted; when the original then arrives
// the ACK echoes its (older) send time, and the sender counts a spurious retransmission.
TEST(SelectiveSender, LateOriginalShowsTheRetransmissionSpurious) {
  Loop l(4);
  std::vector<Packet*> p = l.send_spaced(4);
  l.at(Time::us(10));
  for (int i : {0, 2, 3}) l.deliver(p[i]);
  l.at(Time::us(30));
  ASSERT_TRUE(l.tx->has_data());
  Packet* again = l.send();
  EXPECT_EQ(again->psn, 1u);
  l.deliver(p[1]);  // the original, late
  EXPECT_EQ(l.tx->state(), SenderQp::State::kDone);
  EXPECT_EQ(l.tx->stats().spurious_retx, 1);
  l.deliver(again);
  EXPECT_EQ(l.rx->stats().duplicate_packets, 1);
  EXPECT_EQ(l.rx->stats().accepted_bytes, 4 * kMtu);
}

// The last packets lost: nothing later is delivered, so only the timeout can find the
// hole. It resends the oldest unacknowledged packet alone; its ACK then dates the
// remaining hole, which RACK resends.
TEST(SelectiveSender, TimeoutResendsTheOldestPacketOnly) {
  Loop l(6);
  std::vector<Packet*> p = l.send_spaced(6);
  l.at(Time::us(10));
  for (int i : {0, 1, 2, 3}) l.deliver(p[i]);  // 4 and 5 lost
  l.at(Time::ms(3));
  EXPECT_FALSE(l.tx->has_data());
  l.at(Time::ms(5));  // rto 4 ms after the last progress (10 us)
  EXPECT_EQ(l.tx->stats().timeouts, 1);
  ASSERT_TRUE(l.tx->has_data());
  Packet* a = l.send();
  EXPECT_EQ(a->psn, 4u);
  EXPECT_FALSE(l.tx->has_data());
  l.at(Time::ms(5) + Time::us(10));
  l.deliver(a);
  l.at(Time::ms(6));
  ASSERT_TRUE(l.tx->has_data());
  Packet* b = l.send();
  EXPECT_EQ(b->psn, 5u);
  l.deliver(b);
  EXPECT_EQ(l.tx->state(), SenderQp::State::kDone);
  EXPECT_EQ(l.tx->stats().retx_packets, 2);
  EXPECT_EQ(l.tx->stats().loss_retx, 1);  // packet 5; packet 4 went by timeout
}

TEST(SelectiveSender, WindowCountsPacketsNeitherSackedNorLost) {
  Loop l(8);
  l.cfg.window = Bytes(4 * kMtu);
  std::vector<Packet*> p;
  Time retry = Time::max();
  for (int i = 0; i < 4; ++i) {
    l.at(Time::ns(100 * i));
    ASSERT_TRUE(l.tx->ready(l.sim.now(), retry));
    p.push_back(l.send());
  }
  l.at(Time::ns(400));
  EXPECT_FALSE(l.tx->ready(l.sim.now(), retry)) << "4 packets in flight fill the window";
  l.at(Time::us(10));
  l.deliver(p[2]);  // SACKed: 3 in flight
  EXPECT_TRUE(l.tx->ready(l.sim.now(), retry));
}

TEST(TransportConfig, RefusesNegativeReorderWindow) {
  SelectiveParams p;
  p.reorder_window = Time::ns(-1);
  EXPECT_FALSE(p.validate().is_ok());
  p.reorder_window = Time::zero();
  EXPECT_TRUE(p.validate().is_ok());
}

}  // namespace
}  // namespace aifabric
