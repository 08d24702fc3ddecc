// fct.txt: the ns-3 address of a node id, and one line per finished flow in
// completion order with the numbers the network reports.
#include "aifabric/telemetry/sinks/fct_txt/fct_txt.h"

#include <gtest/gtest.h>

#include <sstream>

#include "aifabric/topo/import/ns3_topology.h"
#include "tests/test_fabric.h"

namespace aifabric {
namespace {

TEST(FctTxt, Ns3AddressOfNodeId) {
  EXPECT_EQ(ns3_ip(0), "0b000001");
  EXPECT_EQ(ns3_ip(1), "0b000101");
  EXPECT_EQ(ns3_ip(2), "0b000201");
  EXPECT_EQ(ns3_ip(10), "0b000a01");
  EXPECT_EQ(ns3_ip(255), "0b00ff01");
  EXPECT_EQ(ns3_ip(256), "0b010001");
  EXPECT_EQ(ns3_ip(257), "0b010101");
  EXPECT_EQ(ns3_ip(300), "0b012c01");
  EXPECT_EQ(ns3_ip(65535), "0bffff01");
}

struct Line {
  std::string sip, dip;
  uint32_t sport = 0, dport = 0;
  int64_t bytes = 0, start = 0, fct = 0, standalone = 0;
};

std::vector<Line> parse(const std::string& text) {
  std::vector<Line> out;
  std::istringstream in(text);
  std::string row;
  while (std::getline(in, row)) {
    std::istringstream f(row);
    Line l;
    f >> l.sip >> l.dip >> l.sport >> l.dport >> l.bytes >> l.start >> l.fct >> l.standalone;
    EXPECT_TRUE(f && f.eof()) << "malformed line: " << row;
    out.push_back(l);
  }
  return out;
}

int64_t round_ns(Time t) {
  return (t.ps() + 500) / 1000;
}

TEST(FctTxt, OneLinePerFinishedFlowInCompletionOrder) {
  // Switches first, so a host's ns-3 id (what the address is made of) differs from
  // its host index: hosts are ns-3 nodes 2..5.
  std::istringstream topo(
      "6 2 5\n"
      "0 1\n"
      "2 0 100Gbps 1us 0\n"
      "3 0 100Gbps 1us 0\n"
      "4 1 100Gbps 1us 0\n"
      "5 1 100Gbps 1us 0\n"
      "0 1 100Gbps 1us 0\n");
  auto g = read_ns3_topology(topo, "topo");
  ASSERT_TRUE(g.is_ok()) << g.status().message();
  testing::TestFabric tf;
  tf.graph = *g;
  Network& net = tf.build();
  std::vector<FlowSpec> flows(4);
  // 0: 4 MB from host 0 (node 2) to host 2 (node 4); finishes second.
  flows[0].src = 0;
  flows[0].dst = 2;
  flows[0].size = 4'000'000;
  flows[0].dport = 100;
  // 1: 100 kB from host 3 (node 5) to host 1 (node 3), starting later; finishes first.
  flows[1].src = 3;
  flows[1].dst = 1;
  flows[1].size = 100'000;
  flows[1].start = Time::us(10) + Time::ps(400);
  // 2: too big to finish before the run stops; 3: starts after the stop.
  flows[2].src = 1;
  flows[2].dst = 3;
  flows[2].size = 1'000'000'000;
  flows[3].src = 2;
  flows[3].dst = 0;
  flows[3].size = 1000;
  flows[3].start = Time::ms(50);
  ASSERT_TRUE(net.add_flows(flows).is_ok());
  net.run(Time::ms(2));
  ASSERT_EQ(net.outcome(0).sender->state(), SenderQp::State::kDone);
  ASSERT_EQ(net.outcome(1).sender->state(), SenderQp::State::kDone);
  ASSERT_EQ(net.outcome(2).sender->state(), SenderQp::State::kActive);
  ASSERT_EQ(net.outcome(3).sender, nullptr);
  ASSERT_LT(net.outcome(1).sender->finish_time(), net.outcome(0).sender->finish_time());

  std::ostringstream out;
  write_fct_txt(out, collect_fabric_record(net, net.sim().now()).flows, net.graph());
  const auto lines = parse(out.str());
  ASSERT_EQ(lines.size(), 2u) << out.str();

  const Line& first = lines[0];  // flow 1
  const FlowSpec& f1 = net.flows()[1];
  EXPECT_EQ(first.sip, "0b000501");
  EXPECT_EQ(first.dip, "0b000301");
  EXPECT_EQ(first.sport, f1.sport);
  EXPECT_NE(first.sport, 0u);  // the engine's choice, not the spec's 0
  EXPECT_EQ(first.dport, 4791u);
  EXPECT_EQ(first.bytes, 100'000);
  EXPECT_EQ(first.start, 10'000);  // 10.0004 us rounds to 10000 ns
  EXPECT_EQ(first.fct, round_ns(net.outcome(1).sender->finish_time() - f1.start));
  EXPECT_EQ(first.standalone, round_ns(net.ideal_fct(f1)));

  const Line& second = lines[1];  // flow 0
  const FlowSpec& f0 = net.flows()[0];
  EXPECT_EQ(second.sip, "0b000201");
  EXPECT_EQ(second.dip, "0b000401");
  EXPECT_EQ(second.dport, 100u);
  EXPECT_EQ(second.bytes, 4'000'000);
  EXPECT_EQ(second.start, 0);
  EXPECT_EQ(second.fct, round_ns(net.outcome(0).sender->finish_time()));
  EXPECT_EQ(second.standalone, round_ns(net.ideal_fct(f0)));
  // Sanity against physics: 4 MB at 100 Gbps takes at least 320 us, and no flow
  // beats its idle-fabric time (1 % for the ideal model's approximations).
  EXPECT_GT(second.fct, 320'000);
  EXPECT_GE(static_cast<double>(second.fct), 0.99 * static_cast<double>(second.standalone));
  EXPECT_GE(static_cast<double>(first.fct), 0.99 * static_cast<double>(first.standalone));
}

TEST(FctTxt, NothingFinishedWritesNothing) {
  testing::TestFabric tf;
  std::istringstream topo("3 1 2\n2\n0 2 100Gbps 1us 0\n1 2 100Gbps 1us 0\n");
  auto g = read_ns3_topology(topo, "topo");
  ASSERT_TRUE(g.is_ok()) << g.status().message();
  tf.graph = *g;
  Network& net = tf.build();
  FlowSpec f;
  f.src = 0;
  f.dst = 1;
  f.size = 1000;
  f.start = Time::ms(1);
  ASSERT_TRUE(net.add_flows({f}).is_ok());
  net.run(Time::us(10));
  std::ostringstream out;
  write_fct_txt(out, collect_fabric_record(net, net.sim().now()).flows, net.graph());
  EXPECT_EQ(out.str(), "");
}

}  // namespace
}  // namespace aifabric
