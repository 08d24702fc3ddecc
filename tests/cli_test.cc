// The command line as a user meets it: exit status 2 and one line naming the problem
// for every kind of bad input, with nothing written; reproducible results per seed.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "tests/cli_util.h"

namespace {

using namespace aifabric::testing;  // NOLINT(google-build-using-namespace)

// Every bad input: exit 2, a single line that names the key or line, no output folder.
void expect_refused(const std::string& args, const std::string& needle, const fs::path& out) {
  const Cmd c = run_cli(args + " --out " + out.string());
  EXPECT_EQ(c.status, 2) << c.out;
  EXPECT_NE(c.out.find(needle), std::string::npos) << c.out;
  EXPECT_EQ(std::count(c.out.begin(), c.out.end(), '\n'), 1) << "one line: " << c.out;
  EXPECT_FALSE(fs::exists(out)) << "nothing may be written for bad input";
}

TEST(Cli, BadInputsAreRefusedWithoutWriting) {
  const fs::path d = fresh_dir("bad");
  const fs::path out = d / "out";
  expect_refused("run " + put(d / "a.yaml", "switch:\n  ecn: {kmin: 5KB}\n"),
                 "a.yaml:2: switch.ecn.kmin: unknown key", out);
  expect_refused("run " + put(d / "b.yaml", "switch: {buffer: 3 furlongs}\n"),
                 "b.yaml:1: switch.buffer: unknown size unit 'furlongs'", out);
  expect_refused("run " + put(d / "c.yaml", "traffic: [{type: permutation, size: -1MiB}]\n"),
                 "traffic.0.size: '-1MiB' is negative", out);
  expect_refused("run " + put(d / "d.yaml", "topology: {type: fat_tree, k: 5}\n"),
                 "topology: k must be even", out);
  expect_refused("run " + (d / "missing.yaml").string(), "missing.yaml: cannot read the file", out);
  expect_refused("run --set switch.buffer=big", "switch.buffer: 'big' is not a size", out);
  expect_refused("run --ns3-topology " + (d / "nope.txt").string(), "cannot read", out);
  const std::string ring = std::string(AIFABRIC_SOURCE_DIR) + "/examples/lb-ring.yaml";
  expect_refused(
      "run " + ring + " --set workload.ranks=100",
      "workload.ranks: 100 ranks, but a collective needs at least 2 and the topology has 32", out);
  expect_refused("run " + ring + " --set topology.failed_links=leaf0-spine9",
                 "failed_links: 'leaf0-spine9': expected nodeA-nodeB", out);
  expect_refused("run " + ring + " --set topology.failed_links=leaf0-leaf1",
                 "failed_links: 'leaf0-leaf1': leaf0 and leaf1 are not linked", out);
  expect_refused("run " + ring + " --set topology.degraded_links=leaf0-spine0",
                 "degraded_links: 'leaf0-spine0': expected nodeA-nodeB=RATE", out);
  expect_refused(
      "run " + ring + " --set lb.algorithm=planned --set topology.failed_links=host0-leaf0",
      "cannot reach host host0 (the topology is disconnected", out);
  fs::remove_all(d);
}

TEST(Cli, HelpExplainsEveryCommand) {
  for (const char* sub : {"run", "validate", "list"}) {
    const Cmd c = run_cli(std::string(sub) + " --help");
    EXPECT_EQ(c.status, 0);
    EXPECT_NE(c.out.find("Example"), std::string::npos) << sub << ": " << c.out;
  }
}

TEST(Cli, SameSeedSameFlowsOtherSeedOtherPaths) {
  const fs::path d = fresh_dir("seed");
  const std::string scenario = put(d / "s.yaml", R"(
name: seeds
topology: {type: fat_tree, k: 4}
traffic: [{type: permutation, size: 256KiB}]
)");
  ASSERT_EQ(run_cli("run " + scenario + " --quiet --seed 1 --out " + (d / "a").string()).status, 0);
  ASSERT_EQ(run_cli("run " + scenario + " --quiet --seed 1 --out " + (d / "b").string()).status, 0);
  ASSERT_EQ(run_cli("run " + scenario + " --quiet --seed 2 --out " + (d / "c").string()).status, 0);
  EXPECT_EQ(read_text(d / "a" / "flows.csv"), read_text(d / "b" / "flows.csv"));
  EXPECT_EQ(read_text(d / "a" / "ports.csv"), read_text(d / "b" / "ports.csv"));
  // Another seed draws other source ports and hash seeds: the per-port byte counts
  // (which links the flows took) differ.
  EXPECT_NE(read_text(d / "a" / "ports.csv"), read_text(d / "c" / "ports.csv"));
  fs::remove_all(d);
}

TEST(Cli, ValidateAndList) {
  const Cmd v = run_cli("validate");
  EXPECT_EQ(v.status, 0) << v.out;
  EXPECT_NE(v.out.find("ok: default (32 hosts"), std::string::npos) << v.out;
  const Cmd l = run_cli("list");
  EXPECT_EQ(l.status, 0);
  EXPECT_NE(l.out.find("k_min"), std::string::npos);
  // A scheme that reorders with go-back-N receivers runs, with a note saying why it
  // will be slow and what to set; with selective recovery there is nothing to say.
  const Cmd gbn = run_cli("validate --set lb.algorithm=spray");
  EXPECT_EQ(gbn.status, 0) << gbn.out;
  EXPECT_NE(gbn.out.find("note: lb spray delivers packets out of order"), std::string::npos)
      << gbn.out;
  const Cmd sel = run_cli("validate --set lb.algorithm=spray --set transport.recovery=selective");
  EXPECT_EQ(sel.status, 0) << sel.out;
  EXPECT_EQ(sel.out.find("note:"), std::string::npos) << sel.out;
}

}  // namespace

