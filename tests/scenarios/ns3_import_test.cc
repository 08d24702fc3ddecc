// ns-3 import end to end: a k=4 fat-tree from our builder, written out in the ns-3
// RDMA topology format (hosts numbered first, as the builder numbers them) with a
// flow file beside it, must read back as the same graph and flows, run to completion
// on the engine, and yield one fct.txt line per flow.
#include <gtest/gtest.h>

#include <cstdio>
#include <sstream>
#include <string>

#include "aifabric/telemetry/sinks/fct_txt/fct_txt.h"
#include "aifabric/topo/builders/fat_tree/fat_tree.h"
#include "aifabric/topo/builders/leaf_spine/leaf_spine.h"
#include "aifabric/topo/builders/rail_optimized/rail_optimized.h"
#include "aifabric/topo/import/ns3_topology.h"
#include "aifabric/workload/traffic/ns3/ns3_flows.h"
#include "tests/test_fabric.h"

namespace aifabric {
namespace {

// ns-3 writes delays in milliseconds ("0.001ms"); the reader must take them.
std::string ms_text(Time t) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.9gms", t.to_ms());
  return buf;
}

std::string write_ns3_topology(const TopologyGraph& g) {
  std::ostringstream out;
  out << g.nodes().size() << ' ' << g.switch_count() << ' ' << g.links().size() << '\n';
  for (uint32_t n = 0; n < g.nodes().size(); ++n) {
    if (g.nodes()[n].kind == NodeKind::kSwitch) out << n << ' ';
  }
  out << '\n';
  for (const TopoLink& l : g.links()) {
    out << l.a << ' ' << l.b << ' ' << l.params.rate.bits_per_second() / 1'000'000'000 << "Gbps "
        << ms_text(l.params.delay) << ' ' << l.params.loss_rate << '\n';
  }
  out << "\nFirst line: total node #, switch node #, link #\n"
         "Second line: switch node IDs...\n"
         "src0 dst0 rate delay error_rate\n";
  return out.str();
}

TEST(Ns3Import, FatTreeRoundTripsAndRuns) {
  FatTreeConfig ft;
  ft.k = 4;
  ft.host_link.rate = BitRate::gbps(100);
  ft.host_link.delay = Time::us(1);
  ft.edge_agg_link.rate = BitRate::gbps(200);
  ft.edge_agg_link.delay = Time::ns(500);
  ft.agg_core_link.rate = BitRate::gbps(400);
  ft.agg_core_link.delay = Time::us(2);
  ASSERT_TRUE(ft.validate().is_ok());
  const TopologyGraph built = build_fat_tree(ft);
  ASSERT_EQ(built.hosts().size(), 16u);
  ASSERT_EQ(built.switch_count(), 20u);

  std::istringstream topo_in(write_ns3_topology(built));
  auto read = read_ns3_topology(topo_in, "fat_tree.txt");
  ASSERT_TRUE(read.is_ok()) << read.status().message();
  const TopologyGraph& g = *read;

  ASSERT_EQ(g.nodes().size(), built.nodes().size());
  for (uint32_t n = 0; n < g.nodes().size(); ++n) {
    EXPECT_EQ(g.nodes()[n].kind, built.nodes()[n].kind) << n;
    EXPECT_EQ(g.nodes()[n].ext_id, n);
  }
  EXPECT_EQ(g.hosts(), built.hosts());
  ASSERT_EQ(g.links().size(), built.links().size());
  for (size_t i = 0; i < g.links().size(); ++i) {
    const TopoLink& a = g.links()[i];
    const TopoLink& b = built.links()[i];
    EXPECT_EQ(a.a, b.a) << i;
    EXPECT_EQ(a.b, b.b) << i;
    EXPECT_EQ(a.params.rate, b.params.rate) << i;
    EXPECT_EQ(a.params.delay, b.params.delay) << i;
    EXPECT_EQ(a.params.loss_rate, b.params.loss_rate) << i;
  }

  // A shifted permutation: host i sends to host i+5 (other edge and mostly other
  // pod), sizes and start times differing per flow.
  std::vector<FlowSpec> want;
  std::ostringstream flow_text;
  flow_text << "16\n";
  for (uint32_t i = 0; i < 16; ++i) {
    FlowSpec f;
    f.id = i;
    f.src = i;
    f.dst = (i + 5) % 16;
    f.size = 256 * 1024 + int64_t{i} * 4096;
    f.start = Time::us(i);
    f.dport = 100;
    want.push_back(f);
    char start[32];
    std::snprintf(start, sizeof start, "%.9g", f.start.to_seconds());
    flow_text << built.nodes()[built.hosts()[f.src]].ext_id << ' '
              << built.nodes()[built.hosts()[f.dst]].ext_id << " 3 100 " << f.size << ' ' << start
              << '\n';
  }
  flow_text << "\nFirst line: flow #\nsrc dst priority dst_port bytes start_time\n";
  std::istringstream flow_in(flow_text.str());
  auto flows = read_ns3_flows(flow_in, "flow.txt", g);
  ASSERT_TRUE(flows.is_ok()) << flows.status().message();
  ASSERT_EQ(flows->size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    const FlowSpec& f = (*flows)[i];
    EXPECT_EQ(f.id, want[i].id);
    EXPECT_EQ(f.src, want[i].src);
    EXPECT_EQ(f.dst, want[i].dst);
    EXPECT_EQ(f.size, want[i].size);
    EXPECT_EQ(f.start, want[i].start) << i;
    EXPECT_EQ(f.priority, 3);
    EXPECT_EQ(f.dport, 100);
  }

  testing::TestFabric tf;
  tf.graph = g;
  Network& net = tf.build();
  ASSERT_TRUE(net.add_flows(*flows).is_ok());
  net.run(Time::sec(1));
  for (uint32_t i = 0; i < net.flows().size(); ++i) {
    const FlowOutcome o = net.outcome(i);
    ASSERT_NE(o.sender, nullptr) << i;
    EXPECT_EQ(o.sender->state(), SenderQp::State::kDone) << i;
    EXPECT_EQ(o.receiver->stats().accepted_bytes, o.spec->size) << i;
  }
  testing::expect_conservation(net);

  std::ostringstream fct;
  write_fct_txt(fct, collect_fabric_record(net, net.sim().now()).flows, net.graph());
  std::istringstream lines(fct.str());
  std::string row;
  size_t count = 0;
  while (std::getline(lines, row)) {
    ++count;
    std::istringstream f(row);
    std::string sip, dip;
    uint32_t sport = 0, dport = 0;
    int64_t bytes = 0, start = 0, fct_ns = 0, standalone = 0;
    f >> sip >> dip >> sport >> dport >> bytes >> start >> fct_ns >> standalone;
    ASSERT_TRUE(f && f.eof()) << row;
    // Host i is ns-3 node i here, so the source address names the flow.
    uint32_t src = 16;
    for (uint32_t h = 0; h < 16; ++h) {
      if (ns3_ip(h) == sip) src = h;
    }
    ASSERT_LT(src, 16u) << row;
    const FlowSpec& w = want[src];
    EXPECT_EQ(dip, ns3_ip(w.dst)) << row;
    EXPECT_EQ(dport, 100u) << row;
    EXPECT_EQ(bytes, w.size) << row;
    EXPECT_EQ(start, w.start.ps() / 1000) << row;
    // Serializing the flow at the 100 Gbps host link alone takes size * 80 ps; the
    // idle-fabric time adds the path; contention only adds more.
    EXPECT_GT(standalone, w.size * 8 / 100) << row;
    EXPECT_GE(static_cast<double>(fct_ns), 0.99 * static_cast<double>(standalone)) << row;
    EXPECT_LT(fct_ns, 1'000'000'000) << row;
  }
  EXPECT_EQ(count, want.size());
}

}  // namespace
}  // namespace aifabric
