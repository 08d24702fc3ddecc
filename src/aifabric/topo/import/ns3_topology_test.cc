// ns-3 topology import: HPCC-style files (trailing prose included), SimAI's header,
// and every malformed input refused with "source:line: why".
#include "aifabric/topo/import/ns3_topology.h"

#include <gtest/gtest.h>

#include <sstream>

namespace aifabric {
namespace {

Result<TopologyGraph> read(const std::string& text) {
  std::istringstream in(text);
  return read_ns3_topology(in, "topo.txt");
}

// Hosts 0..2 on switch 3, switch 3 up to switch 4 which also holds host 5; the
// explanation after the links is how HPCC's example files end.
constexpr const char* kHpccStyle =
    "6 2 5\n"
    "3 4\n"
    "0 3 100Gbps 0.001ms 0\n"
    "1 3 25Gbps 1us 0\n"
    "2 3 400Gbps 0.0005ms 0.001\n"
    "3 4 400Gbps 0.001ms 0\n"
    "5 4 100Gbps 2us 0\n"
    "\n"
    "First line: total node #, switch node #, link #\n"
    "Second line: switch node IDs...\n"
    "src0 dst0 rate delay error_rate\n"
    "src1 dst1 rate delay error_rate\n"
    "...\n";

TEST(Ns3Topology, ReadsHpccStyleFileAndIgnoresTrailingText) {
  auto g = read(kHpccStyle);
  ASSERT_TRUE(g.is_ok()) << g.status().message();
  ASSERT_EQ(g->nodes().size(), 6u);
  for (uint32_t i = 0; i < 6; ++i) {
    const TopoNode& n = g->nodes()[i];
    EXPECT_EQ(n.ext_id, i);
    EXPECT_EQ(n.name, "node" + std::to_string(i));
    const bool sw = i == 3 || i == 4;
    EXPECT_EQ(n.kind, sw ? NodeKind::kSwitch : NodeKind::kHost) << i;
    EXPECT_EQ(n.tier, sw ? 1 : 0) << i;
  }
  EXPECT_EQ(g->hosts(), (std::vector<uint32_t>{0, 1, 2, 5}));
  EXPECT_EQ(g->host_index(5), 3);
  EXPECT_EQ(g->host_index(3), -1);
  ASSERT_EQ(g->links().size(), 5u);
  const TopoLink& l0 = g->links()[0];
  EXPECT_EQ(l0.a, 0u);
  EXPECT_EQ(l0.b, 3u);
  EXPECT_EQ(l0.params.rate, BitRate::gbps(100));
  EXPECT_EQ(l0.params.delay, Time::us(1));
  EXPECT_EQ(l0.params.loss_rate, 0.0);
  EXPECT_EQ(g->links()[1].params.rate, BitRate::gbps(25));
  EXPECT_EQ(g->links()[1].params.delay, Time::us(1));
  EXPECT_EQ(g->links()[2].params.rate, BitRate::gbps(400));
  EXPECT_EQ(g->links()[2].params.delay, Time::ns(500));
  EXPECT_DOUBLE_EQ(g->links()[2].params.loss_rate, 0.001);
  EXPECT_EQ(g->links()[4].a, 5u);
  EXPECT_EQ(g->links()[4].b, 4u);
  EXPECT_EQ(g->links()[4].params.delay, Time::us(2));
  // Ports are numbered in file order, as ns-3 adds devices: switch 3's port 3 is
  // its uplink to switch 4.
  ASSERT_EQ(g->adjacent(3).size(), 4u);
  EXPECT_EQ(g->adjacent(3)[3].peer, 4u);
  EXPECT_EQ(g->adjacent(4)[1].peer, 5u);
}

TEST(Ns3Topology, HostIndicesFollowAscendingIdWhenSwitchesComeFirst) {
  auto g = read(
      "5 1 4\n"
      "0\n"
      "4 0 100Gbps 1us 0\n"
      "2 0 100Gbps 1us 0\n"
      "1 0 100Gbps 1us 0\n"
      "3 0 100Gbps 1us 0\n");
  ASSERT_TRUE(g.is_ok()) << g.status().message();
  EXPECT_EQ(g->hosts(), (std::vector<uint32_t>{1, 2, 3, 4}));
  EXPECT_EQ(g->host_index(1), 0);
  EXPECT_EQ(g->host_index(4), 3);
  EXPECT_EQ(g->nodes()[g->hosts()[2]].ext_id, 3u);
}

TEST(Ns3Topology, ToleratesTabsCrlfBlankLinesAndSplitIdLists) {
  auto g = read(
      "\r\n"
      "4\t2   3\r\n"
      "2\r\n"
      "  3\r\n"
      "\r\n"
      "0 2\t100Gbps 1us 0\r\n"
      "1 3 100Gbps 1us 0\r\n"
      "2 3 100Gbps 1us 0");  // no final newline
  ASSERT_TRUE(g.is_ok()) << g.status().message();
  EXPECT_EQ(g->switch_count(), 2u);
  EXPECT_EQ(g->links().size(), 3u);
  EXPECT_EQ(g->hosts(), (std::vector<uint32_t>{0, 1}));
  EXPECT_EQ(g->nodes()[3].kind, NodeKind::kSwitch);
}

TEST(Ns3Topology, ReadsSimAiHeader) {
  // nodes gpus_per_server nvswitches switches links gpu_type: no NVSwitch here.
  auto g = read(
      "4 8 0 1 3 H100\n"
      "3\n"
      "0 3 400Gbps 0.0005ms 0\n"
      "1 3 400Gbps 0.0005ms 0\n"
      "2 3 400Gbps 0.0005ms 0\n");
  ASSERT_TRUE(g.is_ok()) << g.status().message();
  EXPECT_EQ(g->hosts().size(), 3u);
  EXPECT_EQ(g->switch_count(), 1u);
}

TEST(Ns3Topology, SimAiNvSwitchLinksAreRefusedWithAReason) {
  // Two GPUs each on NVSwitch 2 and on switch 3 (with the optional 7th field).
  auto g = read(
      "4 2 1 1 4 A100 2\n"
      "2\n"
      "3\n"
      "0 2 2400Gbps 0.000025ms 0\n"
      "1 2 2400Gbps 0.000025ms 0\n"
      "0 3 200Gbps 0.0005ms 0\n"
      "1 3 200Gbps 0.0005ms 0\n");
  ASSERT_FALSE(g.is_ok());
  const std::string m = g.status().message();
  EXPECT_EQ(m.rfind("topo.txt: host node0 has 2 links", 0), 0u) << m;
  EXPECT_NE(m.find("NVLink"), std::string::npos) << m;
  EXPECT_NE(m.find("topology type simai"), std::string::npos) << m;
}

struct Bad {
  const char* text;
  const char* message;  // the whole error must start with this
};

TEST(Ns3Topology, RefusesBadInputNamingTheLine) {
  const Bad cases[] = {
      {"", "topo.txt:1: the file is empty; expected 'nodes switches links'"},
      {"\n\n", "topo.txt:2: the file is empty"},
      {"3 1\n", "topo.txt:1: expected 'nodes switches links' (ns-3) or 'nodes gpus_per_server"},
      {"3 1 2 7\n", "topo.txt:1: expected 'nodes switches links'"},
      {"3 x 2\n", "topo.txt:1: switch count 'x' is not a whole number"},
      {"-3 1 2\n", "topo.txt:1: node count '-3' is negative"},
      {"3.5 1 2\n", "topo.txt:1: node count '3.5' is not a whole number"},
      {"99999999999999999999 1 2\n", "topo.txt:1: node count '99999999999999999999' is too large"},
      {"100000000 1 2\n", "topo.txt:1: node count 100000000 is too large (at most 16777216)"},
      {"0 0 0\n", "topo.txt:1: the node count is 0"},
      {"3 4 2\n", "topo.txt:1: 4 switches but only 3 nodes"},
      {"3 8 18446744073709551615 2 1 H100\n",
       "topo.txt:1: 18446744073709551615 NVSwitches and 2 switches but only 3 nodes"},
      {"3 8 1 1 1 H100\n", "topo.txt:1: the file ends after 0 of 2 switch ids"},
      {"4 8 1 x 3 H100\n", "topo.txt:1: switch count 'x' is not a whole number"},
      {"3 1 2\n", "topo.txt:1: the file ends after 0 of 1 switch ids"},
      {"3 1 2\n7\n", "topo.txt:2: switch id 7 is not a node (0..2)"},
      {"3 1 2\ns2\n", "topo.txt:2: switch id 's2' is not a whole number"},
      {"4 2 3\n3 3\n", "topo.txt:2: switch id 3 is listed twice"},
      {"3 1 2\n2 1\n", "topo.txt:2: the header declares 1 switch ids, but this line lists 2"},
      {"4 2 3\n3\n0 3 100Gbps 1us 0\n",
       "topo.txt:3: the header declares 2 switch ids; 1 came before this line, which has 5 more"},
      {"3 1 2\n2\n0 2 100Gbps 1us\n",
       "topo.txt:3: expected 'src dst rate delay error_rate', found 4 fields"},
      {"3 1 2\n2\n0 2 100Gbps 1us 0 extra\n", "topo.txt:3: expected 'src dst rate delay"},
      {"3 1 1\n2\n\n\n99 2 100Gbps 1us 0\n", "topo.txt:5: link endpoint 99 is not a node (0..2)"},
      {"3 1 2\n2\n0 x2 100Gbps 1us 0\n", "topo.txt:3: link endpoint 'x2' is not a whole number"},
      {"3 1 2\n2\n-1 2 100Gbps 1us 0\n", "topo.txt:3: link endpoint '-1' is negative"},
      {"3 1 2\n2\n2 2 100Gbps 1us 0\n", "topo.txt:3: link from node 2 to itself"},
      {"3 1 2\n2\n0 2 100Qbps 1us 0\n", "topo.txt:3: link rate: unknown rate unit 'Qbps'"},
      {"3 1 2\n2\n0 2 100 1us 0\n", "topo.txt:3: link rate: rate '100' needs a unit"},
      {"3 1 2\n2\n0 2 0Gbps 1us 0\n", "topo.txt:3: link rate: rate '0Gbps' must be positive"},
      {"3 1 2\n2\n0 2 100Gbps 1 0\n", "topo.txt:3: link delay: time '1' needs a unit"},
      {"3 1 2\n2\n0 2 100Gbps 1fortnight 0\n",
       "topo.txt:3: link delay: unknown time unit 'fortnight'"},
      {"3 1 2\n2\n0 2 100Gbps -1us 0\n", "topo.txt:3: link delay: '-1us' is negative"},
      {"3 1 2\n2\n0 2 100Gbps 1us 1.5\n", "topo.txt:3: error rate 1.5 is outside [0, 1]"},
      {"3 1 2\n2\n0 2 100Gbps 1us -0.1\n", "topo.txt:3: error rate '-0.1' is negative"},
      {"3 1 2\n2\n0 2 100Gbps 1us none\n", "topo.txt:3: error rate 'none' is not a number"},
      {"3 1 2\n2\n0 2 100Gbps 1us nan\n", "topo.txt:3: error rate 'nan' is not finite"},
      {"3 1 2\n2\n0 2 100Gbps 1us 0\n", "topo.txt:3: the file ends after 1 of 2 links"},
      // Structural errors come from TopologyGraph::validate(), prefixed with the source.
      {"3 1 1\n2\n0 2 100Gbps 1us 0\n", "topo.txt: host node1 has 0 links"},
      {"3 1 3\n2\n0 2 100Gbps 1us 0\n1 2 100Gbps 1us 0\n0 1 100Gbps 1us 0\n",
       "topo.txt: host node0 has 2 links"},
      {"5 2 2\n3 4\n0 3 100Gbps 1us 0\n1 4 100Gbps 1us 0\n", "topo.txt: host node2 has 0 links"},
      {"4 2 2\n2 3\n0 2 100Gbps 1us 0\n1 3 100Gbps 1us 0\n",
       "topo.txt: host node1 cannot reach host node0"},
      {"2 2 1\n0 1\n0 1 100Gbps 1us 0\n", "topo.txt: the topology has no hosts"},
  };
  for (const Bad& c : cases) {
    auto g = read(c.text);
    ASSERT_FALSE(g.is_ok()) << "accepted: " << c.text;
    const std::string m = g.status().message();
    EXPECT_EQ(m.rfind(c.message, 0), 0u) << "input:\n" << c.text << "\nmessage: " << m;
    EXPECT_EQ(m.find('\n'), std::string::npos) << m;
  }
}

}  // namespace
}  // namespace aifabric
