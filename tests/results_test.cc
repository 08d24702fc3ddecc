// Results people can trust, through the real binary: every run records what it was
// (scenario.yaml, overrides, version) and re-runs identically; results folders are
// written whole or not at all, never mixed, never through a planted symlink, never two
// at once; verdicts say in words how a run ended; inputs that would escape the results
// folder or outgrow the machine are refused at once (exit 2, one line, nothing written).
#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "tests/cli_util.h"

namespace aifabric {
namespace {

using namespace testing;
using nlohmann::json;

json summary_of(const fs::path& dir) {
  return json::parse(read_text(dir / "summary.json"));
}

// The HPCC repository's files start their flows at 2 s; a run of them (no scenario, so
// stop_time is automatic) must run them all, and telemetry must start with the traffic
// (not sample the idle fabric from t = 0: two seconds of 100 us samples were 20,000
// rows per port).
TEST(Results, Ns3FilesWhoseFlowsStartAtTwoSecondsComplete) {
  const fs::path d = fresh_dir("ns3_2s");
  // Four hosts on one switch, 100 Gbps, 1 us.
  put(d / "topology.txt",
      "5 1 4\n4\n0 4 100Gbps 0.001ms 0\n1 4 100Gbps 0.001ms 0\n2 4 100Gbps 0.001ms 0\n"
      "3 4 100Gbps 0.001ms 0\n");
  put(d / "flow.txt", "3\n0 3 3 100 1000000 2\n1 3 3 100 1000000 2.000001\n2 0 3 100 500000 2.5\n");
  const Cmd c = run_cli("run --ns3-topology " + (d / "topology.txt").string() + " --ns3-flows " +
                        (d / "flow.txt").string() + " --out " + (d / "out").string());
  ASSERT_EQ(c.status, 0) << c.out;
  const json s = summary_of(d / "out");
  EXPECT_EQ(s["flows"]["completed"], 3);
  EXPECT_EQ(s["verdict"]["status"], "completed");
  EXPECT_TRUE(s["time"]["stop_time_auto"].get<bool>());
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((d / "out" / "telemetry.sqlite").c_str(), &db), SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  sqlite3_prepare_v2(db, "SELECT MIN(t_ps), COUNT(*) FROM samples", -1, &st, nullptr);
  ASSERT_EQ(sqlite3_step(st), SQLITE_ROW);
  EXPECT_GE(sqlite3_column_int64(st, 0), int64_t{2'000'000'000'000}) << "sampled before traffic";
  // 8 ports, a 2.5 s run whose traffic lasts ~0.6 ms: hundreds of rows, not 20,000 per port.
  EXPECT_LT(sqlite3_column_int64(st, 1), 8 * 2000);
  sqlite3_finalize(st);
  sqlite3_close(db);
}

// What was run is recorded: the overrides and the version in summary.json, the fully
// resolved scenario in scenario.yaml, which re-runs to byte-identical flows; compare
// names the runs and the keys they differ in.
TEST(Results, ProvenanceRecordsTheRunAndScenarioYamlRerunsIdentically) {
  const fs::path d = fresh_dir("prov");
  const Cmd a =
      run_cli("run " + example("incast-pfc.yaml") +
              " --set cc.algorithm=dcqcn --set switch.buffer=16MiB -q --out " + (d / "a").string());
  ASSERT_EQ(a.status, 0) << a.out;
  const json s = summary_of(d / "a");
  EXPECT_EQ(s["run"]["overrides"], json::array({"cc.algorithm=dcqcn", "switch.buffer=16MiB"}));
  EXPECT_NE(s["run"]["command"].get<std::string>().find("--set cc.algorithm=dcqcn"),
            std::string::npos);
  EXPECT_FALSE(s["run"]["aifabric_version"].get<std::string>().empty());
  const std::string yaml = read_text(d / "a" / "scenario.yaml");
  EXPECT_NE(yaml.find("buffer: 16MiB"), std::string::npos) << yaml;
  EXPECT_NE(yaml.find("algorithm: dcqcn"), std::string::npos) << yaml;
  const Cmd b =
      run_cli("run " + (d / "a" / "scenario.yaml").string() + " -q --out " + (d / "b").string());
  ASSERT_EQ(b.status, 0) << b.out;
  EXPECT_EQ(read_text(d / "a" / "flows.csv"), read_text(d / "b" / "flows.csv"));
  EXPECT_EQ(read_text(d / "a" / "ports.csv"), read_text(d / "b" / "ports.csv"));
  const Cmd c = run_cli("run " + example("incast-pfc.yaml") + " -q --out " + (d / "c").string());
  ASSERT_EQ(c.status, 0) << c.out;
  const Cmd cmp = run_cli("compare " + (d / "a").string() + " " + (d / "c").string());
  ASSERT_EQ(cmp.status, 0) << cmp.out;
  EXPECT_NE(cmp.out.find("incast-pfc cc.algorithm=dcqcn switch.buffer=16MiB"), std::string::npos)
      << cmp.out;
  EXPECT_NE(cmp.out.find("differs: switch.buffer"), std::string::npos) << cmp.out;
  EXPECT_NE(cmp.out.find("differs: cc.algorithm"), std::string::npos) << cmp.out;
}

TEST(Results, AFolderAifabricDidNotWriteIsNotReplacedWithoutForce) {
  const fs::path d = fresh_dir("foreign");
  fs::create_directories(d / "out");
  put(d / "out" / "summary.json", "my own notes\n");
  const Cmd c = run_cli("run " + example("incast-pfc.yaml") + " -q --out " + (d / "out").string());
  EXPECT_EQ(c.status, 2) << c.out;
  EXPECT_NE(c.out.find("was not written by aifabric"), std::string::npos) << c.out;
  EXPECT_EQ(read_text(d / "out" / "summary.json"), "my own notes\n");
  const Cmd f =
      run_cli("run " + example("incast-pfc.yaml") + " -q --force --out " + (d / "out").string());
  EXPECT_EQ(f.status, 0) << f.out;
  EXPECT_NE(read_text(d / "out" / "summary.json").find("\"verdict\""), std::string::npos);
}

// A training job's folder holds trace.json; a flow run into the same folder replaces it
// whole, so nothing of the job is left beside the new results.
TEST(Results, AnAifabricFolderIsReplacedWholeNeverMixed) {
  const fs::path d = fresh_dir("whole");
  ASSERT_EQ(
      run_cli("run " + example("gpt3-175b-1024gpu.yaml") + " -q --out " + (d / "out").string())
          .status,
      0);
  ASSERT_TRUE(fs::exists(d / "out" / "trace.json"));
  const Cmd c = run_cli("run " + example("incast-pfc.yaml") + " -q --out " + (d / "out").string());
  ASSERT_EQ(c.status, 0) << c.out;
  EXPECT_FALSE(fs::exists(d / "out" / "trace.json"));
  EXPECT_TRUE(fs::exists(d / "out" / "flows.csv"));
  for (const auto& e : fs::directory_iterator(d)) {
    EXPECT_EQ(e.path().filename().string().find(".tmp-"), std::string::npos) << e.path();
  }
}

TEST(Results, AnUnwritableFolderIsFoundBeforeSimulating) {
  const auto t0 = std::chrono::steady_clock::now();
  const Cmd c = run_cli("run " + example("fat-tree-permutation.yaml") +
                        " -q --out /proc/aifabric-cannot-write-here/out");
  EXPECT_EQ(c.status, 2) << c.out;
  EXPECT_NE(c.out.find("--out /proc/aifabric-cannot-write-here/out"), std::string::npos) << c.out;
  // The simulation (about a second) never ran.
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(), 0.5);
}

// A symlink planted in an old results folder is never written through: files go to a
// fresh folder that replaces the old one.
TEST(Results, ASymlinkInAnOldFolderIsNotFollowed) {
  const fs::path d = fresh_dir("symlink");
  ASSERT_EQ(
      run_cli("run " + example("incast-pfc.yaml") + " -q --out " + (d / "out").string()).status, 0);
  put(d / "victim.txt", "precious\n");
  fs::remove(d / "out" / "summary.json");
  fs::create_symlink(d / "victim.txt", d / "out" / "summary.json");
  const Cmd c = run_cli("run " + example("incast-pfc.yaml") + " -q --out " + (d / "out").string());
  ASSERT_EQ(c.status, 0) << c.out;
  EXPECT_EQ(read_text(d / "victim.txt"), "precious\n");
  EXPECT_FALSE(fs::is_symlink(d / "out" / "summary.json"));
}

// Two runs on one --out: the second refuses at once; the first's folder is valid.
TEST(Results, TwoConcurrentRunsCannotShareAFolder) {
  const fs::path d = fresh_dir("concurrent");
  const std::string out = (d / "out").string();
  const std::string first = std::string(AIFABRIC_BINARY) + " run " +
                            example("fat-tree-permutation.yaml") + " -q --out " + out + " > " +
                            (d / "first.log").string() + " 2>&1; echo $? > " +
                            (d / "first.status").string();
  std::thread runner([&] { (void)shell(first); });
  // Wait until the first run holds its lock (its staging folder exists).
  bool started = false;
  for (int i = 0; i < 200 && !started; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
    for (const auto& e : fs::directory_iterator(d)) {
      started = started || e.path().filename().string().find(".out.tmp-") == 0;
    }
  }
  ASSERT_TRUE(started);
  const auto t0 = std::chrono::steady_clock::now();
  const Cmd second = run_cli("run " + example("incast-pfc.yaml") + " -q --out " + out);
  EXPECT_EQ(second.status, 2) << second.out;
  EXPECT_NE(second.out.find("another aifabric run is writing"), std::string::npos) << second.out;
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(), 1.0);
  runner.join();
  EXPECT_EQ(read_text(d / "first.status"), "0\n") << read_text(d / "first.log");
  const json s = summary_of(d / "out");
  EXPECT_EQ(s["verdict"]["status"], "completed");
  EXPECT_EQ(run_cli("report " + out).status, 0);
}

