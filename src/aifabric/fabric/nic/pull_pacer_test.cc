// The pull pacer against line-rate arithmetic: one pull per full data frame's time on
// the link, round robin among the receivers owed pulls, other frames' wire time taken
// off the clock.
#include "aifabric/fabric/nic/pull_pacer.h"

#include <gtest/gtest.h>

#include <vector>

#include "aifabric/net/packet.h"

namespace aifabric {
namespace {

// A 4096 B payload frame on the wire: + 62 B RoCEv2 headers + 20 B preamble/IFG
// (packet.h) = 4178 B = 33424 bits, 83.56 ns at 400 Gb/s.
constexpr int64_t kFrame = 4096 + kRoceHeaderBytes + kL1OverheadBytes;

TEST(PullPacer, SpacesPullsOneFullFrameApartAtLineRate) {
  const Time spacing = BitRate::gbps(400).transmit_time(kFrame);
  EXPECT_EQ(spacing, Time::ps(83'560));
  PullPacer p(spacing);
  for (int i = 0; i < 5; ++i) p.owe(0);
  Time t = Time::us(1);
  std::vector<Time> sent;
  while (p.pending()) {
    t = p.next_at(t);
    p.take(t);
    sent.push_back(t);
  }
  ASSERT_EQ(sent.size(), 5u);
  for (size_t i = 1; i < sent.size(); ++i) EXPECT_EQ(sent[i] - sent[i - 1], spacing);
  // 5 pulls admit 5 frames: 5 x 33424 bits at 400 Gb/s from the first pull on.
  EXPECT_EQ(p.next_at(t) - sent[0], Time::ps(5 * 83'560));
}

TEST(PullPacer, TakesTurnsAmongTheReceiversOwedPulls) {
  PullPacer p(Time::ns(10));
  for (int i = 0; i < 3; ++i) p.owe(0);
  p.owe(1);
  p.owe(2);
  p.owe(2);
  std::vector<uint32_t> order;
  Time t;
  while (p.pending()) {
    t = p.next_at(t);
    order.push_back(p.take(t));
  }
  EXPECT_EQ(order, (std::vector<uint32_t>{0, 1, 2, 0, 2, 0}));
}

TEST(PullPacer, FramesNoPullAskedForTakeTheirWireTimeOffTheClock) {
  const BitRate line = BitRate::gbps(400);
  PullPacer p(line.transmit_time(kFrame));
  p.owe(0);
  p.owe(0);
  const Time t0 = Time::us(2);
  p.take(t0);
  // A trimmed header (82 B = 1.64 ns) arrived meanwhile: the next pull waits for it too.
  p.occupied(line.transmit_time(kTrimmedWireBytes), t0 + Time::ns(1));
  EXPECT_EQ(p.next_at(t0), t0 + Time::ps(83'560 + 1'640));
  // An idle pacer starts at once, after whatever the link is still busy with.
  PullPacer idle(Time::ns(80));
  idle.owe(3);
  EXPECT_EQ(idle.next_at(Time::us(5)), Time::us(5));
}

TEST(PullPacer, AForgivenReceiverLeavesTheRingWithoutAPull) {
  PullPacer p(Time::ns(10));
  p.owe(4);
  p.owe(4);
  p.owe(7);
  EXPECT_EQ(p.front(), 4u);
  p.forgive_front();
  EXPECT_EQ(p.owed(4), 0);
  EXPECT_EQ(p.next_at(Time::zero()), Time::zero()) << "forgiving costs no time";
  EXPECT_EQ(p.take(Time::zero()), 7u);
  EXPECT_FALSE(p.pending());
}

}  // namespace
}  // namespace aifabric
