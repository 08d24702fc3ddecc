// Chrome trace writer: lanes are assigned greedily (a task goes to the first lane of
// its rank and kind that is free at its start), which uses as few lanes as the peak
// overlap needs.
#include "aifabric/telemetry/sinks/trace_json/chrome_trace.h"

#include <algorithm>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace aifabric {
namespace {

struct Lane {
  uint32_t rank;
  int64_t tid;
  std::string name;
  Time free;  // end of the last task placed on it
};

}  // namespace

void write_chrome_trace(std::ostream& out, const TaskGraph& g, const TaskTimes& t,
                        const ClusterMap& map) {
  const auto& tasks = g.tasks();
  const uint32_t ranks = map.ranks();
  auto node_of = [&](uint32_t rank) -> int64_t {
    return rank < ranks ? map.node_of_rank[rank] : 0;
  };

  std::vector<uint32_t> done;
  for (uint32_t i = 0; i < tasks.size(); ++i) {
    if (i < t.finish.size() && i < t.start.size() && t.finish[i] != Time::max() &&
        t.start[i] != Time::max()) {
      done.push_back(i);
    }
  }
  std::sort(done.begin(), done.end(), [&](uint32_t a, uint32_t b) {
    return t.start[a] != t.start[b] ? t.start[a] < t.start[b] : a < b;
  });

  // Lanes of each rank: compute lane 0 is the rank's own thread (tid = rank); any
  // further lane of that rank gets tid = ranks * k + rank, k = 1, 2, ...
  const uint32_t span = std::max<uint32_t>(ranks, 1);
  std::vector<Lane> lanes;
  std::vector<std::vector<uint32_t>> lanes_of(2 * static_cast<size_t>(span));  // rank*2 + kind
  std::vector<int64_t> extra(span, 0);
  for (uint32_t r = 0; r < ranks; ++r) {
    lanes_of[2 * static_cast<size_t>(r)].push_back(static_cast<uint32_t>(lanes.size()));
    lanes.push_back(Lane{r, r, "GPU " + std::to_string(r), Time::zero()});
  }
  std::vector<uint32_t> lane_of_task(tasks.size(), 0);
  for (uint32_t i : done) {
    const Task& task = tasks[i];
    const uint32_t r = task.rank < ranks ? task.rank : 0;
    const bool transfer = task.kind == TaskKind::kTransfer;
    std::vector<uint32_t>& mine = lanes_of[2 * static_cast<size_t>(r) + (transfer ? 1 : 0)];
    uint32_t chosen = UINT32_MAX;
    for (uint32_t l : mine) {
      if (lanes[l].free <= t.start[i]) {
        chosen = l;
        break;
      }
    }
    if (chosen == UINT32_MAX) {
      const int64_t tid = static_cast<int64_t>(span) * ++extra[r] + r;
      const std::string k = std::to_string(mine.size());
      chosen = static_cast<uint32_t>(lanes.size());
      lanes.push_back(Lane{r, tid,
                           "GPU " + std::to_string(r) + (transfer ? " send " : " compute ") + k,
                           Time::zero()});
      mine.push_back(chosen);
    }
    lanes[chosen].free = t.finish[i];
    lane_of_task[i] = chosen;
  }

  out << "{\"displayTimeUnit\":\"ns\",\"traceEvents\":[\n";
  bool first = true;
  auto emit = [&](const nlohmann::json& e) {
    if (!first) out << ",\n";
    first = false;
    out << e.dump();
  };
  int64_t nodes = 0;
  for (uint32_t r = 0; r < ranks; ++r) nodes = std::max(nodes, node_of(r) + 1);
  std::vector<char> named(static_cast<size_t>(nodes), 0);
  for (uint32_t r = 0; r < ranks; ++r) {
    const int64_t node = node_of(r);
    if (named[static_cast<size_t>(node)]) continue;
    named[static_cast<size_t>(node)] = 1;
    emit({{"ph", "M"},
          {"name", "process_name"},
          {"pid", node},
          {"tid", 0},
          {"args", {{"name", "node " + std::to_string(node)}}}});
    emit({{"ph", "M"},
          {"name", "process_sort_index"},
          {"pid", node},
          {"tid", 0},
          {"args", {{"sort_index", node}}}});
  }
  for (const Lane& l : lanes) {
    const int64_t pid = node_of(l.rank);
    emit({{"ph", "M"},
          {"name", "thread_name"},
          {"pid", pid},
          {"tid", l.tid},
          {"args", {{"name", l.name}}}});
    // A rank's lanes together, its compute first.
    emit({{"ph", "M"},
          {"name", "thread_sort_index"},
          {"pid", pid},
          {"tid", l.tid},
          {"args", {{"sort_index", l.tid / span + static_cast<int64_t>(l.rank) * 4096}}}});
  }
  for (uint32_t i : done) {
    const Task& task = tasks[i];
    const TaskGroup* group = task.group < g.groups().size() ? &g.groups()[task.group] : nullptr;
    const Lane& lane = lanes[lane_of_task[i]];
    nlohmann::json args = {{"task", i}};
    if (task.kind == TaskKind::kTransfer) {
      args["bytes"] = task.bytes;
      args["peer"] = task.peer;
    }
    emit({{"ph", "X"},
          {"name", group != nullptr ? group->name : std::string("task")},
          {"cat", group != nullptr ? group->kind : std::string()},
          {"pid", node_of(lane.rank)},
          {"tid", lane.tid},
          {"ts", t.start[i].to_us()},
          {"dur", (t.finish[i] - t.start[i]).to_us()},
          {"args", std::move(args)}});
  }
  out << "\n]}\n";
}

}  // namespace aifabric
