// Collectives timed without a task graph, for the analytic (alpha-beta) engine at any
// scale: the flat ring (all-reduce, reduce-scatter, all-gather) over n ranks, g per
// server (the ring's NVLink hops inside a server and one network hop out of it), and
// the pairwise all-to-all with one rank per server. Every rank of such a collective is
// like every other rank at the same position in its server, so the executor's schedule
// (a transfer starts when its data arrived and its sender's previous send ended; each
// NIC side and NVLink direction serves one transfer at a time) is the same for all of
// them (the whole-step model, protocol none), and one recurrence over the g positions gives the
// makespan the task graph would give, exactly (collectives_test.cc checks it against the executor):
// O(g x steps) instead of O(n x steps) tasks. Other shapes return nothing (use the task graph).
#pragma once

#include <cstdint>
#include <optional>

#include "aifabric/engine/analytic/analytic_engine.h"
#include "aifabric/workload/collectives/collectives.h"
#include "aifabric/workload/task_graph.h"

namespace aifabric {

// `ranks` ranks numbered as ClusterMap::linear(ranks, gpus_per_node) places them; the
// network hops take ab's alpha + bytes / (beta x efficiency), NVLink hops map's latency
// + bytes / rate.
// In-network aggregation (the sharp all-reduce, rank r on host r of `tree`): each GPU
// sends S up and receives S down once, in chunks pipelined through four hops (GPU ->
// leaf engine -> top engine -> leaf engine -> GPU; two with one leaf); a hop moves a
// chunk at min(NIC goodput, engine rate / its fan-in) and delivers it alpha later, two
// chunks in flight per hop, gated by the engines' windows (buffer / chunk) as the task
// graph is. For large S: algbw -> min(goodput, rate / fan-in) (docs/collectives.md).
std::optional<Time> sharp_time(int64_t bytes, uint32_t ranks, const AlphaBeta& ab,
                               const AggregationTree& tree);

// Sharp (ClusterMap::aggregation, nvlink.aggregation) is timed by sharp_time.
std::optional<Time> analytic_collective_time(const CollectiveSpec& spec, uint32_t ranks,
                                             uint32_t gpus_per_node, const AlphaBeta& ab,
                                             const ClusterMap& nvlink);

}  // namespace aifabric
