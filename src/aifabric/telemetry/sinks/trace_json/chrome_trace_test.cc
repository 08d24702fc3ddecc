// The Chrome trace of a hand-made run parses as JSON and holds one complete event per
// finished task, in microseconds, on threads where events never overlap.
#include "aifabric/telemetry/sinks/trace_json/chrome_trace.h"

#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <utility>
#include <vector>

namespace aifabric {
namespace {

TEST(ChromeTrace, EventsMetadataAndLanes) {
  TaskGraph g;
  const uint32_t fwd = g.add_group({"fwd stage 0", "compute", 0, 1});
  const uint32_t ar = g.add_group({"dp.allreduce", "allreduce", 1 << 20, 4});
  const uint32_t c0 = g.add_compute(0, Time::us(10), {}, fwd);
  const uint32_t deps[] = {c0};
  g.add_transfer(0, 2, 1 << 20, deps, ar);          // 1
  g.add_transfer(0, 3, 1 << 19, deps, ar);          // 2: overlaps 1 on the same rank
  g.add_compute(2, Time::us(5), {}, fwd);           // 3
  g.add_transfer(1, 0, 4096, {}, ar);               // 4: never finished
  const ClusterMap map = ClusterMap::linear(4, 2);  // nodes {0, 1}, {2, 3}
  TaskTimes t;
  t.start = {Time::zero(), Time::us(10), Time::ps(15'000'001), Time::us(30), Time::us(1)};
  t.finish = {Time::us(10), Time::us(30), Time::us(40), Time::us(35), Time::max()};

  std::ostringstream out;
  write_chrome_trace(out, g, t, map);
  const nlohmann::json j = nlohmann::json::parse(out.str());  // throws if invalid
  EXPECT_EQ(j.at("displayTimeUnit"), "ns");
  const auto& events = j.at("traceEvents");
  ASSERT_TRUE(events.is_array());

  std::map<std::pair<int64_t, int64_t>, std::string> thread_names;
  std::map<int64_t, std::string> process_names;
  std::vector<nlohmann::json> complete;
  for (const auto& e : events) {
    if (e.at("ph") == "M" && e.at("name") == "thread_name") {
      thread_names[{e.at("pid"), e.at("tid")}] = e.at("args").at("name");
    } else if (e.at("ph") == "M" && e.at("name") == "process_name") {
      process_names[e.at("pid")] = e.at("args").at("name");
    } else if (e.at("ph") == "X") {
      complete.push_back(e);
    }
  }
  auto thread = [&](int64_t pid, int64_t tid) { return thread_names[{pid, tid}]; };
  EXPECT_EQ(process_names, (std::map<int64_t, std::string>{{0, "node 0"}, {1, "node 1"}}));
  for (int64_t r = 0; r < 4; ++r) EXPECT_EQ(thread(r / 2, r), "GPU " + std::to_string(r));

  // Four finished tasks, sorted by start; the unfinished one is left out.
  ASSERT_EQ(complete.size(), 4u);
  std::vector<int64_t> order;
  for (const auto& e : complete) order.push_back(e.at("args").at("task"));
  EXPECT_EQ(order, (std::vector<int64_t>{0, 1, 2, 3}));

  const auto& e0 = complete[0];
  EXPECT_EQ(e0.at("name"), "fwd stage 0");
  EXPECT_EQ(e0.at("cat"), "compute");
  EXPECT_EQ(e0.at("pid"), 0);
  EXPECT_EQ(e0.at("tid"), 0);
  EXPECT_DOUBLE_EQ(e0.at("ts").get<double>(), 0.0);
  EXPECT_DOUBLE_EQ(e0.at("dur").get<double>(), 10.0);
  EXPECT_FALSE(e0.at("args").contains("bytes"));

  const auto& e1 = complete[1];
  EXPECT_EQ(e1.at("name"), "dp.allreduce");
  EXPECT_EQ(e1.at("cat"), "allreduce");
  EXPECT_EQ(e1.at("pid"), 0);
  EXPECT_EQ(e1.at("args").at("bytes"), 1 << 20);
  EXPECT_EQ(e1.at("args").at("peer"), 2);
  EXPECT_DOUBLE_EQ(e1.at("ts").get<double>(), 10.0);
  EXPECT_DOUBLE_EQ(e1.at("dur").get<double>(), 20.0);

  // Picosecond start kept: 15'000'001 ps = 15.000001 us.
  const auto& e2 = complete[2];
  EXPECT_NEAR(e2.at("ts").get<double>(), 15.000001, 1e-9);
  EXPECT_EQ(e2.at("args").at("peer"), 3);
  // The overlapping transfers of rank 0 are on two different threads of node 0, both
  // named after rank 0, and apart from its compute thread.
  EXPECT_NE(e1.at("tid"), e2.at("tid"));
  EXPECT_NE(e1.at("tid"), 0);
  EXPECT_EQ(thread(0, e1.at("tid")), "GPU 0 send 0");
  EXPECT_EQ(thread(0, e2.at("tid")), "GPU 0 send 1");

  const auto& e3 = complete[3];
  EXPECT_EQ(e3.at("pid"), 1);
  EXPECT_EQ(e3.at("tid"), 2);

  // No two events of one thread overlap (Perfetto would drop one).
  std::map<std::pair<int64_t, int64_t>, double> end_of;
  for (const auto& e : complete) {
    const std::pair<int64_t, int64_t> key{e.at("pid"), e.at("tid")};
    const double ts = e.at("ts");
    if (end_of.contains(key)) {
      EXPECT_LE(end_of[key], ts);
    }
    end_of[key] = ts + e.at("dur").get<double>();
  }
}

TEST(ChromeTrace, EmptyRunIsValidJson) {
  TaskGraph g;
  const nlohmann::json j = [&] {
    std::ostringstream out;
    write_chrome_trace(out, g, TaskTimes{}, ClusterMap::linear(2, 1));
    return nlohmann::json::parse(out.str());
  }();
  size_t complete = 0;
  for (const auto& e : j.at("traceEvents")) complete += e.at("ph") == "X" ? 1 : 0;
  EXPECT_EQ(complete, 0u);
}

}  // namespace
}  // namespace aifabric
