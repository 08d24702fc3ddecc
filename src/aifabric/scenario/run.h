// Running a scenario: build the topology and the workload (every input checked before
// anything is written), simulate, and gather the per-flow and per-port results that
// the output files and the terminal summary are made of.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "aifabric/core/simulator.h"
#include "aifabric/scenario/scenario.h"
#include "aifabric/telemetry/imbalance.h"
#include "aifabric/telemetry/probes/sampler.h"
#include "aifabric/topo/graph.h"
#include "aifabric/fabric/network.h"
#include "aifabric/workload/analytic_executor.h"
#include "aifabric/workload/llm/iteration.h"
#include "aifabric/workload/llm/plan.h"
#include "aifabric/workload/task_graph.h"

namespace aifabric {

struct FlowRow {
  FlowSpec spec;
  enum class Status { kNotStarted, kUnfinished, kDone, kFailed } status = Status::kNotStarted;
  Time fct;    // completion (last ACK back at the sender) minus start
  Time ideal;  // the same flow alone on an idle fabric
  double slowdown = 0;
  int64_t received_bytes = 0;
  int64_t retx_packets = 0;
  int64_t ecn_marked = 0;
  int64_t cnps = 0;
  int64_t timeouts = 0;
  int64_t ooo_packets = 0;        // data packets that arrived ahead of a missing one
  int64_t loss_retx = 0;          // selective: retransmitted because declared lost
  int64_t duplicates = 0;         // copies the receiver already had (spurious retransmissions)
  int64_t reorder_depth_max = 0;  // packets
  double reorder_depth_mean = 0;  // over the packets that arrived below the highest seen
  int64_t rob_max_packets = 0;    // reorder-buffer occupancy peak
  double rob_mean_packets = 0;    // mean occupancy sampled at every arrival
};

// "done", "failed", "unfinished" or "not_started", as the output files spell it.
const char* flow_status_name(FlowRow::Status s);

struct PortRow {
  uint32_t node = 0;
  uint32_t peer = 0;
  uint16_t port = 0;
  BitRate rate;
  Time delay;
  PortCounters counters;
  Time paused;         // summed over priorities
  double utilization;  // tx bytes / (rate x makespan)
};

// One collective (or pipeline exchange) kind of a training iteration, aggregated over
// its instances (e.g. every stage's and tensor rank's gradient all-reduce).
struct CollectiveRow {
  std::string name;
  std::string kind;
  uint32_t ranks = 0;
  int64_t bytes = 0;  // per-rank buffer of one instance (mean over instances)
  size_t instances = 0;
  Time mean_time;        // first transfer start to last transfer finish, averaged
  double algbw_gbs = 0;  // bytes / time, GB/s (1e9 B/s, as nccl-tests)
  double busbw_gbs = 0;  // algbw x the nccl-tests bus factor
};

struct WorkloadReport {
  std::string backend;
  Time iteration;  // the task graph's makespan
  Time compute;    // the busiest GPU's compute (forward/backward, TP included)
  // The same graph with free transfers: compute plus the pipeline bubble.
  Time without_comm;
  Time bubble;            // without_comm - compute
  Time exposed_comm;      // iteration - without_comm: what communication adds
  double comm_share = 0;  // exposed_comm / iteration
  size_t tasks = 0;
  std::vector<CollectiveRow> collectives;
  double training_days_simulated = 0;  // iteration x iterations for the training tokens
  double training_days_formula = 0;    // T = 8 T P / (N X)
};

// The collective of a `workload: collective` run.
struct CollectiveReport {
  std::string op, algorithm;
  uint32_t ranks = 0;
  int64_t bytes = 0;  // per-rank buffer
  Time time;          // first transfer start to last transfer finish; max() = unfinished
  bool finished() const { return time != Time::max(); }
  double algbw_gbs = 0, busbw_gbs = 0;
  double line_rate_gbs = 0;  // the ranks' NIC rate in the same unit (1e9 bytes/s)
};

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

struct RunReport {
  std::string scenario;
  uint64_t seed = 0;
  size_t hosts = 0, switches = 0, links = 0;
  Time sim_end;   // clock when the run stopped
  Time makespan;  // last flow finish (or sim_end when some did not finish)
  double wall_seconds = 0;
  uint64_t events = 0;
  int64_t packet_hops = 0;  // data/ACK/NACK/CNP frames delivered across one link
  int64_t pause_frames = 0;
  double peak_memory_mib = 0;
  std::vector<FlowRow> flows;
  std::vector<PortRow> ports;
  // Payload accounting (bytes): sent = received + dropped + in the network.
  int64_t payload_sent = 0, payload_received = 0, payload_dropped = 0, payload_in_network = 0;
  int64_t buffer_drops = 0, headroom_drops = 0, link_drops = 0, no_route_drops = 0;
  bool stopped_early = false;  // stop_time reached with flows unfinished
  std::optional<WorkloadReport> workload;
  std::optional<CollectiveReport> collective;
  std::optional<PlanReport> plan;
  // Link utilization spread per tier direction and over all switch-to-switch links.
  std::vector<TierImbalance> tier_imbalance;
  Imbalance fabric_imbalance;
};

// A scenario made concrete: graph and flows, ready to simulate.
struct PreparedRun {
  const Scenario* scenario = nullptr;
  TopologyGraph graph;
  std::vector<FlowSpec> flows;
  std::optional<IterationPlan> plan;        // workload type llm
  std::optional<IterationGraph> iteration;  // its task graph
};

// The devices' configuration the scenario selects (points into `s`).
FabricConfig fabric_config(const Scenario& s);

// Advice on settings that run but probably do not do what was meant (e.g. a scheme that
// reorders packets with go-back-N receivers), one line each; empty when none.
std::vector<std::string> scenario_notes(const Scenario& s);

// What load balancing needs before traffic starts on `net` (built from `s` and `g`):
// planned paths for the traffic classes that use them (each flow's source port, or for
// a task graph `tasks` placed by `map`, one port per host pair) and the senders'
// spraying. Returns what the planner did, if it ran.
Result<std::optional<PlanReport>> install_load_balancing(const Scenario& s, const TopologyGraph& g,
                                                         const TaskGraph* tasks,
                                                         const ClusterMap* map,
                                                         std::vector<FlowSpec>& flows,
                                                         Network& net);

// The analytic backend's parameters measured on a live fabric: alpha is an idle
// one-packet transfer's time from host `src` (first packet through the path, ACK
// back), beta that host's NIC rate, and the payload share of each frame counts the
// ACKs of an incoming flow that share the NIC's egress.
AlphaBeta alpha_beta(const Network& net, const Scenario& s, uint32_t src);

// The scenario's topology graph (reads the ns-3 file for type ns3), not validated.
Result<TopologyGraph> build_topology(const Scenario& s);

// Builds the topology and the flows, reading any referenced files. Fails without side
// effects on any bad input.
Result<PreparedRun> prepare_run(const Scenario& s);

class RunObserver {
 public:
  virtual ~RunObserver() = default;
  virtual void progress(const Simulator& sim, size_t flows_done, size_t flows_total) = 0;
};

// Simulates and gathers results. `net_out`, if given, receives the network for
// writers that need it (fct.txt).
struct Simulation {
  std::unique_ptr<Simulator> sim;
  std::unique_ptr<Network> net;
  RunReport report;
  TaskTimes task_times;              // workload runs: when each task ran
  std::unique_ptr<Sampler> sampler;  // null when telemetry is off or nothing ran on the fabric
};
Result<std::unique_ptr<Simulation>> simulate(const PreparedRun& run, RunObserver* observer);

}  // namespace aifabric