// SIGTERM mid-run: exit 143, no results folder, no staging folder left.
TEST(Results, SigtermLeavesNothing) {
  const fs::path d = fresh_dir("sigterm");
  const std::string cmd = std::string(AIFABRIC_BINARY) + " run " +
                          example("gpt3-scaled-128gpu-packet.yaml") + " -q --out " +
                          (d / "out").string() + " & pid=$!; sleep 2; kill -TERM $pid; wait $pid";
  const Cmd c = shell(cmd);
  EXPECT_EQ(c.status, 128 + SIGTERM) << c.out;
  EXPECT_NE(c.out.find("interrupted; nothing written"), std::string::npos) << c.out;
  EXPECT_FALSE(fs::exists(d / "out"));
  for (const auto& e : fs::directory_iterator(d)) ADD_FAILURE() << "left behind: " << e.path();
}

// A packet-level training iteration cut short: the verdict says so, the iteration is null
// (never 9223372 s), and the exit status is 3.
TEST(Results, AnUnfinishedIterationIsReportedAsSuch) {
  const fs::path d = fresh_dir("unfinished");
  const Cmd c = run_cli("run " + example("gpt3-scaled-128gpu-packet.yaml") +
                        " --set stop_time=2ms --out " + (d / "out").string());
  EXPECT_EQ(c.status, 3) << c.out;
  EXPECT_NE(c.out.find("iteration     unfinished"), std::string::npos) << c.out;
  EXPECT_EQ(c.out.find("9223372"), std::string::npos) << c.out;
  const json s = summary_of(d / "out");
  EXPECT_EQ(s["verdict"]["status"], "stop_time");
  EXPECT_NE(s["verdict"]["text"].get<std::string>().find("stopped at stop_time"),
            std::string::npos);
  EXPECT_TRUE(s["workload"]["iteration_s"].is_null());
}

