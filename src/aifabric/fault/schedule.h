// The fault schedule resolved against a topology: every entry of `faults:` (and every
// fault drawn from `random_faults:`) becomes the link state changes it makes, in time
// order, each tied to the fault it belongs to. A flap becomes its downs and ups; a
// switch going down takes down each of its links that is up, and brings back the same
// ones. Entries that cannot happen are refused with the entry's line: an unknown link or
// node, a time past stop_time, a down on a link already down, an up on a link that is up.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "aifabric/core/status.h"
#include "aifabric/core/units.h"
#include "aifabric/fault/fault_config.h"
#include "aifabric/topo/graph.h"

namespace aifabric {

// One state change of one link (both directions).
struct LinkChange {
  Time at;
  enum class Op : uint8_t { kDown, kUp, kRate, kBer } op = Op::kDown;
  uint32_t link = 0;
  BitRate rate;              // kRate
  double ber = 0;            // kBer
  uint32_t fault = 0;        // the fault (row of faults.csv) it belongs to
  int64_t dead_switch = -1;  // switch_down/up: the switch (node id), which detects nothing
};

// One fault as faults.csv lists it: what, where, when.
struct ScheduledFault {
  Time at;
  std::string kind;     // "link_down", "flap_down", "switch_down", "random_link_down", ...
  std::string element;  // "leaf0-spine1", "spine1", "host3"
  bool down = false;    // takes capacity away (down), or gives it back / changes a rate
};

struct FaultPlan {
  std::vector<ScheduledFault> faults;  // in time order
  std::vector<LinkChange> changes;     // in time order (ties: in entry order)
  bool empty() const { return changes.empty(); }
};

// `stop_time` 0: unknown yet (the run's automatic cap), so no entry is refused for its
// time; random faults then need `horizon`. `seed`: the scenario's.
Result<FaultPlan> plan_faults(const std::vector<FaultSpec>& entries, const RandomFaultsSpec& random,
                              const TopologyGraph& g, Time stop_time, uint64_t seed);

// "nodeA-nodeB" for link `l`.
std::string link_name(const TopologyGraph& g, uint32_t l);

}  // namespace aifabric
