// ns-3 RDMA config files: the reader's one-line errors, and the translation of each key
// into scenario overrides (applied to the default scenario and prepared, as a run does).
#include "aifabric/scenario/ns3/config.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "aifabric/scenario/prepare.h"
#include "aifabric/scenario/scenario.h"
#include "aifabric/transport/cc/dcqcn/dcqcn.h"
#include "aifabric/transport/cc/hpcc/hpcc.h"

namespace aifabric {
namespace {

namespace fs = std::filesystem;

// A 4-host two-tier fabric: hosts 0-3, leaves 4 and 5 (2 hosts each at 100Gbps), one
// spine 6 reached at 400Gbps; `loss` is the error rate of link 0.
std::string topology(const std::string& loss = "0") {
  return "7 3 6\n4 5 6\n0 4 100Gbps 0.001ms " + loss +
         "\n1 4 100Gbps 0.001ms 0\n2 5 100Gbps 0.001ms 0\n3 5 100Gbps 0.001ms 0\n"
         "4 6 400Gbps 0.001ms 0\n5 6 400Gbps 0.001ms 0\n";
}
constexpr const char* kFlows = "2\n0 2 3 100 100000 2\n3 1 3 100 50000 2.00001\n";

// A DCQCN config in run.py's style for that fabric.
std::string dcqcn_config() {
  return R"(ENABLE_QCN 1
USE_DYNAMIC_PFC_THRESHOLD 1
PACKET_PAYLOAD_SIZE 1000
TOPOLOGY_FILE topo.txt
FLOW_FILE flow.txt
TRACE_FILE trace.txt
TRACE_OUTPUT_FILE mix.tr
FCT_OUTPUT_FILE fct.txt
PFC_OUTPUT_FILE pfc.txt
SIMULATOR_STOP_TIME 4.00
CC_MODE 1
ALPHA_RESUME_INTERVAL 1
RATE_DECREASE_INTERVAL 4
CLAMP_TARGET_RATE 0
RP_TIMER 300
EWMA_GAIN 0.00390625
FAST_RECOVERY_TIMES 1
RATE_AI 20Mb/s
RATE_HAI 200Mb/s
MIN_RATE 1000Mb/s
DCTCP_RATE_AI 1000Mb/s
ERROR_RATE_PER_LINK 0.0000
L2_CHUNK_SIZE 4000
L2_ACK_INTERVAL 1
L2_BACK_TO_ZERO 0
HAS_WIN 0
GLOBAL_T 1
VAR_WIN 0
FAST_REACT 0
U_TARGET 0.95
MI_THRESH 0
INT_MULTI 1
MULTI_RATE 0
SAMPLE_FEEDBACK 0
PINT_LOG_BASE 1.05
PINT_PROB 1.0
RATE_BOUND 1
ACK_HIGH_PRIO 1
LINK_DOWN 0 0 0
ENABLE_TRACE 1
KMAX_MAP 2 100000000000 1600 400000000000 6400
KMIN_MAP 2 100000000000 400 400000000000 1600
PMAX_MAP 2 100000000000 0.2 400000000000 0.2
BUFFER_SIZE 32
QLEN_MON_FILE qlen.txt
QLEN_MON_START 2000000000
QLEN_MON_END 3000000000
)";
}

// `text` with the line of `key` replaced by `line` (or removed when empty).
std::string with(std::string text, const std::string& key, const std::string& line) {
  text = "\n" + text;
  const size_t at = text.find("\n" + key + " ");
  EXPECT_NE(at, std::string::npos) << key;
  const size_t end = text.find('\n', at + 1);
  text.replace(at + 1, end - at, line.empty() ? "" : line + "\n");
  return text.substr(1);
}

class Ns3ConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("aifabric_ns3cfg_" + std::to_string(getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    write("topo.txt", topology());
    write("flow.txt", kFlows);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string write(const std::string& name, const std::string& text) {
    const fs::path p = dir_ / name;
    fs::create_directories(p.parent_path());
    std::ofstream(p) << text;
    return p.string();
  }
  Result<Ns3ConfigScenario> map(const std::string& text, const Ns3ConfigFiles& given = {}) {
    return load_ns3_config(write("config.txt", text), given);
  }
  std::string error(const std::string& text) {
    auto r = map(text);
    return r ? "" : r.status().message();
  }
  // The default scenario with the config's overrides, prepared.
  Result<PreparedRun> prepared(const Ns3ConfigScenario& m) {
    auto s = load_scenario_text("", "test", m.overrides);
    if (!s) return s.status();
    return prepare_run(**s);
  }
  fs::path dir_;
};

bool has(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}
// The note that mentions `what`, or "".
std::string note_with(const Ns3ConfigScenario& m, const std::string& what) {
  for (const auto& n : m.notes) {
    if (n.find(what) != std::string::npos) return n;
  }
  return "";
}

TEST(Ns3ConfigReader, ReadsKeysValuesAndLines) {
  std::istringstream in(
      "# made by hand\nCC_MODE 1\n\nKMIN_MAP 1 25000000000 100\n  RP_TIMER 900 \n");
  auto c = read_ns3_config(in, "c.txt");
  ASSERT_TRUE(c) << c.status().message();
  ASSERT_EQ(c->lines.size(), 3u);
  EXPECT_EQ(c->lines[0].key, "CC_MODE");
  EXPECT_EQ(c->lines[0].line, 2u);
  EXPECT_EQ(c->lines[1].values, (std::vector<std::string>{"1", "25000000000", "100"}));
  ASSERT_NE(c->find("RP_TIMER"), nullptr);
  EXPECT_EQ(c->find("RP_TIMER")->values, std::vector<std::string>{"900"});
  EXPECT_EQ(c->find("RP_TIMER")->line, 5u);
  EXPECT_EQ(c->find("EWMA_GAIN"), nullptr);
}

TEST(Ns3ConfigReader, KnowsEveryKeyOfHpccsConfig) {
  for (const char* k : {"ENABLE_QCN",
                        "USE_DYNAMIC_PFC_THRESHOLD",
                        "PACKET_PAYLOAD_SIZE",
                        "TOPOLOGY_FILE",
                        "FLOW_FILE",
                        "TRACE_FILE",
                        "TRACE_OUTPUT_FILE",
                        "FCT_OUTPUT_FILE",
                        "PFC_OUTPUT_FILE",
                        "SIMULATOR_STOP_TIME",
                        "CC_MODE",
                        "ALPHA_RESUME_INTERVAL",
                        "RATE_DECREASE_INTERVAL",
                        "CLAMP_TARGET_RATE",
                        "RP_TIMER",
                        "EWMA_GAIN",
                        "FAST_RECOVERY_TIMES",
                        "RATE_AI",
                        "RATE_HAI",
                        "MIN_RATE",
                        "DCTCP_RATE_AI",
                        "ERROR_RATE_PER_LINK",
                        "L2_CHUNK_SIZE",
                        "L2_ACK_INTERVAL",
                        "L2_BACK_TO_ZERO",
                        "HAS_WIN",
                        "GLOBAL_T",
                        "VAR_WIN",
                        "FAST_REACT",
                        "U_TARGET",
                        "MI_THRESH",
                        "INT_MULTI",
                        "MULTI_RATE",
                        "SAMPLE_FEEDBACK",
                        "PINT_LOG_BASE",
                        "PINT_PROB",
                        "RATE_BOUND",
                        "ACK_HIGH_PRIO",
                        "LINK_DOWN",
                        "ENABLE_TRACE",
                        "KMAX_MAP",
                        "KMIN_MAP",
                        "PMAX_MAP",
                        "BUFFER_SIZE",
                        "QLEN_MON_FILE",
                        "QLEN_MON_START",
                        "QLEN_MON_END"}) {
    const auto keys = ns3_config_keys();
    EXPECT_NE(std::find(keys.begin(), keys.end(), k), keys.end()) << k;
  }
}

TEST(Ns3ConfigReader, RefusesWithFileLineAndKey) {
  auto err = [](const std::string& text) {
    std::istringstream in(text);
    auto c = read_ns3_config(in, "c.txt");
    return c ? "" : c.status().message();
  };
  EXPECT_EQ(err("CC_MODE 1\nCC_MODEL 3\n"),
            "c.txt:2: 'CC_MODEL': unknown key (not one the ns-3 RDMA simulator's third.cc reads)");
  EXPECT_EQ(err("CC_MODE 1\n\nCC_MODE 3\n"), "c.txt:3: CC_MODE: given twice (first on line 1)");
  EXPECT_EQ(err("RP_TIMER\n"), "c.txt:1: RP_TIMER: expected one value, found 0");
  EXPECT_EQ(err("RP_TIMER 1 2\n"), "c.txt:1: RP_TIMER: expected one value, found 2");
  EXPECT_EQ(err("LINK_DOWN 0 0\n"),
            "c.txt:1: LINK_DOWN: expected 'time_us node node' (3 values), found 2");
  EXPECT_NE(err("KMIN_MAP 2 25000000000 100\n")
                .find("c.txt:1: KMIN_MAP: expected 'count rate1 "
                      "value1 rate2 value2 ...': the count 2 "
                      "announces 2 rate/value pairs after it, found 2 values"),
            std::string::npos);
  // A count near 2^64 is compared, not multiplied (2 x count wrapped to a wrong figure).
  EXPECT_NE(err("KMAX_MAP 18446744073709551615 1 2\n")
                .find("the count 18446744073709551615 announces 18446744073709551615 rate/value "
                      "pairs after it, found 2 values"),
            std::string::npos);
  // A key or value longer than any path is refused before it is echoed.
  EXPECT_EQ(err("TOPOLOGY_FILE " + std::string(5000, 'a') + "\n"),
            "c.txt:1: '" + std::string(40, 'a') + "'...: longer than 4096 characters");
}

TEST_F(Ns3ConfigTest, MapsEveryDcqcnKeyOntoTheScenario) {
  auto m = map(dcqcn_config());
  ASSERT_TRUE(m) << m.status().message();
  EXPECT_EQ(m->topology_file, (dir_ / "topo.txt").string());
  EXPECT_EQ(m->flow_file, (dir_ / "flow.txt").string());
  for (const char* o : {"transport.mtu=1000",
                        "cc.algorithm=dcqcn",
                        "cc.alpha_interval=1us",
                        "cc.increase_interval=300us",
                        "cc.decrease_interval=4us",
                        "cc.cnp=ack",
                        "cc.decrease=check",
                        "cc.byte_counter=0",
                        "cc.clamp_target_rate=false",
                        "cc.g=0.00390625",
                        "cc.fast_recovery_steps=1",
                        "cc.rate_ai=20Mbps",
                        "cc.rate_hai=200Mbps",
                        "cc.min_rate=1Gbps",
                        "switch.ecn.enabled=true",
                        "switch.buffer=32MiB",
                        "switch.ecn.k_min=400KB",
                        "switch.ecn.k_max=1600KB",
                        "switch.ecn.p_max=0.2",
                        "switch.pfc.xoff_alpha=0.125",
                        "switch.pfc.priorities=[3]",
                        "transport.recovery=go_back_n",
                        "transport.ack_interval=1",
                        "transport.window=0",
                        "transport.ack_priority=7",
                        "stop_time=4s",
                        "topology.default_loss_rate=0.0000"}) {
    EXPECT_TRUE(has(m->overrides, o)) << o;
  }
  EXPECT_EQ(m->overrides[0].rfind("topology={type: ns3, file: ", 0), 0u) << m->overrides[0];
  EXPECT_EQ(m->overrides[1].rfind("traffic=[{type: ns3, file: ", 0), 0u) << m->overrides[1];
  // What does not carry over is named.
  EXPECT_EQ(note_with(*m, "CLAMP_TARGET_RATE"), "");  // mapped: no note
  const std::string none = note_with(*m, "no effect with these settings");
  for (const char* k : {"DCTCP_RATE_AI", "U_TARGET", "PINT_PROB", "GLOBAL_T", "VAR_WIN",
                        "L2_CHUNK_SIZE", "LINK_DOWN"}) {
    EXPECT_NE(none.find(k), std::string::npos) << k << " in " << none;
  }
  const std::string outputs = note_with(*m, "FCT_OUTPUT_FILE");
  EXPECT_NE(outputs.find("aifabric writes its own outputs"), std::string::npos) << outputs;
  for (const char* k : {"TRACE_FILE", "PFC_OUTPUT_FILE", "ENABLE_TRACE", "QLEN_MON_END"}) {
    EXPECT_NE(outputs.find(k), std::string::npos) << k;
  }
  // Each switch link rate marks with its own thresholds, as in ns-3: no note.
  EXPECT_EQ(note_with(*m, "KMIN_MAP"), "");
  EXPECT_TRUE(has(m->overrides,
                  "switch.ecn.by_rate=[{rate: 100Gbps, k_min: 400KB, k_max: 1600KB, p_max: 0.2}, "
                  "{rate: 400Gbps, k_min: 1600KB, k_max: 6400KB, p_max: 0.2}]"));
  EXPECT_NE(note_with(*m, "ACK_HIGH_PRIO 1"), "");
  EXPECT_NE(note_with(*m, "400Gbps: 1/2"), "") << "the PFC alpha of faster ports";
  EXPECT_EQ(note_with(*m, "ignored"), "") << "every key is handled";

  // The overrides make a valid scenario that carries the values.
  auto run = prepared(*m);
  ASSERT_TRUE(run) << run.status().message();
  const Scenario& s = *run->scenario;
  EXPECT_EQ(s.transport.mtu, Bytes(1000));
  EXPECT_EQ(s.switch_config.buffer, Bytes::mib(32));
  EXPECT_EQ(s.switch_config.ecn.k_min, Bytes(400'000));
  ASSERT_EQ(s.switch_config.ecn.by_rate.size(), 2U);
  EXPECT_EQ(s.switch_config.ecn.by_rate[1].rate, BitRate::gbps(400));
  EXPECT_EQ(s.switch_config.ecn.by_rate[1].k_max, Bytes(6'400'000));
  EXPECT_EQ(s.transport.ack_priority, 7);
  EXPECT_EQ(s.stop_time, Time::sec(4));
  ASSERT_EQ(s.cc.name(), "dcqcn");
  const auto& d = dynamic_cast<const DcqcnParams&>(s.cc.params());
  EXPECT_EQ(d.rate_ai, BitRate::mbps(20));
  EXPECT_EQ(d.increase_interval, Time::us(300));
  EXPECT_DOUBLE_EQ(d.g, 0.00390625);
  EXPECT_EQ(run->graph.hosts().size(), 4u);
  EXPECT_EQ(run->flows.size(), 2u);
  EXPECT_EQ(run->flows[0].start, Time::sec(2));
}

TEST_F(Ns3ConfigTest, OtherCcModesAreRefusedNamingKeyAndValue) {
  const std::string pint = with(dcqcn_config(), "CC_MODE", "CC_MODE 10");
  EXPECT_EQ(error(pint), (dir_ / "config.txt").string() +
                             ":11: CC_MODE: 10 (HPCC-PINT) is not available in aifabric yet; "
                             "aifabric supports 1 (DCQCN), 3 (HPCC), 7 (TIMELY), 8 (DCTCP)");
  for (const char* mode : {"10"}) {
    EXPECT_NE(error(with(dcqcn_config(), "CC_MODE", std::string("CC_MODE ") + mode))
                  .find(std::string("CC_MODE: ") + mode + " ("),
              std::string::npos);
  }
  EXPECT_NE(error(with(dcqcn_config(), "CC_MODE", "CC_MODE 5"))
                .find("CC_MODE: 5 is not an ns-3 mode (1 DCQCN, 3 HPCC, 7 TIMELY, 8 DCTCP, 10 "
                      "HPCC-PINT); aifabric supports 1 (DCQCN), 3 (HPCC)"),
            std::string::npos);
}

TEST_F(Ns3ConfigTest, HpccModeMapsItsKeysOntoHpccParameters) {
  std::string cfg = with(dcqcn_config(), "CC_MODE", "CC_MODE 3");
  cfg = with(cfg, "HAS_WIN", "HAS_WIN 1");
  cfg = with(cfg, "VAR_WIN", "VAR_WIN 1");
  cfg = with(cfg, "U_TARGET", "U_TARGET 0.9");
  cfg = with(cfg, "MI_THRESH", "MI_THRESH 3");
  cfg = with(cfg, "RATE_AI", "RATE_AI 40Mb/s");
  cfg = with(cfg, "SAMPLE_FEEDBACK", "SAMPLE_FEEDBACK 1");
  auto m = map(cfg);
  ASSERT_TRUE(m) << m.status().message();
  // T = maxRtt: host-leaf-spine-leaf-host, 2 x 4 us + 1000 B at 100, 400, 400, 100 Gbps
  // = 8200 ns; W_AI = RATE_AI x T = 40 Mb/s / 8 x 8.2 us = 41 B.
  EXPECT_TRUE(has(m->overrides, "cc.base_rtt=8200ns"));
  EXPECT_TRUE(has(m->overrides, "cc.w_ai=41"));
  EXPECT_TRUE(has(m->overrides, "cc.window=true")) << "VAR_WIN 1 is HPCC's own window";
  EXPECT_EQ(note_with(*m, "VAR_WIN 1: not modelled"), "");
  EXPECT_NE(note_with(*m, "SAMPLE_FEEDBACK 1: not modelled"), "");
  EXPECT_EQ(note_with(*m, "MULTI_RATE"), "") << "MULTI_RATE 0 is what aifabric models";
  EXPECT_NE(note_with(*m, "INT_MULTI"), "");
  auto run = prepared(*m);
  ASSERT_TRUE(run) << run.status().message();
  const Scenario& s = *run->scenario;
  ASSERT_EQ(s.cc.name(), "hpcc");
  const auto& h = dynamic_cast<const HpccParams&>(s.cc.params());
  EXPECT_DOUBLE_EQ(h.eta, 0.9);
  EXPECT_EQ(h.max_stage, 3);
  EXPECT_EQ(h.base_rtt, Time::ns(8200));
  EXPECT_EQ(h.w_ai, Bytes(41));
  EXPECT_FALSE(h.fast_react);  // FAST_REACT 0
  EXPECT_EQ(h.min_rate, BitRate::mbps(1000));
  EXPECT_TRUE(h.window);

  // third.cc's defaults: VAR_WIN 0 keeps the fixed BDP window only; MULTI_RATE 1 is
  // per-hop rates, named as not modelled.
  auto fixed = map(with(with(cfg, "VAR_WIN", ""), "MULTI_RATE", ""));
  ASSERT_TRUE(fixed) << fixed.status().message();
  EXPECT_TRUE(has(fixed->overrides, "cc.window=false"));
  EXPECT_TRUE(has(fixed->overrides, "transport.window=102500"));
  EXPECT_NE(note_with(*fixed, "MULTI_RATE (third.cc's default 1): not modelled"), "");
  EXPECT_NE(error(with(cfg, "U_TARGET", "U_TARGET 1.5")).find("U_TARGET"), std::string::npos);
}

TEST_F(Ns3ConfigTest, QcnOffIsLineRateWithoutMarks) {
  auto m = map(with(dcqcn_config(), "ENABLE_QCN", "ENABLE_QCN 0"));
  ASSERT_TRUE(m) << m.status().message();
  EXPECT_TRUE(has(m->overrides, "cc.algorithm=none"));
  EXPECT_TRUE(has(m->overrides, "switch.ecn.enabled=false"));
  EXPECT_FALSE(has(m->overrides, "cc.rate_ai=20Mbps"));
  const std::string none = note_with(*m, "no effect");
  EXPECT_NE(none.find("RATE_AI"), std::string::npos) << none;
  EXPECT_NE(none.find("KMIN_MAP"), std::string::npos) << none;
  auto run = prepared(*m);
  ASSERT_TRUE(run) << run.status().message();
  EXPECT_EQ(run->scenario->cc.name(), "none");
}

TEST_F(Ns3ConfigTest, EcnMapsMustCoverEverySwitchLinkRate) {
  const std::string cfg =
      with(dcqcn_config(), "KMIN_MAP", "KMIN_MAP 2 100000000000 400 25000000000 100");
  const std::string e = error(cfg);
  EXPECT_NE(e.find("config.txt:42: KMIN_MAP: no entry for 400Gbps (400000000000), a switch link "
                   "rate of the topology"),
            std::string::npos)
      << e;
  // One rate everywhere: nothing is lost, no note.
  write("topo.txt",
        "5 1 4\n4\n0 4 100Gbps 1us 0\n1 4 100Gbps 1us 0\n2 4 100Gbps 1us 0\n3 4 100Gbps 1us 0\n");
  auto m = map(dcqcn_config());
  ASSERT_TRUE(m) << m.status().message();
  EXPECT_EQ(note_with(*m, "KMIN_MAP, KMAX_MAP"), "");
  EXPECT_EQ(note_with(*m, "PFC threshold"), "");
}

TEST_F(Ns3ConfigTest, WindowIsTheLargestBdpAsThirdCcComputesIt) {
  auto m = map(with(dcqcn_config(), "HAS_WIN", "HAS_WIN 1"));
  ASSERT_TRUE(m) << m.status().message();
  // host-leaf-spine-leaf-host: rtt = 2 x 4 us + 1000 B at 100, 400, 400, 100 Gbps
  // (80 + 20 + 20 + 80 ns) = 8200 ns; x 100 Gbps / 8 = 102500 B.
  EXPECT_TRUE(has(m->overrides, "transport.window=102500"));
  EXPECT_EQ(note_with(*m, "VAR_WIN"), "") << "VAR_WIN 0 with a window: nothing to note";
  auto vwin = map(with(with(dcqcn_config(), "HAS_WIN", "HAS_WIN 1"), "VAR_WIN", "VAR_WIN 1"));
  ASSERT_TRUE(vwin);
  EXPECT_NE(note_with(*vwin, "VAR_WIN 1: not modelled"), "");
}

TEST_F(Ns3ConfigTest, RelativeFilesAreFoundBesideTheConfigOrAsRunPyLaysThemOut) {
  // run.py: simulation/mix/config_x.txt names mix/topo.txt, relative to simulation/.
  write("mix/topo.txt", topology());
  write("mix/flow.txt", kFlows);
  std::string cfg = with(dcqcn_config(), "TOPOLOGY_FILE", "TOPOLOGY_FILE mix/topo.txt");
  cfg = with(cfg, "FLOW_FILE", "FLOW_FILE mix/flow.txt");
  auto m = load_ns3_config(write("mix/config_x.txt", cfg), {});
  ASSERT_TRUE(m) << m.status().message();
  EXPECT_EQ(m->topology_file, (dir_ / "mix/topo.txt").string());
  // Not found: the places looked at are listed.
  const std::string e = error(with(dcqcn_config(), "FLOW_FILE", "FLOW_FILE nope.txt"));
  EXPECT_NE(e.find("config.txt:5: FLOW_FILE: cannot find 'nope.txt' (looked for '" +
                   (dir_ / "nope.txt").string() + "'"),
            std::string::npos)
      << e;
  // The command line's files win, and the config's are named.
  write("other/t.txt", topology());
  auto given = map(dcqcn_config(), {(dir_ / "other/t.txt").string(), ""});
  ASSERT_TRUE(given) << given.status().message();
  EXPECT_EQ(given->topology_file, (dir_ / "other/t.txt").string());
  EXPECT_NE(note_with(*given, "TOPOLOGY_FILE topo.txt: replaced by the command line's"), "");
}

TEST_F(Ns3ConfigTest, ErrorRatePerLinkFillsLinksWithoutTheirOwn) {
  write("topo.txt", topology("0.01"));
  auto m = map(with(dcqcn_config(), "ERROR_RATE_PER_LINK", "ERROR_RATE_PER_LINK 0.001"));
  ASSERT_TRUE(m) << m.status().message();
  auto run = prepared(*m);
  ASSERT_TRUE(run) << run.status().message();
  EXPECT_DOUBLE_EQ(run->graph.links()[0].params.loss_rate, 0.01);  // its own
  for (size_t l = 1; l < run->graph.links().size(); ++l) {
    EXPECT_DOUBLE_EQ(run->graph.links()[l].params.loss_rate, 0.001) << l;
  }
}

TEST_F(Ns3ConfigTest, BadValuesNameTheirLine) {
  auto e = [&](const std::string& key, const std::string& line) {
    return error(with(dcqcn_config(), key, line));
  };
  EXPECT_NE(e("L2_ACK_INTERVAL", "L2_ACK_INTERVAL 0").find(":24: L2_ACK_INTERVAL: 0 makes ns-3"),
            std::string::npos);
  EXPECT_NE(e("RATE_AI", "RATE_AI 20furlongs")
                .find(":18: RATE_AI: '20furlongs' is not an ns-3 "
                      "data rate"),
            std::string::npos);
  EXPECT_NE(e("ENABLE_QCN", "ENABLE_QCN 2").find(":1: ENABLE_QCN: expected 0 or 1, found '2'"),
            std::string::npos);
  EXPECT_NE(e("PACKET_PAYLOAD_SIZE", "PACKET_PAYLOAD_SIZE 10").find(":3: PACKET_PAYLOAD_SIZE:"),
            std::string::npos);
  EXPECT_NE(e("RP_TIMER", "RP_TIMER -5").find(":15: RP_TIMER:"), std::string::npos);
  EXPECT_NE(error(with(dcqcn_config(), "TOPOLOGY_FILE", "")).find("TOPOLOGY_FILE is missing"),
            std::string::npos);
}

TEST_F(Ns3ConfigTest, ReadsNs3DataRates) {
  std::string cfg = with(dcqcn_config(), "RATE_AI", "RATE_AI 1MB/s");
  cfg = with(cfg, "RATE_HAI", "RATE_HAI 1.5Gbps");
  cfg = with(cfg, "MIN_RATE", "MIN_RATE 1Kib/s");
  auto m = map(cfg);
  ASSERT_TRUE(m) << m.status().message();
  EXPECT_TRUE(has(m->overrides, "cc.rate_ai=8Mbps"));  // bytes per second x 8
  EXPECT_TRUE(has(m->overrides, "cc.rate_hai=1.5Gbps"));
  EXPECT_TRUE(has(m->overrides, "cc.min_rate=1.024Kbps"));
}

TEST_F(Ns3ConfigTest, LossyKeysAreNamed) {
  std::string cfg = with(dcqcn_config(), "L2_BACK_TO_ZERO", "L2_BACK_TO_ZERO 1");
  cfg = with(cfg, "RATE_BOUND", "RATE_BOUND 0");
  cfg = with(cfg, "LINK_DOWN", "LINK_DOWN 1000 4 6");
  cfg = with(cfg, "L2_ACK_INTERVAL", "L2_ACK_INTERVAL 4000");
  auto m = map(cfg);
  ASSERT_TRUE(m) << m.status().message();
  for (const char* n : {"L2_BACK_TO_ZERO 1: not modelled", "RATE_BOUND 0: not modelled",
                        "LINK_DOWN 1000 4 6: not modelled", "L2_ACK_INTERVAL 4000: ns-3"}) {
    EXPECT_NE(note_with(*m, n), "") << n;
  }
}

TEST_F(Ns3ConfigTest, TheExampleConfigMaps) {
  auto m = load_ns3_config(std::string(AIFABRIC_SOURCE_DIR) + "/examples/ns3/config.txt", {});
  ASSERT_TRUE(m) << m.status().message();
  auto run = prepared(*m);
  ASSERT_TRUE(run) << run.status().message();
  EXPECT_EQ(run->graph.hosts().size(), 16u);
  for (const FlowSpec& f : run->flows) EXPECT_GE(f.start, Time::sec(2));
}

// CC_MODE 8 (DCTCP) -> dctcp with its gain and steps; its keys reach the scenario.
TEST_F(Ns3ConfigTest, MapsDctcp) {
  std::string c = with(dcqcn_config(), "CC_MODE", "CC_MODE 8");
  c = with(c, "DCTCP_RATE_AI", "DCTCP_RATE_AI 615Mb/s");
  c = with(c, "EWMA_GAIN", "EWMA_GAIN 0.0625");
  auto m = map(c);
  ASSERT_TRUE(m) << m.status().message();
  for (const char* o :
       {"cc.algorithm=dctcp", "cc.g=0.0625", "cc.rate_ai=615Mbps", "cc.min_rate=1Gbps"}) {
    EXPECT_TRUE(has(m->overrides, o)) << o;
  }
  auto run = prepared(*m);
  ASSERT_TRUE(run) << run.status().message();
  EXPECT_EQ(run->scenario->cc.selected().name, "dctcp");
}

// CC_MODE 7 (TIMELY) -> timely: once per RTT, MinRtt 20 us, RATE_AI as delta; run.py's
// RATE_HAI = 5 x RATE_AI is aifabric's hyperactive step, so no note.
TEST_F(Ns3ConfigTest, MapsTimely) {
  std::string c = with(dcqcn_config(), "CC_MODE", "CC_MODE 7");
  c = with(c, "RATE_AI", "RATE_AI 40Mb/s");
  c = with(c, "RATE_HAI", "RATE_HAI 200Mb/s");
  auto m = map(c);
  ASSERT_TRUE(m) << m.status().message();
  for (const char* o : {"cc.algorithm=timely", "cc.delta=40Mbps", "cc.min_rtt=20us", "cc.segment=0",
                        "cc.min_rate=1Gbps"}) {
    EXPECT_TRUE(has(m->overrides, o)) << o;
  }
  EXPECT_EQ(note_with(*m, "RATE_HAI"), "");
  auto run = prepared(*m);
  ASSERT_TRUE(run) << run.status().message();
  EXPECT_EQ(run->scenario->cc.selected().name, "timely");
  // Another HAI is named.
  auto other = map(with(c, "RATE_HAI", "RATE_HAI 100Mb/s"));
  ASSERT_TRUE(other);
  EXPECT_NE(note_with(*other, "RATE_HAI 100Mb/s: not modelled"), "");
}

}  // namespace
}  // namespace aifabric
