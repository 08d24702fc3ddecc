// Transport profiles: each sets table 3's choices, a scenario's own keys win, and the
// resolved scenario a run writes carries the choices without the profile's help.
#include "aifabric/scenario/profiles/profiles.h"

#include <gtest/gtest.h>

#include <string>

#include "aifabric/scenario/scenario.h"
#include "aifabric/scenario/yaml_writer.h"

namespace aifabric {
namespace {

// `yaml` plus a traffic list (a scenario needs one).
std::unique_ptr<Scenario> load(const std::string& yaml, const std::vector<std::string>& sets = {}) {
  auto r =
      load_scenario_text(yaml + "traffic: [{type: permutation, size: 1MiB}]\n", "test.yaml", sets);
  EXPECT_TRUE(r.is_ok()) << r.status().message();
  return r ? std::move(*r) : nullptr;
}

TEST(TransportProfile, EachSetsLoadBalancingBackpressureCongestionControlAndRecovery) {
  struct Want {
    const char* profile;
    const char* lb;
    bool pfc;
    const char* cc;
    const char* recovery;
  };
  for (const Want& w : {Want{"tcp", "ecmp", false, "dctcp", "selective"},
                        Want{"roce", "ecmp", true, "dcqcn", "go_back_n"},
                        Want{"falcon", "spray", false, "swift", "selective"},
                        Want{"uet", "spray", false, "eqds", "selective"},
                        Want{"srd", "spray", false, "swift", "selective"}}) {
    SCOPED_TRACE(w.profile);
    auto s = load(std::string("transport: {profile: ") + w.profile + "}\n");
    ASSERT_NE(s, nullptr);
    EXPECT_EQ(s->lb.selected().name, w.lb);
    EXPECT_EQ(s->switch_config.pfc.enabled, w.pfc);
    EXPECT_EQ(s->cc.selected().name, w.cc);
    EXPECT_EQ(s->transport.recovery.selected().name, w.recovery);
    EXPECT_EQ(s->switch_config.trimming.enabled, std::string(w.profile) == "uet");
    EXPECT_EQ(s->origin.profile_settings.size(), std::string(w.profile) == "uet" ? 5u : 4u);
  }
}

TEST(TransportProfile, TheScenariosOwnKeysAndOverridesWin) {
  auto s =
      load("transport: {profile: roce}\ncc: {algorithm: hpcc}\n", {"switch.pfc.enabled=false"});
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->cc.selected().name, "hpcc");
  EXPECT_FALSE(s->switch_config.pfc.enabled);
  EXPECT_EQ(s->lb.selected().name, "ecmp");
  EXPECT_EQ(s->transport.recovery.selected().name, "go_back_n");
  EXPECT_EQ(s->origin.profile_settings,
            (std::vector<std::string>{"lb.algorithm=ecmp", "transport.recovery=go_back_n"}));
  // Chosen from the command line too.
  auto t = load("", {"transport.profile=falcon"});
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t->cc.selected().name, "swift");
}

TEST(TransportProfile, AnUnknownProfileIsRefusedByName) {
  auto r = load_scenario_text("transport: {profile: infiniband}\n", "test.yaml", {});
  ASSERT_FALSE(r.is_ok());
  EXPECT_NE(r.status().message().find("transport.profile"), std::string::npos)
      << r.status().message();
  EXPECT_NE(r.status().message().find("infiniband"), std::string::npos);
  // Not a name at all: refused by the reader, the profile applies nothing.
  for (const char* bad : {"transport: {profile: [tcp]}\n", "transport: {profile: {a: 1}}\n",
                          "transport: 5\n", "transport: {profile: roce}\nlb: 3\n"}) {
    auto b = load_scenario_text(bad, "test.yaml", {});
    EXPECT_FALSE(b.is_ok()) << bad;
  }
}

TEST(TransportProfile, TheResolvedScenarioReproducesTheChoicesOnItsOwn) {
  auto s = load("transport: {profile: falcon}\n");
  ASSERT_NE(s, nullptr);
  const std::string resolved = write_yaml(*s, ".");
  auto r = load_scenario_text(resolved, "scenario.yaml", {});
  ASSERT_TRUE(r.is_ok()) << r.status().message();
  const auto& again = *r;
  ASSERT_NE(again, nullptr);
  EXPECT_TRUE(again->origin.profile_settings.empty());  // every key is in the file now
  EXPECT_EQ(write_yaml(*again, "."), resolved);
}

}  // namespace
}  // namespace aifabric
