// The command line as a user meets it: exit status 2 and one line naming the problem
// for every kind of bad input, with nothing written; reproducible results per seed.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace {

namespace fs = std::filesystem;

struct Cmd {
  int status;
  std::string out;  // stdout and stderr
};

Cmd run(const std::string& args) {
  const std::string cmd = std::string(AIFABRIC_BINARY) + " " + args + " 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  std::string out;
  std::array<char, 4096> buf{};
  while (fgets(buf.data(), buf.size(), p) != nullptr) out += buf.data();
  const int st = pclose(p);
  return {WIFEXITED(st) ? WEXITSTATUS(st) : -1, out};
}

fs::path temp_dir(const std::string& name) {
  fs::path d =
      fs::temp_directory_path() / ("aifabric_cli_" + name + "_" + std::to_string(getpid()));
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

std::string write(const fs::path& p, const std::string& text) {
  std::ofstream(p) << text;
  return p.string();
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Every bad input: exit 2, a single line that names the key or line, no output folder.
void expect_refused(const std::string& args, const std::string& needle, const fs::path& out) {
  const Cmd c = run(args + " --out " + out.string());
  EXPECT_EQ(c.status, 2) << c.out;
  EXPECT_NE(c.out.find(needle), std::string::npos) << c.out;
  EXPECT_EQ(std::count(c.out.begin(), c.out.end(), '\n'), 1) << "one line: " << c.out;
  EXPECT_FALSE(fs::exists(out)) << "nothing may be written for bad input";
}

TEST(Cli, BadInputsAreRefusedWithoutWriting) {
  const fs::path d = temp_dir("bad");
  const fs::path out = d / "out";
  expect_refused("run " + write(d / "a.yaml", "switch:\n  ecn: {kmin: 5KB}\n"),
                 "a.yaml:2: switch.ecn.kmin: unknown key", out);
  expect_refused("run " + write(d / "b.yaml", "switch: {buffer: 3 furlongs}\n"),
                 "b.yaml:1: switch.buffer: unknown size unit 'furlongs'", out);
  expect_refused("run " + write(d / "c.yaml", "traffic: [{type: permutation, size: -1MiB}]\n"),
                 "traffic.0.size: '-1MiB' is negative", out);
  expect_refused("run " + write(d / "d.yaml", "topology: {type: fat_tree, k: 5}\n"),
                 "topology: k must be even", out);
  expect_refused("run " + (d / "missing.yaml").string(), "missing.yaml: cannot read the file", out);
  expect_refused("run --set switch.buffer=big", "switch.buffer: 'big' is not a size", out);
  expect_refused("run --ns3-topology " + (d / "nope.txt").string(), "cannot read", out);
  fs::remove_all(d);
}

TEST(Cli, HelpExplainsEveryCommand) {
  for (const char* sub : {"run", "validate", "list"}) {
    const Cmd c = run(std::string(sub) + " --help");
    EXPECT_EQ(c.status, 0);
    EXPECT_NE(c.out.find("Example"), std::string::npos) << sub << ": " << c.out;
  }
}

TEST(Cli, SameSeedSameFlowsOtherSeedOtherPaths) {
  const fs::path d = temp_dir("seed");
  const std::string scenario = write(d / "s.yaml", R"(
name: seeds
topology: {type: fat_tree, k: 4}
traffic: [{type: permutation, size: 256KiB}]
)");
  ASSERT_EQ(run("run " + scenario + " --quiet --seed 1 --out " + (d / "a").string()).status, 0);
  ASSERT_EQ(run("run " + scenario + " --quiet --seed 1 --out " + (d / "b").string()).status, 0);
  ASSERT_EQ(run("run " + scenario + " --quiet --seed 2 --out " + (d / "c").string()).status, 0);
  EXPECT_EQ(slurp(d / "a" / "flows.csv"), slurp(d / "b" / "flows.csv"));
  EXPECT_EQ(slurp(d / "a" / "ports.csv"), slurp(d / "b" / "ports.csv"));
  // Another seed draws other source ports and hash seeds: the per-port byte counts
  // (which links the flows took) differ.
  EXPECT_NE(slurp(d / "a" / "ports.csv"), slurp(d / "c" / "ports.csv"));
  fs::remove_all(d);
}

TEST(Cli, ValidateAndList) {
  const Cmd v = run("validate");
  EXPECT_EQ(v.status, 0) << v.out;
  EXPECT_NE(v.out.find("ok: default (32 hosts"), std::string::npos) << v.out;
  const Cmd l = run("list");
  EXPECT_EQ(l.status, 0);
  EXPECT_NE(l.out.find("k_min"), std::string::npos);
}

}  // namespace
