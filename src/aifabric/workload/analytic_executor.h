// The analytic backend: runs a task graph with the alpha-beta cost model. A transfer
// takes alpha + bytes / beta, where alpha and beta are the network's (per NIC) or
// NVLink's; each GPU's NIC sends one transfer at a time and receives one at a time
// (transfers queue at a busy port in the order they become ready), and each GPU
// computes one task at a time. Instant estimates; no packets, no congestion inside the
// fabric.
#pragma once

#include "aifabric/workload/task_graph.h"

namespace aifabric {

struct AlphaBeta {
  Time net_alpha = Time::us(5);           // per-transfer latency on the network
  BitRate net_beta = BitRate::gbps(400);  // NIC rate (payload rate if goodput applies)
  double net_efficiency = 4096.0 / 4178;  // payload share of each frame
};

Result<TaskTimes> run_analytic(const TaskGraph& g, const ClusterMap& map, const AlphaBeta& ab);

}  // namespace aifabric