#include "aifabric/topo/builders/fat_tree/fat_tree.h"
#include "aifabric/topo/builders/leaf_spine/leaf_spine.h"
#include "aifabric/topo/builders/rail_optimized/rail_optimized.h"

namespace {

// The same small fat-tree and flows, once as ns-3 RDMA files and once as a YAML
// scenario with a CSV flow list: both runs must carry the same flows with the same
// sizes and start times, and complete them all.
TEST(Cli, Ns3FilesRunLikeTheEquivalentYamlScenario) {
  const fs::path d = fresh_dir("ns3");
  aifabric::FatTreeConfig ft;
  ft.k = 4;
  const aifabric::TopologyGraph g = aifabric::build_fat_tree(ft);
  std::ostringstream topo;
  topo << g.nodes().size() << " " << g.switch_count() << " " << g.links().size() << "\n";
  for (uint32_t i = 0; i < g.nodes().size(); ++i) {
    if (g.nodes()[i].kind == aifabric::NodeKind::kSwitch) topo << i << " ";
  }
  topo << "\n";
  for (const auto& l : g.links()) topo << l.a << " " << l.b << " 400Gbps 0.001ms 0\n";
  put(d / "topo.txt", topo.str());
  // 6 flows: ns-3 node ids equal host indices here (hosts come first).
  const int flows[][3] = {{0, 15, 1 << 20}, {3, 8, 300000},   {5, 1, 2 << 20},
                          {9, 12, 70000},   {14, 2, 1 << 19}, {7, 6, 4096}};
  std::ostringstream ns3, csv;
  ns3 << "6\n";
  csv << "src,dst,bytes,start,priority\n";
  int i = 0;
  for (const auto& f : flows) {
    ns3 << f[0] << " " << f[1] << " 3 100 " << f[2] << " " << 0.00001 * i << "\n";
    csv << f[0] << "," << f[1] << "," << f[2] << "," << 10 * i << "us,3\n";
    ++i;
  }
  put(d / "flow.txt", ns3.str());
  put(d / "flows.csv", csv.str());
  const std::string yaml = put(d / "s.yaml",
                               "name: yaml-twin\n"
                               "topology: {type: fat_tree, k: 4, host_link: {delay: 1us},\n"
                               "  edge_agg_link: {delay: 1us}, agg_core_link: {delay: 1us}}\n"
                               "traffic: [{type: file, file: flows.csv}]\n");
  const Cmd a =
      run_cli("run --quiet --ns3-topology " + (d / "topo.txt").string() + " --ns3-flows " +
              (d / "flow.txt").string() + " --out " + (d / "a").string());
  ASSERT_EQ(a.status, 0) << a.out;
  const Cmd b = run_cli("run --quiet " + yaml + " --out " + (d / "b").string());
  ASSERT_EQ(b.status, 0) << b.out;
  // Compare src-index, dst-index, size and start of every row; all must be done.
  auto rows = [](const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    std::string line;
    std::getline(in, line);  // header
    while (std::getline(in, line)) {
      std::vector<std::string> c;
      std::stringstream ls(line);
      std::string cell;
      while (std::getline(ls, cell, ',')) c.push_back(cell);
      // size_bytes (6), start_us (7), status (17); hosts by index from the name's digits
      auto idx = [](const std::string& name) {
        return name.substr(name.find_first_of("0123456789"));
      };
      out.push_back(idx(c[1]) + ">" + idx(c[2]) + " " + c[6] + "B @" + c[7] + " " + c[17]);
    }
    return out;
  };
  const auto ra = rows(read_text(d / "a" / "flows.csv"));
  const auto rb = rows(read_text(d / "b" / "flows.csv"));
  ASSERT_EQ(ra.size(), 6u);
  EXPECT_EQ(ra, rb);
  for (const auto& r : ra) EXPECT_NE(r.find(" done"), std::string::npos) << r;
  // fct.txt: one line per flow in the ns-3 layout (8 fields).
  std::istringstream fct(read_text(d / "a" / "fct.txt"));
  std::string line;
  int lines = 0;
  while (std::getline(fct, line)) {
    std::istringstream ls(line);
    std::string f;
    int fields = 0;
    while (ls >> f) ++fields;
    EXPECT_EQ(fields, 8) << line;
    ++lines;
  }
  EXPECT_EQ(lines, 6);
  fs::remove_all(d);
}

}  // namespace

