// What load balancing needs before traffic starts on a fabric: planned paths for the
// traffic classes that use them (each flow's source port, or for a task graph one port
// per host pair: the deployable plan) and the senders' spraying set-up (round robin
// gets one source port per distinct path between its hosts).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "aifabric/core/status.h"
#include "aifabric/fabric/network.h"
#include "aifabric/topo/graph.h"

namespace aifabric {

// One planned demand: a flow, or every transfer between a host pair of a task graph.
struct PlannedDemand {
  uint32_t src = 0, dst = 0;  // host indices
  uint8_t priority = 0;
  int64_t bytes = 0;
  uint16_t sport = 0;  // the UDP source port that realizes the path
  std::string path;    // node names, host to host: "host0 leaf0 spine3 leaf1 host9"
};

// What the planned-path controller did before the run.
struct PlanReport {
  std::string method;
  size_t demands = 0;
  int64_t max_link_bytes = 0;
  int64_t lower_bound_bytes = 0;
  std::vector<PlannedDemand> assignment;  // the deployable plan (plan.csv)
};

// One network transfer of a job (between hosts of different servers), in task order.
struct JobTransfer {
  uint32_t src = 0, dst = 0;  // host indices
  uint8_t priority = 0;
  int64_t bytes = 0;
};

// Plans the classes of `net`'s configuration that use planned paths and installs
// spraying for the classes that spray. Without `job`, every flow of `flows` is a demand
// and gets its planned source port; with `job`, each host pair's transfers are one
// demand (one connection, as NCCL keeps them) and the pair's port goes to `net` for the
// flows the job will add. Returns what the planner did, if it ran.
Result<std::optional<PlanReport>> install_load_balancing(const TopologyGraph& g,
                                                         const std::vector<JobTransfer>* job,
                                                         std::vector<FlowSpec>& flows,
                                                         Network& net);

}  // namespace aifabric
