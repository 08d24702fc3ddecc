// ns-3 flow-file import: node ids mapped to host indices through ext_id, HPCC's
// trailing prose ignored, and every malformed flow refused with "source:line: why".
#include "aifabric/workload/traffic/ns3/ns3_flows.h"

#include <gtest/gtest.h>

#include <sstream>

#include "aifabric/topo/import/ns3_topology.h"

namespace aifabric {
namespace {

// ns-3 node 1 is the switch; hosts 0, 2, 3, 4 get host indices 0, 1, 2, 3.
TopologyGraph star() {
  std::istringstream in(
      "5 1 4\n"
      "1\n"
      "0 1 100Gbps 1us 0\n"
      "2 1 100Gbps 1us 0\n"
      "3 1 100Gbps 1us 0\n"
      "4 1 100Gbps 1us 0\n");
  auto g = read_ns3_topology(in, "star");
  EXPECT_TRUE(g.is_ok()) << g.status().message();
  return *g;
}

Result<std::vector<FlowSpec>> read(const std::string& text, const TopologyGraph& g) {
  std::istringstream in(text);
  return read_ns3_flows(in, "flow.txt", g);
}

TEST(Ns3Flows, ReadsHpccStyleFileAndIgnoresTrailingText) {
  const TopologyGraph g = star();
  auto flows = read(
      "3\n"
      "2 4 3 100 200000000 2\n"
      "4 0 5 4791 1000 0.000001\n"
      "\n"
      "0 3 0 65535 1 1.5e-9\n"
      "\n"
      "First line: flow #\n"
      "src dst priority dst_port packet_count start_time\n"
      "2 4 3 100 200000000 2\n",
      g);
  ASSERT_TRUE(flows.is_ok()) << flows.status().message();
  ASSERT_EQ(flows->size(), 3u);
  const FlowSpec& a = (*flows)[0];
  EXPECT_EQ(a.id, 0u);
  EXPECT_EQ(a.src, 1u);  // ns-3 node 2
  EXPECT_EQ(a.dst, 3u);  // ns-3 node 4
  EXPECT_EQ(a.priority, 3);
  EXPECT_EQ(a.dport, 100);
  EXPECT_EQ(a.sport, 0);
  EXPECT_EQ(a.size, 200'000'000);
  EXPECT_EQ(a.start, Time::sec(2));
  const FlowSpec& b = (*flows)[1];
  EXPECT_EQ(b.id, 1u);
  EXPECT_EQ(b.src, 3u);
  EXPECT_EQ(b.dst, 0u);
  EXPECT_EQ(b.priority, 5);
  EXPECT_EQ(b.dport, 4791);
  EXPECT_EQ(b.size, 1000);
  EXPECT_EQ(b.start, Time::us(1));
  const FlowSpec& c = (*flows)[2];
  EXPECT_EQ(c.src, 0u);
  EXPECT_EQ(c.dst, 2u);
  EXPECT_EQ(c.priority, 0);
  EXPECT_EQ(c.dport, 65535);
  EXPECT_EQ(c.size, 1);
  EXPECT_EQ(c.start, Time::ps(1500));  // rounded to the picosecond
}

TEST(Ns3Flows, EmptyListIsFine) {
  auto flows = read("0\n", star());
  ASSERT_TRUE(flows.is_ok()) << flows.status().message();
  EXPECT_TRUE(flows->empty());
}

struct Bad {
  const char* text;
  const char* message;  // the whole error must start with this
};

TEST(Ns3Flows, RefusesBadInputNamingTheLine) {
  const Bad cases[] = {
      {"", "flow.txt:1: the file is empty; expected the flow count on the first line"},
      {"2 1\n", "flow.txt:1: expected the flow count alone on the first line, found 2 fields"},
      {"two\n", "flow.txt:1: flow count 'two' is not a whole number"},
      {"-1\n", "flow.txt:1: flow count '-1' is negative"},
      {"5000000000\n", "flow.txt:1: flow count 5000000000 is too large"},
      {"2\n0 2 3 100 1000 0\n", "flow.txt:1: the header declares 2 flows, but only 1 lines"},
      {"2\n0 2 3 100 1000 0\n            \n", "flow.txt:3: the file ends after 1 of 2 flows"},
      {"1\n0 2 3 100 1000\n",
       "flow.txt:2: expected 'src dst priority dport bytes start_seconds', found 5 fields"},
      {"1\n0 2 3 100 1000 0 9\n", "flow.txt:2: expected 'src dst priority dport bytes"},
      {"1\n\n\n9 2 3 100 1000 0\n", "flow.txt:4: source 9 is not a node of the topology"},
      {"1\n1 2 3 100 1000 0\n", "flow.txt:2: source 1 is a switch, not a host"},
      {"1\n0 1 3 100 1000 0\n", "flow.txt:2: destination 1 is a switch, not a host"},
      {"1\n0 77 3 100 1000 0\n", "flow.txt:2: destination 77 is not a node of the topology"},
      {"1\nh0 2 3 100 1000 0\n", "flow.txt:2: source 'h0' is not a whole number"},
      {"1\n3 3 3 100 1000 0\n", "flow.txt:2: source and destination are the same host (node 3)"},
      {"1\n0 2 8 100 1000 0\n", "flow.txt:2: priority 8 is not 0..7"},
      {"1\n0 2 -3 100 1000 0\n", "flow.txt:2: priority '-3' is negative"},
      {"1\n0 2 3 70000 1000 0\n", "flow.txt:2: destination port 70000 is not 0..65535"},
      {"1\n0 2 3 100 0 0\n", "flow.txt:2: flow size is 0 bytes"},
      {"1\n0 2 3 100 -5 0\n", "flow.txt:2: flow size '-5' is negative"},
      {"1\n0 2 3 100 1MB 0\n", "flow.txt:2: flow size '1MB' is not a whole number"},
      {"1\n0 2 3 100 9223372036854775808 0\n",
       "flow.txt:2: flow size 9223372036854775808 is too large"},
      {"1\n0 2 3 100 1000 -1\n", "flow.txt:2: start time '-1' is negative"},
      {"1\n0 2 3 100 1000 2s\n", "flow.txt:2: start time '2s' is not a number"},
      {"1\n0 2 3 100 1000 inf\n", "flow.txt:2: start time 'inf' is not finite"},
      {"1\n0 2 3 100 1000 1e10\n", "flow.txt:2: start time 1e10 s is too large"},
  };
  const TopologyGraph g = star();
  for (const Bad& c : cases) {
    auto flows = read(c.text, g);
    ASSERT_FALSE(flows.is_ok()) << "accepted: " << c.text;
    const std::string m = flows.status().message();
    EXPECT_EQ(m.rfind(c.message, 0), 0u) << "input:\n" << c.text << "\nmessage: " << m;
  }
}

}  // namespace
}  // namespace aifabric
