// The analytic backend: runs a task graph with the alpha-beta cost model. A transfer
// takes alpha + bytes / (beta x efficiency) on the network (per NIC) or latency +
// bytes / rate on NVLink; each GPU's NIC sends one transfer at a time and receives one
// at a time, each NVLink port likewise, and each GPU computes one task at a time. The
// schedule is work-conserving: whenever all the ports a waiting task needs are free,
// the earliest-ready such task (ties by index) starts, so a transfer blocked by a busy
// receiver does not hold its sender idle. Instant estimates; no packets, no congestion
// inside the fabric. Deterministic.
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
