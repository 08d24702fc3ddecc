// validate_task_graph: each refusal (a dependency that does not come first, ranks and
// peers out of range, a transfer to itself, non-positive bytes, negative duration, an
// unknown group) names its task; and ClusterMap::linear's placement.
#include "aifabric/workload/task_graph.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace aifabric {
namespace {

struct G {
  TaskGraph g;
  uint32_t grp = g.add_group({"t", "test", 0, 4});
};

// The graph is refused, and the message names task `task` and contains `what`.
void expect_refused(const TaskGraph& g, uint32_t ranks, size_t task, const std::string& what) {
  const Status s = validate_task_graph(g, ranks);
  ASSERT_FALSE(s.is_ok()) << "accepted, expected: " << what;
  EXPECT_NE(s.message().find("task " + std::to_string(task)), std::string::npos) << s.message();
  EXPECT_NE(s.message().find(what), std::string::npos) << s.message();
}

TEST(TaskGraph, AValidGraphPasses) {
  G x;
  const uint32_t a = x.g.add_compute(0, Time::us(5), {}, x.grp);
  const uint32_t b = x.g.add_transfer(0, 3, 1, std::vector<uint32_t>{a}, x.grp);
  x.g.add_compute(3, Time::zero(), std::vector<uint32_t>{a, b}, x.grp);  // zero is fine
  EXPECT_TRUE(validate_task_graph(x.g, 4).is_ok());
  // The same graph on 3 ranks has rank 3 out of range.
  expect_refused(x.g, 3, 1, "peer 3 out of range");
}

TEST(TaskGraph, DependencyMustComeBefore) {
  G later;
  later.g.add_compute(0, Time::us(1), {}, later.grp);
  later.g.add_compute(0, Time::us(1), std::vector<uint32_t>{2}, later.grp);  // task 2 later
  later.g.add_compute(0, Time::us(1), {}, later.grp);
  expect_refused(later.g, 1, 1, "depends on task 2");
  G self;
  self.g.add_compute(0, Time::us(1), std::vector<uint32_t>{0}, self.grp);  // itself
  expect_refused(self.g, 1, 0, "depends on task 0");
}

TEST(TaskGraph, RanksAndPeersInRange) {
  G rank;
  rank.g.add_compute(4, Time::us(1), {}, rank.grp);
  expect_refused(rank.g, 4, 0, "rank 4 out of range");
  G src;
  src.g.add_compute(0, Time::us(1), {}, src.grp);
  src.g.add_transfer(7, 1, 100, {}, src.grp);
  expect_refused(src.g, 4, 1, "rank 7 out of range");
  G peer;
  peer.g.add_transfer(1, 4, 100, {}, peer.grp);
  expect_refused(peer.g, 4, 0, "peer 4 out of range");
}

TEST(TaskGraph, TransfersBetweenDifferentGpusWithPositiveBytes) {
  G self;
  self.g.add_transfer(2, 2, 100, {}, self.grp);
  expect_refused(self.g, 4, 0, "transfer to itself");
  G zero;
  zero.g.add_transfer(0, 1, 0, {}, zero.grp);
  expect_refused(zero.g, 4, 0, "size must be positive");
  G neg;
  neg.g.add_transfer(0, 1, 10, {}, neg.grp);
  neg.g.add_transfer(0, 1, -5, {}, neg.grp);
  expect_refused(neg.g, 4, 1, "size must be positive");
}

TEST(TaskGraph, NegativeDurationAndUnknownGroupRefused) {
  G neg;
  neg.g.add_compute(0, Time::ps(-1), {}, neg.grp);
  expect_refused(neg.g, 1, 0, "negative duration");
  G grp;
  grp.g.add_compute(0, Time::us(1), {}, grp.grp);
  grp.g.add_compute(0, Time::us(1), {}, 1);  // only group 0 exists
  expect_refused(grp.g, 1, 1, "unknown group");
  // A transfer's duration field is unused: a negative one there is not an error.
  G t;
  t.g.add_transfer(0, 1, 10, {}, t.grp);
  EXPECT_TRUE(validate_task_graph(t.g, 2).is_ok());
}

TEST(ClusterMap, LinearPlacesRanksNodeByNodeWithOneNicEach) {
  // 10 ranks, 4 GPUs per node: nodes 0,0,0,0,1,1,1,1,2,2; NIC host r for rank r.
  const ClusterMap m = ClusterMap::linear(10, 4);
  EXPECT_EQ(m.ranks(), 10U);
  EXPECT_EQ(m.gpus_per_node, 4U);
  ASSERT_EQ(m.node_of_rank.size(), 10U);
  ASSERT_EQ(m.host_of_rank.size(), 10U);
  for (uint32_t r = 0; r < 10; ++r) {
    EXPECT_EQ(m.node_of_rank[r], r / 4) << r;
    EXPECT_EQ(m.host_of_rank[r], r) << r;
  }
  EXPECT_TRUE(m.same_node(0, 3));
  EXPECT_FALSE(m.same_node(3, 4));
  EXPECT_TRUE(m.same_node(8, 9));
  EXPECT_FALSE(m.same_node(7, 8));
  // One GPU per node: nobody shares.
  const ClusterMap one = ClusterMap::linear(3, 1);
  EXPECT_FALSE(one.same_node(0, 1));
  EXPECT_EQ(one.node_of_rank[2], 2U);
}

TEST(TaskTimes, MakespanIsTheLatestFinish) {
  TaskTimes t;
  t.finish = {Time::us(3), Time::us(9), Time::us(4)};
  EXPECT_EQ(t.makespan(), Time::us(9));
  EXPECT_EQ(TaskTimes{}.makespan(), Time::zero());
}

}  // namespace
}  // namespace aifabric