// The same in a sweep: the row says "unfinished", not an iteration of 0.0000 s.
TEST(Results, AnUnfinishedIterationInASweepRowSaysSo) {
  const fs::path d = fresh_dir("unfinished-sweep");
  const Cmd c = run_cli("sweep " + example("gpt3-scaled-128gpu-packet.yaml") +
                        " --vary stop_time=2ms --out " + (d / "out").string());
  const auto row = c.out.find("\n2ms ");
  ASSERT_NE(row, std::string::npos) << c.out;
  const std::string line = c.out.substr(row + 1, c.out.find('\n', row + 1) - row - 1);
  EXPECT_NE(line.find("unfinished"), std::string::npos) << line;
  EXPECT_EQ(line.find("0.0000"), std::string::npos) << line;
}

// A sweep split over a job array: shard I of N runs points I, I+N, ...; the shards
// partition the grid, and each point's row is the one the whole sweep writes (a point's
// results depend on its own inputs only).
TEST(Results, SweepShardsPartitionTheGridAndReproduceItsRows) {
  const fs::path d = fresh_dir("sweep-shards");
  const std::string base = "sweep --vary seed=1,2,3 -q --out ";
  ASSERT_EQ(run_cli(base + (d / "full").string()).status, 0);
  ASSERT_EQ(run_cli(base + (d / "s0").string() + " --shard 0/2").status, 0);
  ASSERT_EQ(run_cli(base + (d / "s1").string() + " --shard 1/2").status, 0);
  const auto rows = [](const fs::path& csv) {
    std::vector<std::string> out;
    std::istringstream in(read_text(csv));
    std::string line;
    std::getline(in, line);  // header
    while (std::getline(in, line)) out.push_back(line);
    return out;
  };
  const auto full = rows(d / "full" / "sweep.csv");
  const auto s0 = rows(d / "s0" / "sweep.csv");
  const auto s1 = rows(d / "s1" / "sweep.csv");
  ASSERT_EQ(full.size(), 3U);
  ASSERT_EQ(s0.size(), 2U);
  ASSERT_EQ(s1.size(), 1U);
  EXPECT_EQ(s0[0], full[0]);
  EXPECT_EQ(s0[1], full[2]);
  EXPECT_EQ(s1[0], full[1]);
  EXPECT_TRUE(fs::exists(d / "s1" / "seed=2"));
  EXPECT_FALSE(fs::exists(d / "s1" / "seed=1"));
}

