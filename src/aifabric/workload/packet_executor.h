// The packet-level backend: runs a task graph on a live Network. Each network transfer
// becomes a flow started when its dependencies finish; NVLink transfers and compute
// tasks take their analytic time (NVLink is not part of the packet fabric); each GPU
// computes one task at a time.
#pragma once

#include "aifabric/fabric/network.h"
#include "aifabric/workload/task_graph.h"

namespace aifabric {

// Runs until every task finished or `stop_at`; tasks not finished by then have
// finish = Time::max() (and start = Time::max() if they never started). Fails if a
// transfer's flow fails (retry limit), naming the task. Tasks without dependencies
// start at the simulator's current time. A compute task holds its GPU, an NVLink
// transfer the sender's NVLink egress and the receiver's ingress, one task at a time
// in the order tasks became ready (ties by index). The network's observer and stop at
// "all flows done" are borrowed for the run (and its transfers between the same two
// hosts share one connection's source port) and reset to their defaults (none, on)
// afterwards. After an early end (stop_at or a failure) the simulator still holds
// events of the finished executor: it must not be run further.
Result<TaskTimes> run_on_network(const TaskGraph& g, const ClusterMap& map, Network& net,
                                 Time stop_at);

}  // namespace aifabric
