// What the faults of a run did, as plain records of the fault layer (faults.csv,
// summary.json, the telemetry events table and the report read them): one row per
// fault with its detection, each recovery step's convergence time, the packets its links
// blackholed and the flows it touched; and the link state changes as timed events.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "aifabric/core/units.h"

namespace aifabric {

struct FaultRow {
  Time at;
  std::string kind;       // link_down, flap_down, degrade, switch_down, random_link_down, ...
  std::string element;    // leaf0-spine1, spine1, host3
  bool happened = false;  // false: the run ended before its time
  // Times from `at` (Time::max(): did not happen). Detection: the first end that saw it;
  // local: the detecting switches pruned the dead port; notices: the last switch that
  // acted on a failure notice; control plane: the last switch installs the recomputed
  // routes (scheduled when the computation starts, so known even when the traffic ends
  // first); reweight: WCMP weights followed a rate change.
  Time detected = Time::max();
  Time local_repair = Time::max();
  Time notices_done = Time::max();
  Time control_plane_done = Time::max();
  Time reweighted = Time::max();
  Time blackhole_end = Time::max();  // the last frame its links blackholed
  int64_t notices = 0;               // failure notices sent for this fault
  int64_t blackholed_packets = 0;    // frames lost on its links while they were down
  int64_t blackholed_bytes = 0;      // their data payload
  uint32_t flows_affected = 0;       // flows with a frame blackholed on its links
  uint32_t flows_failed = 0;         // ... of which failed (retry limit reached)
};

// A link's state changing at run time, for the telemetry store's events table.
struct LinkEvent {
  Time at;
  std::string kind;             // "link_down", "link_up", "link_rate", "link_ber"
  uint32_t node = 0, peer = 0;  // the link's ends (node ids)
  uint16_t port = 0;            // its port at `node`
  std::string detail;           // "100 Gb/s", "ber 1e-07"
};

struct FaultRecord {
  std::string mode;       // recovery.mode
  std::string detection;  // recovery.detection
  std::vector<FaultRow> rows;
  std::vector<LinkEvent> events;
  int64_t blackholed_packets = 0;
  int64_t notices = 0;
  int64_t route_installs = 0;  // control-plane table installs, all switches
};

}  // namespace aifabric
