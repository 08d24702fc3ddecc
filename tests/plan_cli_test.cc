// `aifabric plan` from the shell: the table, JSON, a scenario file that validates, and
// one-line refusals (exit 2, nothing written).
#include <gtest/gtest.h>

#include "tests/cli_util.h"

namespace aifabric::testing {
namespace {

TEST(PlanCli, HeadlineJsonAndScenario) {
  const fs::path d = fresh_dir("plan_cli");
  const std::string file = (d / "mp.yaml").string();
  const Cmd c = run_cli(
      "plan --gpus 10240 --gpus-per-server 8 --nic-rate 400Gbps --switch-capacity 51.2Tbps "
      "--design multi-plane --json --write-scenario " +
      file);
  ASSERT_EQ(c.status, 0) << c.out;
  EXPECT_NE(c.out.find("\"optical_modules\": 25600"), std::string::npos) << c.out;
  const Cmd v = run_cli("validate " + file);
  EXPECT_EQ(v.status, 0) << v.out;
  EXPECT_NE(v.out.find("ok: plan-multi_plane-10240gpu"), std::string::npos) << v.out;
  const Cmd all = run_cli("plan --gpus 10240 --compare");
  EXPECT_EQ(all.status, 0) << all.out;
  EXPECT_NE(all.out.find("refused: design: two_tier cannot reach"), std::string::npos) << all.out;
  fs::remove_all(d);
}

TEST(PlanCli, BadInputNamesTheOption) {
  const fs::path d = fresh_dir("plan_cli_bad");
  const std::string file = (d / "x.yaml").string();
  for (const auto& [args, option] : std::vector<std::pair<std::string, std::string>>{
           {"--gpus -5", "--gpus:"},
           {"--design ring", "--design:"},
           {"--nic-rate 4xbps", "--nic-rate:"},
           {"--gpus 10240 --design two-tier", "--design: two_tier cannot reach"}}) {
    const Cmd c = run_cli("plan " + args + " --write-scenario " + file);
    EXPECT_EQ(c.status, 2) << args << ": " << c.out;
    EXPECT_EQ(c.out.rfind("aifabric: " + option, 0), 0u) << c.out;
    EXPECT_EQ(std::count(c.out.begin(), c.out.end(), '\n'), 1) << c.out;
    EXPECT_FALSE(fs::exists(file)) << args;
  }
  const Cmd h = run_cli("plan --help");
  EXPECT_EQ(h.status, 0);
  EXPECT_NE(h.out.find("Example"), std::string::npos);
  fs::remove_all(d);
}

}  // namespace
}  // namespace aifabric::testing
