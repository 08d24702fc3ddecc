// `aifabric run --ns3-config` through the real binary: the example config in HPCC's
// style runs to completion, its values reach the results folder, telemetry covers the
// traffic only, unmapped keys are named, and an unsupported CC_MODE is refused.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "tests/cli_util.h"

namespace {

using namespace aifabric::testing;  // NOLINT(google-build-using-namespace)
const std::string kExample = std::string(AIFABRIC_SOURCE_DIR) + "/examples/ns3";

// Minimum and maximum sample time and the number of distinct ones in telemetry.sqlite.
struct SampleSpan {
  int64_t first = -1, last = -1, times = 0;
};
SampleSpan sample_span(const fs::path& db_path) {
  SampleSpan s;
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(db, "SELECT MIN(t_ps), MAX(t_ps), COUNT(DISTINCT t_ps) FROM samples",
                               -1, &st, nullptr),
            SQLITE_OK);
  if (sqlite3_step(st) == SQLITE_ROW) {
    s.first = sqlite3_column_int64(st, 0);
    s.last = sqlite3_column_int64(st, 1);
    s.times = sqlite3_column_int64(st, 2);
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
  return s;
}

TEST(Ns3ConfigCli, TheExampleConfigRunsAndItsValuesReachTheResults) {
  const fs::path d = fresh_dir("example");
  const fs::path out = d / "r";
  const Cmd c =
      run_cli("run --no-progress --ns3-config " + kExample + "/config.txt --out " + out.string());
  ASSERT_EQ(c.status, 0) << c.out;

  // Every flow completed.
  const auto summary = nlohmann::json::parse(read_text(out / "summary.json"));
  const int total = summary["flows"]["total"].get<int>();
  EXPECT_EQ(total, 14);
  EXPECT_EQ(summary["flows"]["completed"].get<int>(), total);
  EXPECT_EQ(summary["scenario"], "config");
  EXPECT_EQ(summary["run"]["ns3_config"].get<std::string>(),
            fs::path(kExample + "/config.txt").lexically_normal().string());

  // The config's values, in the resolved scenario.
  const std::string yaml = read_text(out / "scenario.yaml");
  for (const char* v :
       {"# Made from the ns-3 config ", "algorithm: dcqcn", "rate_ai: 20Mbps", "rate_hai: 200Mbps",
        "min_rate: 1Gbps", "increase_interval: 300us", "alpha_interval: 1us",
        "decrease_interval: 4us", "fast_recovery_steps: 1", "mtu: 1000B", "buffer: 32MiB",
        "k_min: 400000B", "k_max: 1600000B", "ack_priority: 7", "stop_time: 3s",
        "examples/ns3/topology.txt", "examples/ns3/flow.txt"}) {
    EXPECT_NE(yaml.find(v), std::string::npos) << v << " in\n" << yaml;
  }

  // Notes name the keys that do not carry over, on stderr and in the run's provenance.
  const std::string notes = summary["run"]["notes"].dump();
  for (const char* key :
       {"U_TARGET", "DCTCP_RATE_AI", "FCT_OUTPUT_FILE", "QLEN_MON_FILE", "ACK_HIGH_PRIO"}) {
    EXPECT_NE(c.out.find(key), std::string::npos) << key << " on stderr:\n" << c.out;
    EXPECT_NE(notes.find(key), std::string::npos) << key << " in summary.json";
    EXPECT_NE(yaml.find(key), std::string::npos) << key << " in scenario.yaml";
  }
  EXPECT_NE(yaml.find("clamp_target_rate: false"), std::string::npos);
  // Every link rate marks with its own thresholds (KMIN_MAP etc. per rate).
  EXPECT_NE(yaml.find("by_rate:"), std::string::npos) << yaml;

  // Telemetry covers the traffic, not the two idle seconds before it: the sampler starts
  // at the first flow (2 s), so no sample is older, and its last sample lies within an
  // interval of the end of the traffic. Had it sampled from t = 0 at the same interval
  // (about 1/100 of the traffic's length), there would be ~2 s / interval rows, far
  // beyond the ~100-500 the traffic span needs.
  const SampleSpan s = sample_span(out / "telemetry.sqlite");
  const int64_t two_s = 2'000'000'000'000;
  EXPECT_GE(s.first, two_s);
  const auto makespan_ps = static_cast<int64_t>(summary["time"]["makespan_s"].get<double>() * 1e12);
  EXPECT_GT(makespan_ps, two_s);
  EXPECT_GT(s.times, 10);
  const int64_t interval = (s.last - s.first) / std::max<int64_t>(s.times - 1, 1);
  EXPECT_LE(s.last, makespan_ps + 2 * interval);
  EXPECT_LE(s.times, 1000) << "samples " << s.first << ".." << s.last;
  EXPECT_LT(fs::file_size(out / "telemetry.sqlite"), 8u << 20);

  // scenario.yaml runs again to the same flows.
  const Cmd again = run_cli("run --quiet " + (out / "scenario.yaml").string() + " --out " +
                            (d / "again").string());
  ASSERT_EQ(again.status, 0) << again.out;
  EXPECT_EQ(read_text(out / "flows.csv"), read_text(d / "again" / "flows.csv"));
  fs::remove_all(d);
}

TEST(Ns3ConfigCli, CommandLineFilesAndSetWin) {
  const fs::path d = fresh_dir("win");
  std::ofstream(d / "one flow.txt") << "1\n8 0 3 100 200000 2.5\n";
  const Cmd c = run_cli("run --quiet --ns3-config " + kExample + "/config.txt --ns3-flows '" +
                        (d / "one flow.txt").string() +
                        "' --set cc.rate_ai=40Mbps --set name=mine --out " + (d / "r").string());
  ASSERT_EQ(c.status, 0) << c.out;
  const auto summary = nlohmann::json::parse(read_text(d / "r" / "summary.json"));
  EXPECT_EQ(summary["flows"]["total"].get<int>(), 1);
  EXPECT_EQ(summary["scenario"], "mine");
  const std::string yaml = read_text(d / "r" / "scenario.yaml");
  EXPECT_NE(yaml.find("rate_ai: 40Mbps"), std::string::npos);
  EXPECT_NE(yaml.find("one flow.txt"), std::string::npos);
  EXPECT_NE(summary["run"]["notes"].dump().find("FLOW_FILE flow.txt: replaced by the command line"),
            std::string::npos);
  fs::remove_all(d);
}

TEST(Ns3ConfigCli, AnUnsupportedCcModeIsRefusedNamingTheKey) {
  const fs::path d = fresh_dir("pint");
  std::string cfg = read_text(kExample + "/config.txt");
  const size_t at = cfg.find("CC_MODE 1");
  ASSERT_NE(at, std::string::npos);
  cfg.replace(at, 9, "CC_MODE 10");
  for (const char* f : {"topology.txt", "flow.txt"}) fs::copy_file(kExample + "/" + f, d / f);
  std::ofstream(d / "config.txt") << cfg;
  const fs::path out = d / "r";
  const Cmd c =
      run_cli("run --ns3-config " + (d / "config.txt").string() + " --out " + out.string());
  EXPECT_EQ(c.status, 2) << c.out;
  EXPECT_NE(c.out.find("config.txt:17: CC_MODE: 10 (HPCC-PINT) is not available in aifabric "
                       "yet; aifabric supports 1 (DCQCN), 3 (HPCC), 7 (TIMELY), 8 (DCTCP)"),
            std::string::npos)
      << c.out;
  EXPECT_EQ(std::count(c.out.begin(), c.out.end(), '\n'), 1) << c.out;
  EXPECT_FALSE(fs::exists(out));
  // An unknown key is refused with its line.
  std::ofstream(d / "bad.txt") << "CC_MODE 1\nHPCC_TURBO 1\n";
  const Cmd bad = run_cli("validate --ns3-config " + (d / "bad.txt").string());
  EXPECT_EQ(bad.status, 2);
  EXPECT_NE(bad.out.find("bad.txt:2: 'HPCC_TURBO': unknown key"), std::string::npos) << bad.out;
  fs::remove_all(d);
}

}  // namespace
