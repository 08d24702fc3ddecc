// CSV flow lists: columns in any order with units, comments and blank lines skipped,
// the default priority applied, and every bad line refused naming line and column.
#include "aifabric/workload/traffic/csv/flow_file.h"

#include <gtest/gtest.h>

#include <sstream>

namespace aifabric {
namespace {

Result<std::vector<FlowSpec>> read(const std::string& text, uint32_t hosts = 16, uint8_t prio = 3) {
  std::istringstream in(text);
  return read_flow_csv(in, "flows.csv", hosts, prio);
}

TEST(FlowCsv, ReadsColumnsInAnyOrderWithUnits) {
  auto flows = read(
      "# an incast onto host 7\n"
      "\n"
      " Start , bytes,dst ,src, priority\r\n"
      "0us, 16MiB, 7, 0, 3\n"
      "   # a comment between flows\n"
      "10us,1000,7,15,5\n"
      "\n"
      "1.5ms, 4KB, 0, 7, 0\n");
  ASSERT_TRUE(flows.is_ok()) << flows.status().message();
  ASSERT_EQ(flows->size(), 3u);
  const FlowSpec& a = (*flows)[0];
  EXPECT_EQ(a.id, 0u);
  EXPECT_EQ(a.src, 0u);
  EXPECT_EQ(a.dst, 7u);
  EXPECT_EQ(a.size, 16 * 1024 * 1024);
  EXPECT_EQ(a.start, Time::zero());
  EXPECT_EQ(a.priority, 3);
  EXPECT_EQ(a.sport, 0);
  const FlowSpec& b = (*flows)[1];
  EXPECT_EQ(b.id, 1u);
  EXPECT_EQ(b.src, 15u);
  EXPECT_EQ(b.size, 1000);
  EXPECT_EQ(b.start, Time::us(10));
  EXPECT_EQ(b.priority, 5);
  const FlowSpec& c = (*flows)[2];
  EXPECT_EQ(c.src, 7u);
  EXPECT_EQ(c.dst, 0u);
  EXPECT_EQ(c.size, 4000);
  EXPECT_EQ(c.start, Time::us(1500));
  EXPECT_EQ(c.priority, 0);
}

TEST(FlowCsv, PriorityColumnIsOptional) {
  auto flows = read("src,dst,bytes,start\n1,2,1MiB,0ns\n", 16, 5);
  ASSERT_TRUE(flows.is_ok()) << flows.status().message();
  ASSERT_EQ(flows->size(), 1u);
  EXPECT_EQ((*flows)[0].priority, 5);
  EXPECT_EQ((*flows)[0].size, 1024 * 1024);
}

TEST(FlowCsv, HeaderWithoutFlowsIsAnEmptyList) {
  auto flows = read("src,dst,bytes,start\n# nothing yet\n");
  ASSERT_TRUE(flows.is_ok()) << flows.status().message();
  EXPECT_TRUE(flows->empty());
}

struct Bad {
  const char* text;
  const char* message;  // the whole error must start with this
};

TEST(FlowCsv, RefusesBadInputNamingLineAndColumn) {
  const Bad cases[] = {
      {"", "flows.csv:1: no header line; expected the columns src, dst, bytes, start, priority"},
      {"# only a comment\n\n", "flows.csv:2: no header line"},
      {"src,dst,size,start\n",
       "flows.csv:1: column 3: unknown column 'size' (expected src, dst, bytes, start, priority)"},
      {"src,dst,bytes,start,\n", "flows.csv:1: column 5: unknown column ''"},
      {"src,dst,bytes,start,SRC\n", "flows.csv:1: column 'src' appears twice"},
      {"src,dst,start\n", "flows.csv:1: missing column 'bytes'"},
      {"src,dst,bytes,start\n0,1,1000\n", "flows.csv:2: 3 fields, but the header has 4 columns"},
      {"src,dst,bytes,start\n0,1,1000,0us,3\n",
       "flows.csv:2: 5 fields, but the header has 4 columns"},
      {"src,dst,bytes,start\n\n# c\n0,16,1000,0us\n",
       "flows.csv:4: column 'dst': host 16 does not exist (the topology has 16 hosts)"},
      {"src,dst,bytes,start\n-1,2,1000,0us\n", "flows.csv:2: column 'src': host '-1' is negative"},
      {"src,dst,bytes,start\nh1,2,1000,0us\n",
       "flows.csv:2: column 'src': host 'h1' is not a whole number"},
      {"src,dst,bytes,start\n,2,1000,0us\n", "flows.csv:2: column 'src': host is empty"},
      {"src,dst,bytes,start\n4,4,1000,0us\n",
       "flows.csv:2: columns 'src' and 'dst': source and destination are the same host (4)"},
      {"src,dst,bytes,start\n0,1,0,0us\n", "flows.csv:2: column 'bytes': flow size is 0 bytes"},
      {"src,dst,bytes,start\n0,1,0KiB,0us\n", "flows.csv:2: column 'bytes': flow size is 0 bytes"},
      {"src,dst,bytes,start\n0,1,16XB,0us\n",
       "flows.csv:2: column 'bytes': unknown size unit 'XB'"},
      {"src,dst,bytes,start\n0,1,-5,0us\n", "flows.csv:2: column 'bytes': '-5' is negative"},
      {"src,dst,bytes,start\n0,1,1000,10\n", "flows.csv:2: column 'start': time '10' needs a unit"},
      {"src,dst,bytes,start\n0,1,1000,-1us\n", "flows.csv:2: column 'start': '-1us' is negative"},
      {"src,dst,bytes,start,priority\n0,1,1000,0us,8\n",
       "flows.csv:2: column 'priority': priority 8 is not 0..7"},
      {"src,dst,bytes,start,priority\n0,1,1000,0us,high\n",
       "flows.csv:2: column 'priority': priority 'high' is not a whole number"},
  };
  for (const Bad& c : cases) {
    auto flows = read(c.text);
    ASSERT_FALSE(flows.is_ok()) << "accepted: " << c.text;
    const std::string m = flows.status().message();
    EXPECT_EQ(m.rfind(c.message, 0), 0u) << "input:\n" << c.text << "\nmessage: " << m;
  }
}

}  // namespace
}  // namespace aifabric