TEST(Results, ARunThatWouldEndBeforeItsTrafficIsRefused) {
  const fs::path d = fresh_dir("early");
  const std::string yaml =
      put(d / "late.yaml", "stop_time: 1ms\ntraffic: [{type: permutation, start: 5ms}]\n");
  const Cmd c = run_cli("run " + yaml + " --out " + (d / "out").string());
  EXPECT_EQ(c.status, 2) << c.out;
  EXPECT_NE(c.out.find("before the first flow starts"), std::string::npos) << c.out;
  EXPECT_FALSE(fs::exists(d / "out"));
}

// Bad values refused at once, one line, nothing written: names that would leave the
// results folder, negative seeds, a buffer below one frame, empty sweep values.
TEST(Results, InputsThatCannotRunAreRefusedUpFront) {
  const fs::path d = fresh_dir("upfront");
  const fs::path cwd = d / "cwd";
  fs::create_directories(cwd);
  const std::string in_cwd = "cd " + cwd.string() + " && " + std::string(AIFABRIC_BINARY) + " ";
  struct Case {
    std::string args, needle;
  };
  const Case cases[] = {
      {"run --set 'name=../../escaped'", "name: may not contain '/'"},
      {"run --set 'name=\"\"'", "name: must not be empty"},
      {"sweep --vary 'name=../../../x'", "name: may not contain '/'"},
      {"sweep --vary seed=1,,2", "value 2 is empty"},
      {"sweep --vary seed=1,2 --shard 2/2", "--shard '2/2': give I/N"},
      {"sweep --vary seed=1,2 --shard x", "--shard 'x': give I/N"},
      {"sweep --vary seed=1,2 --shard 0/3", "only 2 points, fewer than 3 shards"},
      {"run --seed -1", "--seed"},
      {"run --seed -5", "--seed"},
      {"run --set switch.buffer=1KB", "cannot hold one frame"},
      {"run --set telemetry.interval=1ps", "interval must be 0 (auto) or at least 10ns"},
      {"collective --ranks 0", "--ranks"},
      {"collective --ranks 4294967295", "--ranks"},
      {"collective --gpus-per-node 0", "--gpus-per-node"},
  };
  for (const Case& k : cases) {
    const Cmd c = shell(in_cwd + k.args);
    EXPECT_EQ(c.status, 2) << k.args << ": " << c.out;
    EXPECT_NE(c.out.find(k.needle), std::string::npos) << k.args << ": " << c.out;
    EXPECT_EQ(std::count(c.out.begin(), c.out.end(), '\n'), 1) << k.args << ": " << c.out;
  }
  // Nothing was written anywhere: not in the working folder, not above it.
  EXPECT_TRUE(fs::is_empty(cwd));
  EXPECT_FALSE(fs::exists(d / "escaped"));
  EXPECT_FALSE(fs::exists(d / "x"));
}

