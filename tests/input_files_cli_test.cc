// Bad input files and overrides through the real binary: each is refused with exit
// status 2 and one line naming the input and why, quickly and in bounded memory, and
// nothing is written (docs/reliability.md lists what is checked).
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>

#include "tests/cli_util.h"

namespace {

using namespace aifabric::testing;  // NOLINT(google-build-using-namespace)
const std::string kExamples = std::string(AIFABRIC_SOURCE_DIR) + "/examples/";

// Exit 2, one line that contains `needle`, no raw control byte, no output folder.
void expect_refused(const std::string& args, const std::string& needle, const fs::path& out) {
  const Cmd c = run_cli(args + " --out '" + out.string() + "'");
  EXPECT_EQ(c.status, 2) << args << "\n" << c.out;
  EXPECT_NE(c.out.find(needle), std::string::npos) << args << "\n" << c.out;
  EXPECT_EQ(std::count(c.out.begin(), c.out.end(), '\n'), 1) << "one line: " << c.out;
  EXPECT_TRUE(std::none_of(c.out.begin(), c.out.end() - (c.out.empty() ? 0 : 1),
                           [](char ch) { return static_cast<unsigned char>(ch) < 0x20; }))
      << "control bytes are escaped: " << c.out;
  EXPECT_FALSE(fs::exists(out)) << "nothing may be written for bad input";
}

TEST(InputFiles, SetOverridesAreQuotedAndNeverAbort) {
  const fs::path d = fresh_dir("set");
  const fs::path out = d / "out";
  const std::string def = kExamples + "default.yaml";
  // std::stoul threw std::out_of_range here: the binary aborted.
  expect_refused("run " + def + " --set traffic.99999999999999999999999=x",
                 "aifabric: --set traffic.99999999999999999999999=x: index "
                 "99999999999999999999999 is past the end of the list (2 items)",
                 out);
  // Errors from reading an override's value name the override, not the default
  // scenario the user never saw ("default scenario:1: ...").
  expect_refused("run --set switch.buffer=big",
                 "aifabric: --set switch.buffer=big: switch.buffer: 'big' is not a size", out);
  expect_refused("run " + def + " --set traffic.0.size=1.5B",
                 "aifabric: --set traffic.0.size=1.5B: traffic.0.size: size '1.5B' is not a whole "
                 "number of bytes",
                 out);
  expect_refused("run --set nonsense", "aifabric: --set nonsense: expected key.path=value", out);
  expect_refused("run --set 'topology=[1'", "aifabric: --set topology=[1: ", out);
  expect_refused("run --set 'seed.x=1'", "aifabric: --set seed.x=1: 'seed' is a value, not a map",
                 out);
  expect_refused("run --set 'topology={type: fat_tree, k: 4, k: 6}'",
                 "aifabric: --set topology={type: fat_tree, k: 4, k: 6}: topology.k: the key "
                 "appears twice",
                 out);
  // A section check that fails because of an override names the override.
  expect_refused("run --set 'topology={type: fat_tree, k: 4}' --set topology.k=5",
                 "aifabric: --set topology.k=5: topology: k must be even", out);
  // Keys the default's leaf_spine left behind are the type override's doing.
  expect_refused("run --set topology.type=fat_tree",
                 "aifabric: --set topology.type=fat_tree: topology.leaves: unknown key for "
                 "type 'fat_tree'",
                 out);
  fs::remove_all(d);
}

TEST(InputFiles, DuplicateYamlKeysAreRefused) {
  const fs::path d = fresh_dir("dup");
  const fs::path out = d / "out";
  expect_refused("run " + put(d / "a.yaml",
                              "topology: {type: leaf_spine, leaves: 2, leaves: 3}\n"
                              "traffic: [{type: permutation}]\n"),
                 "a.yaml:1: topology.leaves: the key appears twice (first on line 1)", out);
  expect_refused("run " + put(d / "b.yaml",
                              "topology:\n  type: leaf_spine\n  leaves: 2\n  leaves: 3\n"
                              "traffic: [{type: permutation}]\n"),
                 "b.yaml:4: topology.leaves: the key appears twice (first on line 3)", out);
  expect_refused("run " + put(d / "c.yaml", "traffic: [{type: permutation}]\nseed: 1\nseed: 2\n"),
                 "c.yaml:3: seed: the key appears twice (first on line 2)", out);
  fs::remove_all(d);
}

TEST(InputFiles, UnknownKeysAreReportedFirst) {
  const fs::path d = fresh_dir("unknown");
  const fs::path out = d / "out";
  // Was "traffic: the list is empty": the check ran before the unknown key was seen.
  expect_refused("run " + put(d / "a.yaml", "trafic:\n  - {type: permutation}\n"),
                 "a.yaml:1: trafic: unknown key (known here: ", out);
  // ... also before a value error or a section check elsewhere in the file.
  expect_refused("run " + put(d / "b.yaml",
                              "topology: {type: fat_tree, k: 5}\n"
                              "switch: {buffer: 3 furlongs}\n"
                              "traffic: [{type: permutation, sise: 1MiB}]\n"),
                 "b.yaml:3: traffic.0.sise: unknown key for type 'permutation'", out);
  fs::remove_all(d);
}

TEST(InputFiles, NumbersAreParsedStrictly) {
  const fs::path d = fresh_dir("numbers");
  const fs::path out = d / "out";
  const std::string traffic = "traffic: [{type: permutation}]\n";
  expect_refused("run " + put(d / "a.yaml", "switch: {ecn: {p_max: 0x0.8p0}}\n" + traffic),
                 "a.yaml:1: switch.ecn.p_max: '0x0.8p0' is not a number", out);
  expect_refused("run " + put(d / "b.yaml", "seed: 0x10\n" + traffic),
                 "b.yaml:1: seed: '0x10' is not an integer", out);
  expect_refused("run " + put(d / "c.yaml", "switch: {ecn: {p_max: inf}}\n" + traffic),
                 "c.yaml:1: switch.ecn.p_max: 'inf' is not a number", out);
  expect_refused("run " + put(d / "e.yaml", "switch: {ecn: {p_max: .nan}}\n" + traffic),
                 "e.yaml:1: switch.ecn.p_max: '.nan' is not a number", out);
  expect_refused("run " + put(d / "f.yaml", "traffic: [{type: permutation, size: 1.5B}]\n"),
                 "f.yaml:1: traffic.0.size: size '1.5B' is not a whole number of bytes", out);
  const std::string csv = put(d / "flows.csv", "src,dst,bytes,start\n0,1,1KiB,0us\n2,3,1.5B,0us\n");
  expect_refused("run " + put(d / "g.yaml", "traffic: [{type: file, file: flows.csv}]\n"),
                 "traffic.0: " + csv + ":3: column 'bytes': size '1.5B' is not a whole number",
                 out);
  put(d / "inf.csv", "src,dst,bytes,start\n0,1,1KiB,infus\n");
  expect_refused("run " + put(d / "h.yaml", "traffic: [{type: file, file: inf.csv}]\n"),
                 "inf.csv:2: column 'start': 'infus' is not a time", out);
  fs::remove_all(d);
}

TEST(InputFiles, TextChecksBomCrOnlyAndControlBytes) {
  const fs::path d = fresh_dir("text");
  const fs::path out = d / "out";
  const std::string bom = "\xEF\xBB\xBF";
  // A UTF-8 byte order mark is dropped from every kind of file.
  put(d / "bom.csv", bom + "src,dst,bytes,start\r\n0,1,64KiB,0us\r\n");
  const std::string yaml = put(d / "bom.yaml", bom +
                                                   "topology: {type: leaf_spine, leaves: 2, "
                                                   "spines: 1, hosts_per_leaf: 2}\n"
                                                   "traffic: [{type: file, file: bom.csv}]\n");
  const Cmd ok = run_cli("validate " + yaml);
  EXPECT_EQ(ok.status, 0) << ok.out;
  const std::string topo = put(d / "topo.txt", bom +
                                                   "3 1 2\n2\n0 2 100Gbps 1us 0\n"
                                                   "1 2 100Gbps 1us 0\n");
  const std::string flows = put(d / "flow.txt", bom + "1\n0 1 3 100 1000 0\n");
  const Cmd ns3 = run_cli("validate --ns3-topology " + topo + " --ns3-flows " + flows);
  EXPECT_EQ(ns3.status, 0) << ns3.out;

  // CR-only (old Mac) line ends are named as such, in each kind of file.
  expect_refused("run " + put(d / "cr.yaml", "seed: 1\rtraffic: [{type: permutation}]\r"),
                 "cr.yaml:1: line ends are CR only", out);
  put(d / "cr.csv", "src,dst,bytes,start\r0,1,1KiB,0us\r");
  expect_refused("run " + put(d / "crcsv.yaml", "traffic: [{type: file, file: cr.csv}]\n"),
                 "cr.csv:1: line ends are CR only", out);
  expect_refused("run --ns3-topology " + put(d / "cr.txt", "3 1 2\r2\r0 2 100Gbps 1us 0\r"),
                 "cr.txt:1: line ends are CR only", out);
  expect_refused("run --ns3-topology " + topo + " --ns3-flows " +
                     put(d / "crflow.txt", "1\r0 1 3 100 1000 0\r"),
                 "crflow.txt:1: line ends are CR only", out);

  // NUL and other control bytes are refused and shown escaped, never raw.
  expect_refused("run " + put(d / "nul.yaml", std::string("name: a\0b\n", 10)),
                 "nul.yaml:1: byte \\x00 at column 8 is not text", out);
  put(d / "esc.csv", "src,dst,bytes,start\n0,1,1\x1b[31mKB,0us\n");
  expect_refused("run " + put(d / "esc.yaml", "traffic: [{type: file, file: esc.csv}]\n"),
                 "esc.csv:2: byte \\x1b at column 6 is not text", out);
  expect_refused("run --ns3-topology " + topo + " --ns3-flows " +
                     put(d / "nulflow.txt", std::string("1\n0 1 3 100\0 1000 0\n", 20)),
                 "nulflow.txt:2: byte \\x00 at column 10 is not text", out);
  // A control character a YAML escape put into a string value is refused too.
  expect_refused(
      "run " + put(d / "escname.yaml", "name: \"a\\0b\\e[31m\"\ntraffic: [{type: permutation}]\n"),
      "escname.yaml:1: name: 'a\\x00b\\x1b[31m' contains a control character", out);
  fs::remove_all(d);
}

TEST(InputFiles, DevicesAndHugeFilesFailFast) {
  const fs::path d = fresh_dir("size");
  const fs::path out = d / "out";
  // Each of these read /dev/zero until memory ran out.
  expect_refused("run /dev/zero", "aifabric: /dev/zero: not a regular file", out);
  expect_refused("run --ns3-topology /dev/zero",
                 "aifabric: topology: file: '/dev/zero' is not a regular file", out);
  const std::string topo = put(d / "topo.txt", "3 1 2\n2\n0 2 100Gbps 1us 0\n1 2 100Gbps 1us 0\n");
  expect_refused("run --ns3-topology " + topo + " --ns3-flows /dev/zero",
                 "aifabric: traffic.0: file: '/dev/zero' is not a regular file", out);
  expect_refused("run " + put(d / "z.yaml", "traffic: [{type: file, file: /dev/zero}]\n"),
                 "aifabric: traffic.0: file: '/dev/zero' is not a regular file", out);
  // A scenario is at most 1 MiB.
  const std::string big = put(d / "big.yaml", "# " + std::string(2 << 20, 'x') + "\n");
  expect_refused("run " + big, big + ": larger than 1 MiB", out);
  fs::remove_all(d);
}

// GCC says __SANITIZE_ADDRESS__, clang __has_feature(address_sanitizer).
#if defined(__SANITIZE_ADDRESS__)
constexpr bool kAsan = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kAsan = true;
#else
constexpr bool kAsan = false;
#endif
#else
constexpr bool kAsan = false;
#endif

TEST(InputFiles, HeaderCountsAreCheckedBeforeAllocating) {
  if (kAsan) GTEST_SKIP() << "AddressSanitizer reserves more address space than ulimit -v allows";
  const fs::path d = fresh_dir("counts");
  const fs::path out = d / "out";
  // 38 bytes that took 1.4 GB and 13 s: 16M nodes allocated before the links were read.
  const std::string topo = put(d / "nodes.txt", "16777216 0 1\n0 1 100Gbps 0.001ms 0\n");
  const std::string flows = put(d / "flows.txt", "4294967295\n0 1 3 100 1000 0\n");
  const std::string small =
      put(d / "small.txt", "3 1 2\n2\n0 2 100Gbps 1us 0\n1 2 100Gbps 1us 0\n");
  struct Case {
    std::string args, needle;
  };
  const Case cases[] = {
      {"--ns3-topology " + topo,
       "nodes.txt:1: the header declares 16777216 hosts (nodes that are not switches) but 1 "
       "links"},
      {"--ns3-topology " + small + " --ns3-flows " + flows,
       "flows.txt:1: the header declares 4294967295 flows, but only 1 lines"},
  };
  for (const Case& c : cases) {
    // 400 MB of address space is several times what the binary needs to refuse these.
    const Cmd r = shell("ulimit -v 400000; \"$B\" run " + c.args + " --out '" + out.string() + "'");
    EXPECT_EQ(r.status, 2) << r.out;
    EXPECT_NE(r.out.find(c.needle), std::string::npos) << r.out;
    EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 1) << r.out;
    EXPECT_LT(r.seconds, 2.0) << c.args;
    EXPECT_FALSE(fs::exists(out));
  }
  fs::remove_all(d);
}

}  // namespace
