// --vary parsing: values split on commas, empty ones refused, @FILE values read whole
// and labelled by the file's stem (whole topologies compared in one sweep), an
// unreadable file refused naming it; the grid's order.
#include "aifabric/scenario/sweep.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <string>

namespace aifabric {
namespace {

TEST(Sweep, ParsesValuesAndRefusesEmptyOnes) {
  auto v = parse_vary("topology.host_link.rate=25Gbps,400Gbps");
  ASSERT_TRUE(v.is_ok()) << v.status().message();
  EXPECT_EQ(v->key, "topology.host_link.rate");
  ASSERT_EQ(v->values.size(), 2u);
  EXPECT_EQ(v->values[1], "400Gbps");
  EXPECT_EQ(v->labels[1], "400Gbps");
  EXPECT_FALSE(parse_vary("seed=1,,2").is_ok());
  EXPECT_FALSE(parse_vary("seed").is_ok());
}

TEST(Sweep, AtFileValuesAreWholeSectionsLabelledByTheirStem) {
  const std::string file = ::testing::TempDir() + "/fat-tree-k4.yaml";
  {
    std::ofstream out(file);
    out << "type: fat_tree\nk: 4\n";
  }
  auto v = parse_vary("topology=@" + file + ",@" + file);
  ASSERT_TRUE(v.is_ok()) << v.status().message();
  EXPECT_EQ(v->values[0], "type: fat_tree\nk: 4\n");
  EXPECT_EQ(v->labels[0], "fat-tree-k4");
  auto missing = parse_vary("topology=@/nonexistent/x.yaml");
  ASSERT_FALSE(missing.is_ok());
  EXPECT_NE(missing.status().message().find("/nonexistent/x.yaml"), std::string::npos);
  std::remove(file.c_str());
}

TEST(Sweep, GridVariesTheFirstAxisSlowest) {
  const auto g = sweep_grid({Vary{"a", {"1", "2"}, {}}, Vary{"b", {"x", "y"}, {}}});
  ASSERT_EQ(g.size(), 4u);
  EXPECT_EQ(g[1], (std::vector<std::string>{"1", "y"}));
  EXPECT_EQ(g[2], (std::vector<std::string>{"2", "x"}));
}

}  // namespace
}  // namespace aifabric