namespace {

// The collective benchmark prints nccl-tests' columns; busbw = algbw x 2(n-1)/n for
// all-reduce (nccl-tests PERFORMANCE.md), and bad options are refused.
TEST(Cli, CollectiveTableInNcclTestsLayout) {
  const Cmd c = run_cli("collective --op allreduce --ranks 8 --sizes 1MiB:4MiB");
  ASSERT_EQ(c.status, 0) << c.out;
  EXPECT_NE(c.out.find("size(B)"), std::string::npos);
  EXPECT_NE(c.out.find("busbw(GB/s)"), std::string::npos);
  std::istringstream in(c.out);
  std::string line;
  int rows = 0;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream ls(line);
    double size = 0, count = 0, time = 0, alg = 0, bus = 0;
    std::string type;
    ls >> size >> count >> type >> time >> alg >> bus;
    EXPECT_EQ(count, size / 4);
    EXPECT_NEAR(alg, size / (time * 1e-6) / 1e9, 0.01 * alg);
    EXPECT_NEAR(bus, alg * 2 * 7 / 8, 0.01 * bus);
    ++rows;
  }
  EXPECT_EQ(rows, 3);  // 1, 2, 4 MiB
  const Cmd bad = run_cli("collective --op allgossip");
  EXPECT_EQ(bad.status, 2);
  EXPECT_NE(bad.out.find("--op 'allgossip'"), std::string::npos);
  EXPECT_EQ(run_cli("collective --sizes 4MiB:1MiB").status, 2);
  EXPECT_EQ(run_cli("collective --ranks 12 --algo halving_doubling").status, 2);
}

// The NCCL model's flags: one channel per NIC is the default (8 on 8-GPU servers), one
// channel uses one NIC per server; bad values are one line naming the flag, exit 2.
// The busbw column of a collective table's last row.
double last_busbw(const std::string& out) {
  std::istringstream in(out);
  std::string line;
  double bus = 0;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream ls(line);
    double size = 0, count = 0, time = 0, alg = 0;
    std::string type;
    ls >> size >> count >> type >> time >> alg >> bus;
  }
  return bus;
}

TEST(Cli, CollectiveNcclFlags) {
  const auto busbw = last_busbw;
  const Cmd all = run_cli("collective --algo ring --ranks 32 --gpus-per-node 8 --sizes 256MiB");
  ASSERT_EQ(all.status, 0) << all.out;
  EXPECT_NE(all.out.find("protocol auto, channels auto"), std::string::npos) << all.out;
  const Cmd one =
      run_cli("collective --algo ring --ranks 32 --gpus-per-node 8 --sizes 256MiB --channels 1");
  ASSERT_EQ(one.status, 0) << one.out;
  EXPECT_GT(busbw(all.out), 4 * busbw(one.out)) << all.out << one.out;
  for (const std::string& bad :
       {std::string("--protocol ll64"), std::string("--nvlink-efficiency 1.5"),
        std::string("--nvlink-rate fast"), std::string("--channels 100")}) {
    const Cmd c = run_cli("collective " + bad);
    EXPECT_EQ(c.status, 2) << bad << ": " << c.out;
    EXPECT_NE(c.out.find(bad.substr(0, bad.find(' '))), std::string::npos) << c.out;
  }
}