// Too big for the machine: refused from the options, before the graph is built.
TEST(Results, ARunTooBigForMemoryIsRefusedBeforeBuilding) {
  const auto t0 = std::chrono::steady_clock::now();
  const Cmd c = run_cli(
      "validate --set 'topology={type: fat_tree, k: 256}' "
      "--set 'traffic=[{type: incast, senders: [1, 2], receiver: 0}]'");
  EXPECT_EQ(c.status, 2) << c.out;
  EXPECT_NE(c.out.find("GiB of memory"), std::string::npos) << c.out;
  const Cmd flows = run_cli(
      "run --set 'topology={type: leaf_spine, leaves: 16, spines: 8, hosts_per_leaf: 200}' "
      "--set 'traffic=[{type: all_to_all}]' --set stop_time=1us");
  EXPECT_EQ(flows.status, 2) << flows.out;
  EXPECT_NE(flows.out.find("10236800 flows"), std::string::npos) << flows.out;
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(), 2.0);
  // The analytic collective scales instead: 100,000 ranks answer in well under a second.
  const Cmd big = run_cli("collective --ranks 100000 --sizes 1MiB");
  EXPECT_EQ(big.status, 0) << big.out;
}

// report and compare refuse folders that are not complete aifabric results, and a store
// whose summary is not a JSON object is named corrupt instead of aborting.
TEST(Results, IncompleteOrCorruptResultsAreRefused) {
  const fs::path d = fresh_dir("corrupt");
  fs::create_directories(d / "plain");
  EXPECT_EQ(run_cli("report " + (d / "plain").string()).status, 2);
  ASSERT_EQ(run_cli("run " + example("incast-pfc.yaml") + " -q --out " + (d / "r").string()).status,
            0);
  put(d / "r" / ".aifabric", R"({"written_by": "aifabric", "complete": false})");
  Cmd c = run_cli("compare " + (d / "r").string());
  EXPECT_EQ(c.status, 2) << c.out;
  EXPECT_NE(c.out.find("incomplete"), std::string::npos) << c.out;
  put(d / "r" / ".aifabric", R"({"written_by": "aifabric", "complete": true})");
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((d / "r" / "telemetry.sqlite").c_str(), &db), SQLITE_OK);
  ASSERT_EQ(
      sqlite3_exec(db, "UPDATE runs SET summary_json = '[1, 2, 3]'", nullptr, nullptr, nullptr),
      SQLITE_OK);
  sqlite3_close(db);
  // Without a summary.json the report falls back to the store's copy: corrupt too.
  put(d / "r" / "summary.json", "[\"not an object\"]");
  c = run_cli("report " + (d / "r").string());
  EXPECT_EQ(c.status, 2) << c.out;
  EXPECT_NE(c.out.find("corrupt results store"), std::string::npos) << c.out;
  c = run_cli("compare " + (d / "r").string());
  EXPECT_EQ(c.status, 2) << c.out;
  EXPECT_NE(c.out.find("corrupt results store"), std::string::npos) << c.out;
}

// Long runs say where they are off a terminal too (pipes, CI logs): a line every 5 s by
// default; --progress-every 0.2 makes it every 0.2 s so the test does not depend on how
// fast the machine is. (The first 100 ms of the packet-level iteration take >1 s of wall
// time on a fast machine; the run then stops at stop_time.)
TEST(Results, ProgressReachesPipes) {
  const fs::path d = fresh_dir("progress");
  const Cmd c = run_cli("run " + example("gpt3-scaled-128gpu-packet.yaml") +
                        " --set stop_time=250ms --progress-every 0.1 --out " +
                        (d / "out").string() + " | cat");
  EXPECT_EQ(c.status, 0) << c.out;  // the status of cat
  EXPECT_NE(c.out.find("aifabric: progress: simulated"), std::string::npos) << c.out;
  const Cmd v = run_cli("--version");
  EXPECT_EQ(v.status, 0);
  EXPECT_EQ(v.out.rfind("aifabric 0.", 0), 0U) << v.out;
  const Cmd help = run_cli("run --help");
  EXPECT_NE(help.out.find("Exit status: 0 completed; 3"), std::string::npos) << help.out;
}

}  // namespace
}  // namespace aifabric
