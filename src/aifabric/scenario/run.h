// Running a scenario: build the topology and the workload (every input checked before
// anything is written), simulate, and gather the per-flow and per-port results that
// the output files and the terminal summary are made of.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "aifabric/core/simulator.h"
#include "aifabric/scenario/scenario.h"
#include "aifabric/topo/graph.h"
#include "aifabric/topo/network.h"

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
};

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
};

// A scenario made concrete: graph and flows, ready to simulate.
struct PreparedRun {
  const Scenario* scenario = nullptr;
  TopologyGraph graph;
  std::vector<FlowSpec> flows;
};

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
};
Result<std::unique_ptr<Simulation>> simulate(const PreparedRun& run, RunObserver* observer);

}  // namespace aifabric
