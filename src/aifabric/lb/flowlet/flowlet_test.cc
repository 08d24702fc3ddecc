// Flowlet switching: a flow keeps its port while its gaps stay within the timeout and
// may move once a gap exceeds it (the flowlet idea of CONGA, SIGCOMM'14, and LetFlow,
// NSDI'17); new flowlets go to a random or to the emptiest port; stale ports and table
// collisions behave as in a hardware flowlet table.
#include "aifabric/lb/flowlet/flowlet.h"

#include <gtest/gtest.h>

#include <array>
#include <map>
#include <string>
#include <vector>

#include "aifabric/scenario/scenario.h"
#include "tests/fake_egress_view.h"

namespace aifabric {
namespace {

using testing::FakeView;

constexpr std::array<uint16_t, 4> kPorts{0, 1, 2, 3};

FlowletParams params_with(FlowletChoice choice, Time timeout = Time::us(50)) {
  FlowletParams p;
  p.choice = choice;
  p.timeout = timeout;
  return p;
}

Packet packet_of(uint64_t entropy) {
  Packet p;
  p.entropy = entropy;
  return p;
}

TEST(Flowlet, PacketsCloserThanTheTimeoutKeepThePort) {
  // least_queue with the emptiest port changing every packet: only the timeout may move
  // the flow, so a burst with 49 us gaps (< 50 us timeout) must stay on one port.
  Flowlet lb(params_with(FlowletChoice::kLeastQueue), 1);
  FakeView view(4);
  const Packet p = packet_of(0x1234);
  Time t = Time::us(3);
  const uint16_t first = lb.choose(p, kPorts, view, t);
  for (int i = 1; i < 200; ++i) {
    view.queue.assign(4, 100'000);
    view.queue[static_cast<size_t>(i) % 4] = 0;
    t += Time::us(49);
    ASSERT_EQ(lb.choose(p, kPorts, view, t), first) << "packet " << i;
  }
  EXPECT_EQ(lb.counters().packets, 200u);
  EXPECT_EQ(lb.counters().flowlets, 1u);
  EXPECT_EQ(lb.counters().expired, 0u);
}

TEST(Flowlet, AGapLongerThanTheTimeoutStartsANewFlowlet) {
  // One flow; before each packet every port but one other than the flow's is full.
  // gap <= timeout: the flow stays on its (congested) port; gap > timeout: a new
  // flowlet, and least_queue moves it to the empty port.
  const Time timeout = Time::us(50);
  struct Step {
    Time gap;
    bool moves;
  };
  const Step steps[] = {
      {Time::us(10), false},          {Time::us(49), false}, {timeout, false},
      {timeout + Time::ps(1), true},  {Time::us(30), false}, {Time::us(200), true},
      {timeout - Time::ps(1), false}, {Time::ms(1), true},
  };
  Flowlet lb(params_with(FlowletChoice::kLeastQueue, timeout), 2);
  FakeView view(4);
  view.queue = {8000, 8000, 0, 8000};
  const Packet p = packet_of(77);
  Time t = Time::us(1);
  uint16_t port = lb.choose(p, kPorts, view, t);
  ASSERT_EQ(port, 2);
  uint64_t moves = 0;
  for (const Step& s : steps) {
    const auto empty = static_cast<uint16_t>((port + 1) % 4);
    view.queue.assign(4, 8000);
    view.queue[empty] = 0;
    t += s.gap;
    const uint16_t next = lb.choose(p, kPorts, view, t);
    if (s.moves) {
      ++moves;
      EXPECT_EQ(next, empty) << "gap " << s.gap.to_ns() << " ns > timeout: emptiest port";
    } else {
      EXPECT_EQ(next, port) << "gap " << s.gap.to_ns() << " ns <= timeout: same port";
    }
    port = next;
  }
  EXPECT_EQ(lb.counters().expired, moves);
  EXPECT_EQ(lb.counters().flowlets, moves + 1);
}

TEST(Flowlet, RandomFlowletsSpreadEvenly) {
  // LetFlow: every flowlet draws its port uniformly, independent of the previous one.
  // 40k flowlets: share sd ~0.0022, tolerance 0.015 (~7 sigma).
  Flowlet lb(params_with(FlowletChoice::kRandom), 3);
  FakeView view(4);
  const Packet p = packet_of(99);
  std::map<uint16_t, int> count;
  int repeats = 0;
  uint16_t prev = 0xffff;
  constexpr int kN = 40'000;
  for (int i = 0; i < kN; ++i) {
    const uint16_t port = lb.choose(p, kPorts, view, Time::us(100) * i);
    ++count[port];
    repeats += port == prev;
    prev = port;
  }
  EXPECT_EQ(lb.counters().flowlets, static_cast<uint64_t>(kN));
  for (uint16_t port : kPorts) EXPECT_NEAR(count[port] / double{kN}, 0.25, 0.015) << port;
  EXPECT_NEAR(repeats / double{kN}, 0.25, 0.015);
}

TEST(Flowlet, LeastQueueBreaksTiesAtRandom) {
  Flowlet lb(params_with(FlowletChoice::kLeastQueue), 4);
  FakeView view(4);
  view.queue = {500, 100, 500, 100};  // ports 1 and 3 tie for the shortest queue
  const Packet p = packet_of(5);
  std::map<uint16_t, int> count;
  constexpr int kN = 20'000;
  for (int i = 0; i < kN; ++i) ++count[lb.choose(p, kPorts, view, Time::us(100) * i)];
  EXPECT_EQ(count[0] + count[2], 0);
  EXPECT_NEAR(count[1] / double{kN}, 0.5, 0.02);
  EXPECT_NEAR(count[3] / double{kN}, 0.5, 0.02);
}

TEST(Flowlet, AStoredPortNoLongerACandidateIsReplaced) {
  Flowlet lb(params_with(FlowletChoice::kRandom), 5);
  FakeView view(4);
  const Packet p = packet_of(0xabc);
  const uint16_t first = lb.choose(p, kPorts, view, Time::zero());
  // The route lost `first` (e.g. a failed link): within the timeout, yet a new choice.
  std::vector<uint16_t> rest;
  for (uint16_t c : kPorts) {
    if (c != first) rest.push_back(c);
  }
  const uint16_t second = lb.choose(p, rest, view, Time::us(1));
  EXPECT_NE(second, first);
  EXPECT_EQ(lb.counters().stale, 1u);
  EXPECT_EQ(lb.counters().flowlets, 2u);
  // The replacement sticks like any flowlet.
  EXPECT_EQ(lb.choose(p, kPorts, view, Time::us(2)), second);
  EXPECT_EQ(lb.counters().flowlets, 2u);
}

TEST(Flowlet, FlowsHashingToOneEntryShareIt) {
  // A one-entry table: every flow collides, as flows do in a full hardware table. The
  // second flow inherits the first one's port, and its packets keep the shared entry
  // alive, so the first flow's long pause starts no new flowlet.
  FlowletParams params = params_with(FlowletChoice::kRandom);
  params.table_size = 1;
  Flowlet lb(params, 6);
  FakeView view(4);
  const Packet a = packet_of(1);
  const Packet b = packet_of(2);
  const uint16_t port = lb.choose(a, kPorts, view, Time::zero());
  for (int i = 1; i <= 10; ++i) EXPECT_EQ(lb.choose(b, kPorts, view, Time::us(20) * i), port);
  EXPECT_EQ(lb.choose(a, kPorts, view, Time::us(210)), port);  // a idle 210 us
  EXPECT_EQ(lb.counters().flowlets, 1u);
  EXPECT_EQ(lb.counters().collisions, 2u);  // b's first packet, a's return

  // With the default table the same two flows are independent: a's pause expires.
  Flowlet big(params_with(FlowletChoice::kRandom), 6);
  big.choose(a, kPorts, view, Time::zero());
  for (int i = 1; i <= 10; ++i) big.choose(b, kPorts, view, Time::us(20) * i);
  big.choose(a, kPorts, view, Time::us(210));
  EXPECT_EQ(big.counters().flowlets, 3u);
  EXPECT_EQ(big.counters().expired, 1u);
  EXPECT_EQ(big.counters().collisions, 0u);
}

TEST(Flowlet, ZeroTimeoutChoosesPerPacket) {
  Flowlet lb(params_with(FlowletChoice::kRandom, Time::zero()), 7);
  FakeView view(4);
  const Packet p = packet_of(3);
  for (int i = 0; i < 100; ++i) lb.choose(p, kPorts, view, Time::ns(100) * i);
  EXPECT_EQ(lb.counters().flowlets, 100u);
}

std::string error_of(const std::string& lb) {
  auto s = load_scenario_text(lb + "\ntraffic: [{type: permutation}]", "t.yaml", {});
  return s.is_ok() ? "" : s.status().message();
}

TEST(Flowlet, BadParamsAreRefused) {
  EXPECT_EQ(error_of("lb: {algorithm: flowlet, timeout: 20us, table_size: 64, choice: "
                     "least_queue}"),
            "");
  EXPECT_NE(error_of("lb: {algorithm: flowlet, table_size: 0}").find("table_size"),
            std::string::npos);
  EXPECT_NE(error_of("lb: {algorithm: flowlet, timeout: -1us}").find("timeout"), std::string::npos);
  EXPECT_NE(error_of("lb: {algorithm: flowlet, choice: best}").find("random, least_queue"),
            std::string::npos);
}

}  // namespace
}  // namespace aifabric
