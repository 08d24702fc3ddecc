// SimAI topology import: NVSwitch links become the servers' NVLink domains (rate summed
// over a GPU's NVSwitches, latency two link delays), the rest is the fabric; files that
// cannot be read that way are refused with their line or reason.
#include "aifabric/topo/import/simai_topology.h"

#include <gtest/gtest.h>

#include <sstream>

namespace aifabric {
namespace {

Result<TopologyGraph> read(const std::string& text) {
  std::istringstream in(text);
  return read_simai_topology(in, "topo.txt");
}

// Two servers of two GPUs (0,1 | 2,3), each with two NVSwitches (4,5 | 6,7) of 900 Gbps
// per link, and one ToR (8).
constexpr const char* kTwoByTwo =
    "9 2 4 1 12 H100\n"
    "4 5 6 7\n"
    "8\n"
    "0 4 900Gbps 0.000025ms 0\n"
    "0 5 900Gbps 0.000025ms 0\n"
    "1 4 900Gbps 0.000025ms 0\n"
    "1 5 900Gbps 0.000025ms 0\n"
    "2 6 900Gbps 0.00003ms 0\n"
    "2 7 900Gbps 0.000025ms 0\n"
    "3 6 900Gbps 0.000025ms 0\n"
    "3 7 900Gbps 0.000025ms 0\n"
    "0 8 400Gbps 0.001ms 0\n"
    "1 8 400Gbps 0.001ms 0\n"
    "2 8 400Gbps 0.001ms 0\n"
    "3 8 400Gbps 0.001ms 0\n";

TEST(SimaiTopology, NvSwitchLinksBecomeNvlinkDomains) {
  auto g = read(kTwoByTwo);
  ASSERT_TRUE(g.is_ok()) << g.status().message();
  EXPECT_EQ(g->hosts().size(), 4u);
  EXPECT_EQ(g->switch_count(), 1u);  // the NVSwitches are not in the fabric
  EXPECT_EQ(g->links().size(), 4u);
  EXPECT_EQ(g->nodes()[4].ext_id, 8u);
  ASSERT_EQ(g->nvlink().size(), 1u);
  const NvlinkDomains& d = g->nvlink().front();
  EXPECT_EQ(d.server_of_host, (std::vector<uint32_t>{0, 0, 1, 1}));
  EXPECT_EQ(d.gpus_per_server, 2u);
  EXPECT_EQ(d.rate, BitRate::gbps(1800));  // two NVSwitch links per GPU
  EXPECT_EQ(d.latency, Time::ns(60));      // twice the longest link delay (30 ns)
  EXPECT_TRUE(g->validate().is_ok());
}

TEST(SimaiTopology, FileWithoutNvSwitchesIsAPlainFabric) {
  auto g = read(
      "4 8 0 1 3 H100\n3\n0 3 400Gbps 0.0005ms 0\n1 3 400Gbps 0.0005ms 0\n"
      "2 3 400Gbps 0.0005ms 0\n");
  ASSERT_TRUE(g.is_ok()) << g.status().message();
  EXPECT_TRUE(g->nvlink().empty());
  EXPECT_EQ(g->hosts().size(), 3u);
}

TEST(SimaiTopology, RefusesWhatIsNotAServerLayout) {
  struct Bad {
    std::string text;
    const char* message;
  };
  const Bad cases[] = {
      // NVSwitch 2 linked to switch 3.
      {"4 2 1 1 3 A100\n2 3\n0 2 1Gbps 1ns 0\n1 3 1Gbps 1ns 0\n2 3 1Gbps 1ns 0\n",
       "topo.txt:5: NVSwitch 2 links to switch 3; an NVSwitch connects the GPUs of one server"},
      // GPU 1 has no NVSwitch.
      {"4 2 1 1 3 A100\n2 3\n0 2 1Gbps 1ns 0\n0 3 1Gbps 1ns 0\n1 3 1Gbps 1ns 0\n",
       "topo.txt: GPU 1 has no NVSwitch link"},
      // Servers of 2 and 1 GPUs.
      {"6 2 2 1 6 A100\n3 4 5\n0 3 1Gbps 1ns 0\n1 3 1Gbps 1ns 0\n2 4 1Gbps 1ns 0\n"
       "0 5 1Gbps 1ns 0\n1 5 1Gbps 1ns 0\n2 5 1Gbps 1ns 0\n",
       "topo.txt: servers (GPUs sharing NVSwitches) differ in size: 2 GPUs in server 0, 1"},
      // The header says 4 GPUs per server.
      {"4 4 1 1 4 A100\n2 3\n0 2 1Gbps 1ns 0\n1 2 1Gbps 1ns 0\n0 3 1Gbps 1ns 0\n1 3 1Gbps 1ns 0\n",
       "topo.txt:1: the header says 4 GPUs per server, but the NVSwitch links make servers of 2"},
      // A GPU with two NIC links.
      {"4 2 1 1 4 A100\n2 3\n0 2 1Gbps 1ns 0\n1 2 1Gbps 1ns 0\n0 3 1Gbps 1ns 0\n0 3 1Gbps 1ns 0\n",
       "topo.txt: host node0 has 2 links"},
      // Truncated, and the ns-3 reader's hostile counts.
      {"4 2 1 1 4 A100\n2 3\n0 2 1Gbps 1ns 0\n", "topo.txt:"},
      {"16777216 2 1 1 1 A100\n0 1\n2 0 1Gbps 1ns 0\n", "topo.txt:1: the header declares"},
  };
  for (const Bad& c : cases) {
    auto g = read(c.text);
    ASSERT_FALSE(g.is_ok()) << c.text;
    EXPECT_EQ(g.status().message().rfind(c.message, 0), 0u)
        << "input: " << c.text << "\nmessage: " << g.status().message();
  }
}

}  // namespace
}  // namespace aifabric
