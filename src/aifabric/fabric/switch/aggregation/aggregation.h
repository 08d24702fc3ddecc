// In-network aggregation (SHARP-like): a switch that aggregates holds a reduction
// engine, modelled as a real device port: an endpoint attached to the switch by an
// internal link at the engine's throughput. Children's chunks are delivered to it, it
// sends one reduced chunk to its parent's engine and, at the root, the result goes back
// down the tree, each engine copying it to its children. The tree: every switch with
// hosts (a leaf) aggregates them; the first switch of the top tier (the root)
// aggregates the leaves. Plain data on the topology graph; the per-packet path of the
// switch is untouched.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "aifabric/core/params.h"
#include "aifabric/core/status.h"
#include "aifabric/core/units.h"
#include "aifabric/topo/graph.h"

namespace aifabric {

struct AggregationConfig final : ParamsOf<AggregationConfig> {
  bool enabled = false;
  // The engine's throughput: bytes of children's chunks it takes in per second (its
  // port's rate, each direction: results out to the parent and copies to the children
  // share the other). A Quantum-2-class switch reduces at its line rate: 3.2 Tb/s here
  // covers 8 x 400G children.
  BitRate rate = BitRate::gbps(3200);
  // Reduction buffer per engine: at most buffer / chunk chunks of one collective are
  // outstanding at an engine (a child sends chunk k only once chunk k - window left
  // its engine), the senders' window.
  Bytes buffer = Bytes::mib(8);
  // The unit the collective is cut into and reduced in.
  Bytes chunk = Bytes::mib(1);
  // One-way delay of the internal port (a chunk pays it into and out of the engine).
  Time latency = Time::ns(100);
  void visit(ParamVisitor& v) override {
    v.param("enabled", enabled,
            "switches reduce all-reduce chunks in the network (collective algorithm sharp)");
    v.param("rate", rate, "aggregation throughput of a switch's engine (its internal port rate)");
    v.param("buffer", buffer,
            "reduction buffer per engine: buffer / chunk chunks in flight (the senders' window)");
    v.param("chunk", chunk, "the piece size the collective is cut into and reduced in");
    v.param("latency", latency, "one-way delay of the engine's internal port");
  }
  Status validate() const override {
    if (!enabled) return Status::ok();
    if (rate.bits_per_second() <= 0) return Status::error("rate must be positive");
    if (chunk.count() <= 0) return Status::error("chunk must be positive");
    if (buffer < chunk) return Status::error("buffer must hold at least one chunk");
    if (latency < Time::zero()) return Status::error("latency must be >= 0");
    return Status::ok();
  }
  // Chunks in flight per engine (>= 1).
  int64_t window() const { return std::max<int64_t>(buffer.count() / chunk.count(), 1); }
};

// The aggregation tree of a fabric, as add_aggregators put it on the graph.
struct AggregationTree {
  static constexpr uint32_t kNone = UINT32_MAX;
  AggregationConfig config;
  uint32_t gpu_hosts = 0;              // hosts before the engines (the workload's)
  std::vector<uint32_t> host;          // per engine: its endpoint's host index
  std::vector<uint32_t> switch_node;   // per engine: the switch it sits in (node id)
  std::vector<uint32_t> parent;        // per engine: the parent engine, kNone at the root
  std::vector<uint32_t> leaf_of_host;  // per GPU host: the engine of its switch
  uint32_t root = kNone;
  bool empty() const { return host.empty(); }
  // Engines whose parent is `e`, in engine order.
  std::vector<uint32_t> children(uint32_t e) const;
};

// An engine's endpoint is named "<switch>" + kEngineSuffix: a host inside the switch,
// not a GPU (its link is internal: no cable, no optical module).
inline constexpr std::string_view kEngineSuffix = "/sharp";
inline bool is_aggregation_engine(const TopoNode& n) {
  return n.kind == NodeKind::kHost && n.name.ends_with(kEngineSuffix);
}

// Appends one engine endpoint per aggregating switch to `g` (hosts after the existing
// ones, named "<switch>/sharp", linked at config.rate with config.latency) and returns
// the tree. Refuses a graph whose hosts hang off more than one switch each.
Result<AggregationTree> add_aggregators(TopologyGraph& g, const AggregationConfig& config);

}  // namespace aifabric
