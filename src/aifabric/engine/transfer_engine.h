// The engine family: what moves a workload's network transfers between hosts. The
// workload executor (workload/executor.h) runs a task graph's dependencies, GPU
// compute and NVLink itself, and hands every transfer between two servers to an
// engine: the packet-level fabric, the alpha-beta model, or (next) a flow-level one.
// All run on the same Simulator clock. A new engine is a folder under engine/ plus one
// line in engine/registry.cc.
#pragma once

#include <cstdint>
#include <memory>
#include <span>

#include "aifabric/core/registry.h"
#include "aifabric/core/simulator.h"
#include "aifabric/core/status.h"
#include "aifabric/fabric/network.h"
#include "aifabric/fabric/records.h"

namespace aifabric {

struct Transfer {
  uint32_t id = 0;   // the caller's (a task index); dense, below the engine's `capacity`
  uint32_t src = 0;  // host index
  uint32_t dst = 0;  // host index
  int64_t bytes = 0;
  uint8_t priority = 3;
};

class TransferListener {
 public:
  // The transfer got going (now): at once for packets, when its NIC sides are free for
  // the analytic engine.
  virtual void transfer_started(uint32_t id) = 0;
  // `completed` false: the transfer failed (its connection hit the retry limit).
  virtual void transfer_done(uint32_t id, bool completed) = 0;

 protected:
  ~TransferListener() = default;
};

class TransferEngine {
 public:
  virtual ~TransferEngine() = default;
  // Starts the transfers at the simulator's current time, in order.
  virtual Status start(std::span<const Transfer> transfers) = 0;
  // What an engine that moves no packets knows of the fabric at `end` (the flow level:
  // bytes per port, and its flows' rows): filled into `r`. Packet and analytic: nothing.
  virtual void record(FabricRecord& /*r*/, Time /*end*/) const {}
};

// What an engine is built on: the run's clock, the live fabric (the packet engine
// moves packets on it; the analytic one measures its alpha and beta from it), who
// hears completions, and how many transfer ids there can be.
struct EngineContext {
  Simulator& sim;
  Network& net;
  TransferListener& listener;
  size_t capacity = 0;
  uint32_t probe_host = 0;  // the analytic engine measures alpha from this host
};

struct EngineKind : Member {
  std::unique_ptr<TransferEngine> (*make)(EngineContext& ctx) = nullptr;
  // Its transfers are packets on the fabric (telemetry, load balancing and fabric
  // records apply).
  bool on_fabric = false;
  // Its transfers follow the fabric's paths (load balancing is set up: planned source
  // ports, spraying) and it fills the fabric records itself (record()).
  bool routes = false;
  // Its transfers need the topology's hosts and paths (the packet and flow levels).
  bool on_paths() const { return on_fabric || routes; }
};

template <class Impl>
EngineKind engine_member(std::string_view name, std::string_view doc, bool on_fabric,
                         bool routes = false) {
  EngineKind e;
  e.name = name;
  e.doc = doc;
  e.make = [](EngineContext& ctx) -> std::unique_ptr<TransferEngine> {
    return std::make_unique<Impl>(ctx);
  };
  e.on_fabric = on_fabric;
  e.routes = routes;
  return e;
}

const Registry<EngineKind>& engines();

}  // namespace aifabric