// --algo nvls on one 8-GPU H100 domain: busbw above the ring's by most of the byte-count
// gain 2(n-1)/(n+1) = 1.56 (collectives/nvls_test.cc states the theory), the bytes GPU 0
// put into the switch printed (S 9/8); across servers or with a bad rate it is refused.
TEST(Cli, CollectiveNvls) {
  const std::string h100 =
      "collective --ranks 8 --gpus-per-node 8 --sizes 1GiB --nvlink-rate 3600Gbps ";
  const Cmd nvls = run_cli(h100 + "--algo nvls");
  ASSERT_EQ(nvls.status, 0) << nvls.out;
  EXPECT_NE(nvls.out.find("(1.125 x size) into the NVSwitch"), std::string::npos) << nvls.out;
  const Cmd ring = run_cli(h100 + "--algo ring");
  ASSERT_EQ(ring.status, 0) << ring.out;
  EXPECT_GT(last_busbw(nvls.out), 1.4 * last_busbw(ring.out)) << nvls.out << ring.out;
  const Cmd capped = run_cli(h100 + "--algo nvls --nvls-rate 1600Gbps");
  ASSERT_EQ(capped.status, 0) << capped.out;
  EXPECT_NEAR(last_busbw(capped.out) / (200 * 14.0 / 8), 1.0, 0.03) << capped.out;
  const Cmd across = run_cli("collective --algo nvls --ranks 16 --gpus-per-node 8");
  EXPECT_EQ(across.status, 2) << across.out;
  EXPECT_NE(across.out.find("--gpus-per-node"), std::string::npos) << across.out;
  const Cmd bad = run_cli(h100 + "--algo nvls --nvls-rate fast");
  EXPECT_EQ(bad.status, 2) << bad.out;
  EXPECT_NE(bad.out.find("--nvls-rate 'fast'"), std::string::npos) << bad.out;
}

}  // namespace

namespace {

// compare: one column per run from their summary.json; OpenMetrics: valid text
// exposition (families with TYPE, unit-suffixed names, _total counters, # EOF).
TEST(Cli, CompareAndOpenMetrics) {
  const fs::path d = fresh_dir("compare");
  const std::string scenario =
      put(d / "s.yaml",
          "topology: {type: leaf_spine, leaves: 2, spines: 1, hosts_per_leaf: 4}\n"
          "cc: {algorithm: none}\n"
          "telemetry: {openmetrics: true}\n"
          "traffic: [{type: incast, receiver: 4, fan_in: 6, size: 512KiB}]\n");
  ASSERT_EQ(run_cli("run " + scenario + " --quiet --out " + (d / "pfc").string()).status, 0);
  ASSERT_EQ(run_cli("run " + scenario +
                    " --quiet --set switch.pfc.enabled=false --set switch.buffer=256KiB --out " +
                    (d / "lossy").string())
                .status,
            0);
  const Cmd c = run_cli("compare " + (d / "pfc").string() + " " + (d / "lossy").string());
  ASSERT_EQ(c.status, 0) << c.out;
  EXPECT_NE(c.out.find("pfc"), std::string::npos);
  EXPECT_NE(c.out.find("lossy"), std::string::npos);
  EXPECT_NE(c.out.find("drops (packets)"), std::string::npos);
  EXPECT_EQ(run_cli("compare " + (d / "nothing").string()).status, 2);

  const std::string prom = read_text(d / "pfc" / "metrics.prom");
  EXPECT_EQ(prom.substr(prom.size() - 6), "# EOF\n");
  EXPECT_NE(prom.find("# TYPE aifabric_port_out_bytes_total counter"), std::string::npos);
  EXPECT_NE(prom.find("aifabric_port_out_bytes_total{node=\"host0\",port=\"0\",peer=\"leaf0\"}"),
            std::string::npos);
  EXPECT_NE(prom.find("# TYPE aifabric_port_queue_bytes gauge"), std::string::npos);
  // Prometheus' own checker, where installed (make test installs it): no error, no lint.
  if (std::system("command -v promtool >/dev/null 2>&1") == 0) {
    const Cmd check = shell("promtool check metrics < " + (d / "pfc" / "metrics.prom").string());
    EXPECT_EQ(check.status, 0) << check.out;
  }
  fs::remove_all(d);
}

}  // namespace
