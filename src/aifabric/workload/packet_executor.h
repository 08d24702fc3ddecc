// The packet-level backend: runs a task graph on a live Network. Each network transfer
// becomes a flow started when its dependencies finish; NVLink transfers and compute
// tasks take their analytic time (NVLink is not part of the packet fabric); each GPU
// computes one task at a time.
#pragma once

#include "aifabric/topo/network.h"
#include "aifabric/workload/task_graph.h"

namespace aifabric {

// Runs until every task finished or `stop_at`; tasks not finished by then have
// finish = Time::max(). Fails if a transfer's flow fails (retry limit).
Result<TaskTimes> run_on_network(const TaskGraph& g, const ClusterMap& map, Network& net,
                                 Time stop_at);

}  // namespace aifabric
