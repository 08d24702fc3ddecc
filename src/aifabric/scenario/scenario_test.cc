// Scenario loading: defaults, overrides, and the one-line errors a user gets for an
// unknown key, a bad unit, a negative size or an impossible topology.
#include "aifabric/scenario/scenario.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "aifabric/scenario/describe.h"
#include "aifabric/scenario/outputs.h"
#include "aifabric/scenario/simulate.h"
#include "aifabric/topo/builders/fat_tree/fat_tree.h"
#include "aifabric/transport/cc/congestion_control.h"
#include "aifabric/workload/traffic/incast/incast.h"

namespace aifabric {
namespace {

std::string error_of(const std::string& yaml, const std::vector<std::string>& sets = {}) {
  auto r = load_scenario_text(yaml, "test.yaml", sets);
  if (r) {
    auto p = prepare_run(**r);
    if (p) return "";
    return p.status().message();
  }
  return r.status().message();
}

TEST(Scenario, DefaultsLoadAndPrepare) {
  auto s = load_scenario("", {});
  ASSERT_TRUE(s.is_ok()) << s.status().message();
  auto p = prepare_run(**s);
  ASSERT_TRUE(p.is_ok()) << p.status().message();
  EXPECT_EQ(p->graph.hosts().size(), 32u);
  EXPECT_EQ(p->flows.size(), 32u + 16u);  // permutation + 16-to-1 incast
}

TEST(Scenario, ReadsNestedKeysWithUnits) {
  auto s = load_scenario_text(R"(
name: t
topology: {type: fat_tree, k: 4, host_link: {rate: 100Gbps, delay: 0.5us}}
switch: {buffer: 16MiB, ecn: {k_min: 50KB, k_max: 200KB, p_max: 0.1}}
cc: {algorithm: dcqcn, g: 0.0625, rate_ai: 40Mbps}
traffic:
  - {type: incast, receiver: 3, fan_in: 5, size: 1MiB, start: 10us}
)",
                              "t.yaml", {});
  ASSERT_TRUE(s.is_ok()) << s.status().message();
  const Scenario& sc = **s;
  EXPECT_EQ(sc.topology.kind.name(), "fat_tree");
  EXPECT_EQ(sc.topology.kind.as<FatTreeConfig>().host_link.rate, BitRate::gbps(100));
  EXPECT_EQ(sc.topology.kind.as<FatTreeConfig>().host_link.delay, Time::ns(500));
  EXPECT_EQ(sc.switch_config.buffer, Bytes::mib(16));
  EXPECT_EQ(sc.switch_config.ecn.k_min, Bytes(50'000));
  EXPECT_EQ(sc.traffic.size(), 1u);
  EXPECT_EQ(sc.traffic[0].kind.as<IncastTraffic>().fan_in, 5);
  EXPECT_EQ(sc.traffic[0].kind.as<IncastTraffic>().common.start, Time::us(10));
  auto p = prepare_run(sc);
  ASSERT_TRUE(p.is_ok());
  EXPECT_EQ(p->flows.size(), 5u);
  for (const auto& f : p->flows) EXPECT_EQ(f.dst, 3u);
}

TEST(Scenario, UnknownKeyNamesFullPathAndLine) {
  const std::string e = error_of("switch:\n  ecn:\n    kmin: 5KB\n");
  EXPECT_EQ(e.rfind("test.yaml:3: switch.ecn.kmin: unknown key", 0), 0u) << e;
  EXPECT_NE(e.find("k_min"), std::string::npos) << "lists the known keys: " << e;
}

TEST(Scenario, UnknownKeyForTheChosenType) {
  const std::string e = error_of("topology: {type: fat_tree, leaves: 4}\n");
  EXPECT_NE(e.find("topology.leaves: unknown key for type 'fat_tree'"), std::string::npos) << e;
}

TEST(Scenario, BadUnit) {
  const std::string e = error_of("switch: {buffer: 12 parsecs}\n");
  EXPECT_NE(e.find("test.yaml:1: switch.buffer: unknown size unit 'parsecs'"), std::string::npos)
      << e;
  const std::string e2 = error_of("topology: {type: leaf_spine, host_link: {rate: 400}}\n");
  EXPECT_NE(e2.find("topology.host_link.rate: rate '400' needs a unit"), std::string::npos) << e2;
}

TEST(Scenario, NegativeSize) {
  const std::string e = error_of("traffic: [{type: permutation, size: -5MiB}]\n");
  EXPECT_NE(e.find("traffic.0.size: '-5MiB' is negative"), std::string::npos) << e;
}

TEST(Scenario, OutOfRangeAndCrossField) {
  EXPECT_NE(
      error_of("switch: {ecn: {p_max: 2}}").find("switch.ecn.p_max: 2 is out of range [0, 1]"),
      std::string::npos);
  EXPECT_NE(error_of("switch: {ecn: {k_min: 500KB, k_max: 100KB}}")
                .find("switch.ecn: k_min must be <= k_max"),
            std::string::npos);
}

TEST(Scenario, CbfcConfigsThatCannotWorkAreRefused) {
  const std::string kTraffic = "traffic: [{type: incast, receiver: 3, fan_in: 5, size: 1MiB}]\n";
  // Priority 3 is PFC's by default: it cannot also be a credit lane.
  const std::string both = error_of(kTraffic + "switch: {cbfc: {enabled: true}}");
  EXPECT_NE(both.find("switch: cbfc.priorities: priority 3 is also in pfc.priorities"),
            std::string::npos)
      << both;
  EXPECT_EQ(error_of(kTraffic + "switch: {pfc: {enabled: false}, cbfc: {enabled: true}}"), "");
  EXPECT_EQ(error_of(kTraffic + "switch: {pfc: {priorities: [4]}, cbfc: {enabled: true}}"), "");
  const std::string small =
      error_of(kTraffic + "switch: {pfc: {enabled: false}, cbfc: {enabled: true, credits: 2KB}}");
  EXPECT_NE(small.find("switch.cbfc.credits: "), std::string::npos) << small;
  EXPECT_NE(small.find("less than one frame"), std::string::npos) << small;
  const std::string block =
      error_of(kTraffic + "switch: {pfc: {enabled: false}, cbfc: {enabled: true, block: 0B}}");
  EXPECT_NE(block.find("block must be positive"), std::string::npos) << block;
  const std::string room =
      error_of(kTraffic + "switch: {buffer: 200KB, pfc: {enabled: false}, cbfc: {enabled: true}}");
  EXPECT_NE(room.find("cannot hold the PFC headroom and CBFC credits"), std::string::npos) << room;
}

TEST(Scenario, ImpossibleTopology) {
  EXPECT_NE(error_of("topology: {type: fat_tree, k: 3}").find("topology: k must be even"),
            std::string::npos);
  const std::string e = error_of(
      "topology: {type: leaf_spine, leaves: 1, hosts_per_leaf: 4}\n"
      "traffic: [{type: incast, receiver: 9}]\n");
  EXPECT_NE(e.find("traffic.0: receiver: host 9 does not exist"), std::string::npos) << e;
}

TEST(Scenario, UnknownAlgorithmListsChoices) {
  const std::string e = error_of("cc: {algorithm: cubic}");
  // Every registered algorithm is offered, in registry order.
  std::string choices;
  for (std::string_view n : cc_algorithms().names()) {
    choices += (choices.empty() ? "" : ", ") + std::string(n);
  }
  EXPECT_NE(choices.find("dcqcn, dcqcn_paper"), std::string::npos) << choices;
  EXPECT_NE(e.find("cc.algorithm: 'cubic' is not one of: " + choices), std::string::npos) << e;
}

TEST(Scenario, OverridesApplyAndAreValidated) {
  auto s = load_scenario("", {"switch.ecn.k_min=10KB", "seed=42", "cc.algorithm=none"});
  ASSERT_TRUE(s.is_ok()) << s.status().message();
  EXPECT_EQ((*s)->switch_config.ecn.k_min, Bytes(10'000));
  EXPECT_EQ((*s)->seed, 42);
  EXPECT_EQ((*s)->cc.selected().name, "none");
  EXPECT_NE(error_of("traffic: [{type: permutation}]", {"switch.ecn.kmin=1"})
                .find("switch.ecn.kmin: unknown key"),
            std::string::npos);
  EXPECT_NE(error_of("", {"nonsense"}).find("expected key.path=value"), std::string::npos);
}

TEST(Scenario, UnreadableFile) {
  auto r = load_scenario("/nonexistent/x.yaml", {});
  ASSERT_FALSE(r.is_ok());
  EXPECT_EQ(r.status().message(), "/nonexistent/x.yaml: cannot read the file");
  const std::string e = error_of("traffic: [{type: file, file: /nonexistent/flows.csv}]");
  EXPECT_NE(e.find("traffic.0: file: cannot read '/nonexistent/flows.csv'"), std::string::npos)
      << e;
}

TEST(Scenario, NeedsTrafficOrAWorkload) {
  EXPECT_NE(error_of("name: empty").find("traffic: the list is empty"), std::string::npos);
  EXPECT_NE(error_of("workload: {type: llm}\ntraffic: [{type: permutation}]")
                .find("takes no traffic list"),
            std::string::npos);
}

TEST(Scenario, YamlSyntaxError) {
  const std::string e = error_of("switch: {buffer: [1, 2\n");
  EXPECT_EQ(e.rfind("test.yaml:", 0), 0u) << e;
}

TEST(Scenario, ReferenceListsEveryKey) {
  Scenario s;
  const std::string md = describe_params(s, true);
  for (const char* key : {"`k_min`", "`xoff_alpha`", "`rate_ai`", "`hosts_per_leaf`", "`fan_in`",
                          "`ack_interval`", "`stop_time`"}) {
    EXPECT_NE(md.find(key), std::string::npos) << key;
  }
}

}  // namespace
}  // namespace aifabric

namespace aifabric {
namespace {

// docs/scenario.md must carry the reference generated from the live schema, so docs
// cannot drift from what the loader accepts (`make docs` regenerates it).
TEST(Scenario, DocsMatchTheSchema) {
  std::ifstream in(std::string(AIFABRIC_SOURCE_DIR) + "/docs/scenario.md");
  ASSERT_TRUE(in.good());
  std::stringstream ss;
  ss << in.rdbuf();
  Scenario s;
  const std::string generated = describe_params(s, true);
  const std::string doc = ss.str();
  ASSERT_GE(doc.size(), generated.size());
  EXPECT_EQ(doc.substr(doc.size() - generated.size()), generated)
      << "docs/scenario.md is stale: run `make docs`";
}

}  // namespace
}  // namespace aifabric
