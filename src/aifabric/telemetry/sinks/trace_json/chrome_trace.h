// A task-graph run as a Chrome trace (JSON Trace Event Format), for ui.perfetto.dev or
// chrome://tracing: one complete ("X") event per finished task, in microseconds, one
// process per node and one thread per GPU rank.
#pragma once

#include <ostream>

#include "aifabric/workload/task_graph.h"

namespace aifabric {

// Writes {"displayTimeUnit": "ns", "traceEvents": [...]}: metadata events naming each
// node's process ("node <n>", pid = node) and each rank's threads, then the finished
// tasks sorted by start (ts, dur in microseconds; name = the task's group name, cat =
// its kind; args: task index, and bytes/peer for transfers). Tasks that never
// finished are left out. The format requires the events of one thread to nest, and
// Perfetto drops those that overlap, so a rank's compute runs on thread tid = rank
// ("GPU <rank>") and its outgoing transfers, which overlap each other and compute, on
// as many extra threads as they need ("GPU <rank> send <k>").
void write_chrome_trace(std::ostream& out, const TaskGraph& g, const TaskTimes& t,
                        const ClusterMap& map);

}  // namespace aifabric
