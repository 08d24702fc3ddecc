// Chakra traces: nodes and attributes as read from protobuf bytes, every malformed or
// unmappable input refused by file and node (or byte), and the assembly of several
// ranks' traces into one graph (collectives by process group, sends with receives).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "aifabric/workload/chakra/chakra_et.pb.h"
#include "aifabric/workload/chakra/chakra_workload.h"
#include "aifabric/workload/collectives/collectives.h"

namespace aifabric {
namespace {

namespace pb = ::aifabric::chakra;

std::string varint(uint64_t v) {
  std::string out;
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
  return out;
}

std::string frame(const std::string& msg) {
  return varint(msg.size()) + msg;
}

std::string metadata() {
  pb::GlobalMetadata m;
  m.set_version("0.0.4");
  return frame(m.SerializeAsString());
}

pb::Node node(uint64_t id, pb::NodeType type, std::vector<uint64_t> deps = {}) {
  pb::Node n;
  n.set_id(id);
  n.set_name("n" + std::to_string(id));
  n.set_type(type);
  for (uint64_t d : deps) n.add_data_deps(d);
  return n;
}
void attr_int(pb::Node& n, const std::string& name, int64_t v) {
  pb::Attribute* a = n.add_attr();
  a->set_name(name);
  a->set_int64_val(v);
}
void attr_int32(pb::Node& n, const std::string& name, int32_t v) {
  pb::Attribute* a = n.add_attr();
  a->set_name(name);
  a->set_int32_val(v);
}
void attr_str(pb::Node& n, const std::string& name, const std::string& v) {
  pb::Attribute* a = n.add_attr();
  a->set_name(name);
  a->set_string_val(v);
}
pb::Node comp(uint64_t id, uint64_t micros, std::vector<uint64_t> deps = {}) {
  pb::Node n = node(id, pb::COMP_NODE, std::move(deps));
  n.set_duration_micros(micros);
  return n;
}
pb::Node coll(uint64_t id, int64_t type, int64_t bytes, std::vector<uint64_t> deps = {},
              const std::string& pg = "") {
  pb::Node n = node(id, pb::COMM_COLL_NODE, std::move(deps));
  attr_int(n, "comm_type", type);
  attr_int(n, "comm_size", bytes);
  if (!pg.empty()) attr_str(n, "pg_name", pg);
  return n;
}
pb::Node p2p(uint64_t id, bool send, int32_t peer, int64_t bytes, std::vector<uint64_t> deps = {},
             int32_t tag = 0) {
  pb::Node n = node(id, send ? pb::COMM_SEND_NODE : pb::COMM_RECV_NODE, std::move(deps));
  attr_int32(n, send ? "comm_dst" : "comm_src", peer);
  attr_int(n, "comm_size", bytes);
  attr_int32(n, "comm_tag", tag);
  return n;
}
std::string file(const std::vector<pb::Node>& nodes) {
  std::string out = metadata();
  for (const pb::Node& n : nodes) out += frame(n.SerializeAsString());
  return out;
}

TEST(ChakraTrace, ReadsNodesAndAttributes) {
  pb::Node cpu = comp(6, 999, {1});
  pb::Attribute* a = cpu.add_attr();
  a->set_name("is_cpu_op");
  a->set_bool_val(true);
  pb::Node meta = node(7, pb::METADATA_NODE, {6});
  meta.add_ctrl_deps(2);
  const std::string bytes =
      file({comp(1, 250), coll(2, pb::ALL_GATHER, 4096, {1}, "tp"), p2p(3, true, 1, 1000, {2}, 5),
            p2p(4, false, 1, 1000, {2}, 5), coll(5, pb::BARRIER, 0, {3, 4}), cpu, meta});
  auto t = read_chakra_trace(bytes, "r.0.et", 0, 2);
  ASSERT_TRUE(t.is_ok()) << t.status().message();
  EXPECT_EQ(t->version, "0.0.4");
  ASSERT_EQ(t->nodes.size(), 7u);
  EXPECT_EQ(t->nodes[0].kind, ChakraKind::kCompute);
  EXPECT_EQ(t->nodes[0].duration, Time::us(250));
  EXPECT_EQ(t->nodes[1].kind, ChakraKind::kCollective);
  EXPECT_EQ(t->nodes[1].op, static_cast<uint8_t>(CollectiveOp::kAllGather));
  EXPECT_EQ(t->nodes[1].bytes, 4096);
  EXPECT_EQ(t->nodes[1].group, "tp");
  EXPECT_EQ(t->nodes[1].deps, (std::vector<uint64_t>{1}));
  EXPECT_EQ(t->nodes[2].kind, ChakraKind::kSend);
  EXPECT_EQ(t->nodes[2].peer, 1u);
  EXPECT_EQ(t->nodes[2].tag, 5);
  EXPECT_EQ(t->nodes[3].kind, ChakraKind::kRecv);
  EXPECT_EQ(t->nodes[4].kind, ChakraKind::kBarrier);
  EXPECT_EQ(t->nodes[5].kind, ChakraKind::kPass);  // a CPU operator: dependencies only
  EXPECT_EQ(t->nodes[6].kind, ChakraKind::kPass);
  EXPECT_EQ(t->nodes[6].deps, (std::vector<uint64_t>{6, 2}));  // data, then control
}

TEST(ChakraTrace, RefusesBadInputNamingTheNodeOrByte) {
  pb::Node twice = coll(1, pb::ALL_REDUCE, 8);
  attr_int(twice, "comm_size", 8);
  pb::Node str_size = node(1, pb::COMM_COLL_NODE);
  attr_int(str_size, "comm_type", pb::ALL_REDUCE);
  attr_str(str_size, "comm_size", "8");
  pb::Node ops_only = node(1, pb::COMP_NODE);
  attr_int(ops_only, "num_ops", 1000);
  pb::Node long_dur = comp(1, 1'000'000'001);
  const std::string meta = metadata();
  struct Bad {
    std::string bytes;
    const char* message;
  };
  const Bad cases[] = {
      {"", "r.0.et: the file is empty (no GlobalMetadata)"},
      {meta + "\xff\xff\xff\xff\xff\xff",
       "r.0.et: byte 8: a message length that is cut or malformed"},
      {meta + varint(500) + "abc", "r.0.et: byte 8: a message of 500 bytes, but only 3 are left"},
      {meta + varint(uint64_t{1} << 25), "r.0.et: byte 8: a message of 33554432 bytes (at most"},
      {"\x03\x0f\x0f\x0f", "r.0.et: byte 0: the first message is not a Chakra GlobalMetadata"},
      {meta + frame("\x0f\x0f"), "r.0.et: byte 8: not a Chakra Node message"},
      {file({node(3, pb::MEM_LOAD_NODE)}), "r.0.et: node 3: MEM_LOAD_NODE cannot be mapped"},
      {file({node(3, static_cast<pb::NodeType>(42))}), "r.0.et: node 3: node type 42 cannot be"},
      {file({node(3, pb::INVALID_NODE)}), "r.0.et: node 3: node type 0 cannot be mapped"},
      {file({coll(4, pb::BROADCAST, 64)}), "r.0.et: node 4: collective BROADCAST cannot be mapped"},
      {file({coll(4, pb::REDUCE_SCATTER_BLOCK, 64)}),
       "r.0.et: node 4: collective REDUCE_SCATTER_BLOCK cannot be mapped"},
      {file({coll(4, 99, 64)}), "r.0.et: node 4: unknown comm_type 99"},
      {file({coll(4, pb::ALL_REDUCE, -1)}), "r.0.et: node 4: comm_size -1 is outside 0.."},
      {file({coll(4, pb::ALL_REDUCE, (int64_t{1} << 40) + 1)}),
       "r.0.et: node 4: comm_size 1099511627777 is outside"},
      {file({node(4, pb::COMM_COLL_NODE)}), "r.0.et: node 4: collective without comm_type"},
      {file({twice}), "r.0.et: node 1: attribute comm_size appears twice"},
      {file({str_size}), "r.0.et: node 1: attribute 'comm_size' is not an integer"},
      {file({p2p(5, true, 0, 8)}), "r.0.et: node 5: comm_dst 0 is this rank itself"},
      {file({p2p(5, false, 7, 8)}), "r.0.et: node 5: comm_src 7 is not a rank (0..1)"},
      {file({p2p(5, true, -3, 8)}), "r.0.et: node 5: comm_dst -3 is not a rank"},
      {file({p2p(5, true, 1, 0)}), "r.0.et: node 5: a send or receive of 0 bytes"},
      {file({ops_only}), "r.0.et: node 1: compute node with num_ops but no duration_micros"},
      {file({long_dur}), "r.0.et: node 1: duration_micros 1000000001 is above"},
      {file({comp(1, 5), comp(1, 6)}), "r.0.et: node 1: the id appears twice"},
      {file({comp(1, 5, {9})}), "r.0.et: node 1: depends on node 9, which is not in the file"},
      {file({comp(1, 5, {1})}), "r.0.et: node 1: depends on itself"},
  };
  for (const Bad& c : cases) {
    auto t = read_chakra_trace(c.bytes, "r.0.et", 0, 2);
    ASSERT_FALSE(t.is_ok()) << c.message;
    EXPECT_EQ(t.status().message().rfind(c.message, 0), 0u)
        << "want: " << c.message << "\nmessage: " << t.status().message();
  }
}

Result<std::vector<ChakraRankTrace>> read_all(const std::vector<std::string>& files) {
  std::vector<ChakraRankTrace> out;
  for (uint32_t r = 0; r < files.size(); ++r) {
    auto t = read_chakra_trace(files[r], "t." + std::to_string(r) + ".et", r,
                               static_cast<uint32_t>(files.size()));
    if (!t) return t.status();
    out.push_back(std::move(t).value());
  }
  return out;
}

// Two ranks: compute, an all-reduce of both, a send 0 -> 1 received by rank 1, and a
// pipeline-style dependency: rank 1's last compute waits for the receive.
TEST(ChakraWorkload, MatchesCollectivesAndSendsAcrossRanks) {
  auto traces = read_all({
      file({comp(1, 10), coll(2, pb::ALL_REDUCE, 1000, {1}), p2p(3, true, 1, 777, {2}, 4)}),
      file({comp(10, 30), coll(11, pb::ALL_REDUCE, 1000, {10}), p2p(12, false, 0, 777, {11}, 4),
            comp(13, 5, {12})}),
  });
  ASSERT_TRUE(traces.is_ok()) << traces.status().message();
  auto g = build_chakra_graph(*traces, ClusterMap::linear(2, 1), {});
  ASSERT_TRUE(g.is_ok()) << g.status().message();
  ASSERT_TRUE(validate_task_graph(*g, 2).is_ok());
  size_t computes = 0, transfers = 0;
  int64_t bytes = 0;
  for (const Task& t : g->tasks()) {
    (t.kind == TaskKind::kCompute ? computes : transfers) += 1;
    if (t.kind == TaskKind::kTransfer) bytes += t.bytes;
  }
  EXPECT_EQ(computes, 3u);
  // Ring all-reduce of 2 ranks: 2 steps x 2 transfers of 500 B; then the 777 B send.
  EXPECT_EQ(transfers, 5u);
  EXPECT_EQ(bytes, 4 * 500 + 777);
  // The send is one transfer 0 -> 1, after the all-reduce; the last compute waits for it.
  const Task& last = g->tasks().back();
  ASSERT_EQ(last.kind, TaskKind::kCompute);
  EXPECT_EQ(last.rank, 1u);
  ASSERT_EQ(last.deps.size(), 1u);
  const Task& send = g->tasks()[last.deps[0]];
  EXPECT_EQ(send.kind, TaskKind::kTransfer);
  EXPECT_EQ(send.rank, 0u);
  EXPECT_EQ(send.peer, 1u);
  EXPECT_EQ(send.bytes, 777);
}

// Process group "a" holds ranks 0 and 2 only (the ranks whose traces name it).
TEST(ChakraWorkload, ProcessGroupMembersAreTheRanksThatNameIt) {
  auto traces = read_all({file({coll(1, pb::ALL_TO_ALL, 800, {}, "a")}), file({comp(1, 3)}),
                          file({coll(1, pb::ALL_TO_ALL, 800, {}, "a")})});
  ASSERT_TRUE(traces.is_ok()) << traces.status().message();
  auto g = build_chakra_graph(*traces, ClusterMap::linear(3, 1), {});
  ASSERT_TRUE(g.is_ok()) << g.status().message();
  for (const Task& t : g->tasks()) {
    if (t.kind != TaskKind::kTransfer) continue;
    EXPECT_NE(t.rank, 1u);
    EXPECT_NE(t.peer, 1u);
  }
}

TEST(ChakraWorkload, RefusesTracesThatDoNotFitTogether) {
  struct Bad {
    std::vector<std::string> files;
    const char* message;
  };
  const Bad cases[] = {
      {{file({coll(1, pb::ALL_REDUCE, 8)}), file({comp(1, 1)})},
       "t.1.et: 0 collectives of every rank (no pg_name), but t.0.et has 1"},
      {{file({coll(1, pb::ALL_REDUCE, 8)}), file({coll(1, pb::ALL_REDUCE, 16)})},
       "t.0.et: node 1: allreduce of 8 B, but t.1.et node 1 (the same collective of its group) is "
       "allreduce of 16 B"},
      {{file({p2p(1, true, 1, 8)}), file({comp(1, 1)})},
       "t.0.et: node 1: send to rank 1 (tag 0) has no matching receive in t.1.et"},
      {{file({p2p(1, true, 1, 8, {}, 3)}), file({p2p(1, false, 0, 8, {}, 4)})},
       "t.0.et: node 1: send to rank 1 (tag 3) has no matching receive"},
      {{file({p2p(1, true, 1, 8)}), file({p2p(1, false, 0, 9)})},
       "t.0.et: node 1: sends 8 B, but its receive (t.1.et node 1) takes 9 B"},
      // Each rank's all-reduce waits for a receive whose send comes after the other
      // rank's all-reduce: a deadlock.
      {{file({p2p(1, false, 1, 8), coll(2, pb::ALL_REDUCE, 8, {1}), p2p(3, true, 1, 8, {2})}),
        file({coll(1, pb::ALL_REDUCE, 8), p2p(2, false, 0, 8, {1}), p2p(3, true, 0, 8, {2})})},
       "t.0.et: node 1: receive from rank 1 waits for its peers forever"},
      {{file({comp(1, 1, {2}), comp(2, 1, {1})})}, "t.0.et: node 1: never runs: it is in a"},
  };
  for (const Bad& c : cases) {
    auto traces = read_all(c.files);
    ASSERT_TRUE(traces.is_ok()) << traces.status().message();
    auto g = build_chakra_graph(*traces,
                                ClusterMap::linear(static_cast<uint32_t>(c.files.size()), 1), {});
    ASSERT_FALSE(g.is_ok()) << c.message;
    EXPECT_EQ(g.status().message().rfind(c.message, 0), 0u)
        << "want: " << c.message << "\nmessage: " << g.status().message();
  }
}

}  // namespace
}  // namespace aifabric
