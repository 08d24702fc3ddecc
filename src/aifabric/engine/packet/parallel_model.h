// What a conservative parallel packet engine would give on a run, measured rather than
// guessed: the fabric is split into P partitions along links (partition_fabric), and a
// sequential run is watched through the window model (core/window_stats.h) for each P.
// The estimate turns the counts into a wall time per P with two measured costs: an
// event's (this run's wall time per event) and a barrier's (measured on the machine by
// the caller, see bench/engine_bench.cc).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "aifabric/core/simulator.h"
#include "aifabric/core/units.h"
#include "aifabric/core/window_stats.h"
#include "aifabric/topo/graph.h"

namespace aifabric {

class Network;

// A placement of the topology's nodes into partitions. Hosts are placed either in
// `parts` blocks of consecutive host indices (kBlocks: a pod or a leaf is consecutive
// in every generated topology, so a fat-tree is cut only above its pods) or round robin
// (kStrided: host i in partition i mod parts, which on a rail-optimized fabric keeps
// rails whole, and with them the data- and pipeline-parallel groups, whose traffic runs
// between GPUs of the same index). Each switch then joins, nearest the hosts first, the
// partition most of its placed neighbours are in, ties going to the partition with the
// fewest switch ports so far (a fat-tree's cores, which see every pod alike, spread
// evenly). Links whose two ends are in different partitions are cut; the smallest
// propagation delay among them is the lookahead.
enum class Placement : uint8_t { kBlocks, kStrided };
const char* placement_name(Placement p);

struct Partitioning {
  int parts = 1;
  Placement placement = Placement::kBlocks;
  std::vector<uint16_t> part_of_node;  // by topology node id
  std::vector<uint32_t> cut_links;     // link indices
  Time lookahead = Time::max();        // Time::max() when nothing is cut
};
// `parts` is clamped to [1, number of hosts].
Partitioning partition_fabric(const TopologyGraph& g, int parts,
                              Placement placement = Placement::kBlocks);

struct ParallelEstimate {
  int parts = 1;
  Placement placement = Placement::kBlocks;
  Time lookahead;
  size_t cut_links = 0;
  uint64_t windows = 0;
  uint64_t events = 0;
  uint64_t critical_events = 0;  // sum over windows of the busiest partition's events
  uint64_t serial_events = 0;    // fabric-wide events (executor, telemetry, faults)
  double imbalance = 1;          // busiest partition's events over the mean, whole run
  int64_t messages = 0;          // frames that crossed a cut link (both directions)
  // Work made due less than a lookahead ahead by a partition's event, in another
  // partition or fabric-wide (a workload's tasks made ready by a finished transfer): a
  // windowed engine learns of it only at the next barrier and must defer it (up to one
  // lookahead) or shorten its windows; its results equal the sequential engine's
  // without either only when this is 0 (docs/design.md).
  uint64_t early_starts = 0;
  double ideal_speedup = 1;  // events / critical events
  // With the costs: wall(P) = t_event * (critical + messages / P) + windows * barrier(P),
  // barrier(P) = barrier(2) * log2(P) (a dissemination barrier's rounds).
  double projected_seconds = 0;
  double projected_speedup = 1;
};

// Watches a run with every placement for each partition count (one placement for 1).
class ParallelModel {
 public:
  ParallelModel(const TopologyGraph& g, std::span<const int> parts);
  ParallelModel(const ParallelModel&) = delete;
  ParallelModel& operator=(const ParallelModel&) = delete;
  ~ParallelModel();

  // Watches `sim`'s events until detach() (or destruction).
  void attach(Simulator& sim);
  void detach();
  // After the run: `wall_seconds` the engine's wall time for `net`'s run,
  // `barrier_seconds` one two-thread barrier on this machine.
  std::vector<ParallelEstimate> estimates(const Network& net, double wall_seconds,
                                          double barrier_seconds);

 private:
  std::vector<Partitioning> partitions_;
  std::vector<WindowStats> stats_;
  Simulator* sim_ = nullptr;
  bool finished_ = false;
};

}  // namespace aifabric
