// The collective benchmark table: nccl-tests' columns, one row per doubling size, and
// bandwidths computed as nccl-tests does (algbw = size / time, busbw = algbw x factor,
// GB/s = 1e9 bytes/s). Analytic backend on the built-in 32-host leaf-spine: fast.
#include "aifabric/scenario/collective_bench.h"

#include <gtest/gtest.h>

#include <sstream>
#include <vector>

namespace aifabric {
namespace {

struct Row {
  double size = 0, count = 0, time_us = 0, algbw = 0, busbw = 0;
  std::string type;
};

std::vector<Row> rows_of(const std::string& table, std::string* header) {
  std::vector<Row> rows;
  std::istringstream in(table);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    if (line[0] == '#') {
      *header += line + "\n";
      continue;
    }
    std::istringstream ls(line);
    Row r;
    ls >> r.size >> r.count >> r.type >> r.time_us >> r.algbw >> r.busbw;
    EXPECT_FALSE(ls.fail()) << line;
    rows.push_back(r);
  }
  return rows;
}

std::unique_ptr<Scenario> fabric() {
  auto s = load_scenario("", {});
  EXPECT_TRUE(s.is_ok()) << s.status().message();
  return s ? std::move(*s) : nullptr;
}

TEST(CollectiveBench, AnalyticTableHasNcclTestsColumnsAndBusFactor) {
  auto s = fabric();
  ASSERT_TRUE(s);
  for (CollectiveOp op : {CollectiveOp::kAllReduce, CollectiveOp::kAllGather}) {
    CollectiveBenchOptions o;
    o.spec.op = op;
    o.ranks = 8;
    o.element_bytes = 2;
    ASSERT_TRUE(parse_size_range("1MiB:8MiB", o).is_ok());
    auto table = collective_bench_table(o, *s);
    ASSERT_TRUE(table.is_ok()) << table.status().message();
    std::string header;
    const std::vector<Row> rows = rows_of(*table, &header);
    for (const char* col :
         {"size(B)", "count(elements)", "type", "time(us)", "algbw(GB/s)", "busbw(GB/s)"}) {
      EXPECT_NE(header.find(col), std::string::npos) << col;
    }
    ASSERT_EQ(rows.size(), 4u);  // 1, 2, 4, 8 MiB
    const double factor = bus_factor(op, 8);
    for (size_t i = 0; i < rows.size(); ++i) {
      const Row& r = rows[i];
      EXPECT_EQ(r.size, static_cast<double>(1 << 20 << i));
      EXPECT_EQ(r.count, r.size / 2);
      EXPECT_EQ(r.type, "half");
      // Each value is printed to 2 decimals (rounding <= 0.005); a derived value carries
      // its inputs' rounding too (x factor <= 2 for busbw): 0.011 GB/s bounds both.
      EXPECT_NEAR(r.algbw, r.size / (r.time_us * 1e-6) / 1e9, 0.011);
      EXPECT_NEAR(r.busbw, r.algbw * factor, 0.011);
      // Larger messages amortize alpha: bandwidth grows with size.
      if (i > 0) {
        EXPECT_GT(r.algbw, rows[i - 1].algbw);
      }
    }
    // On the built-in 400 Gbps fabric busbw stays below the payload line rate.
    EXPECT_LT(rows.back().busbw, 50.0);
    EXPECT_GT(rows.back().busbw, 30.0);
  }
}

TEST(CollectiveBench, RefusesBadOptions) {
  auto s = fabric();
  ASSERT_TRUE(s);
  CollectiveBenchOptions o;
  EXPECT_FALSE(parse_size_range("8MiB:1MiB", o).is_ok());
  EXPECT_FALSE(parse_size_range("lots", o).is_ok());
  ASSERT_TRUE(parse_size_range("4MiB", o).is_ok());
  EXPECT_EQ(o.min_size, o.max_size);
  o.ranks = 64;  // the built-in fabric has 32 hosts
  auto r = collective_bench_table(o, *s);
  ASSERT_FALSE(r.is_ok());
  EXPECT_NE(r.status().message().find("32 hosts"), std::string::npos) << r.status().message();
  o.ranks = 12;
  o.gpus_per_node = 8;
  EXPECT_FALSE(collective_bench_table(o, *s).is_ok());
  o.gpus_per_node = 4;
  o.element_bytes = 3;
  EXPECT_FALSE(collective_bench_table(o, *s).is_ok());
  o.element_bytes = 4;
  o.spec.algo = CollectiveAlgo::kHalvingDoubling;  // 12 ranks
  EXPECT_FALSE(collective_bench_table(o, *s).is_ok());
}

}  // namespace
}  // namespace aifabric
