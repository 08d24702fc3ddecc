// Sender-side load balancing: how a NIC chooses the UDP source port (the entropy every
// ECMP switch hashes) of each packet. `off`: one port per queue pair, as RoCEv2 NICs do,
// drawn from the run's seed or set by a path controller (planned paths). Spraying
// modes give each packet its own port, so one message spreads over every equal-cost
// path. A new mode is a folder under lb/sender/ plus one line in lb/sender/registry.cc.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "aifabric/core/registry.h"
#include "aifabric/core/units.h"
#include "aifabric/transport/flow_spec.h"
#include "aifabric/transport/path_chooser.h"

namespace aifabric {

struct PathSelection {
  std::string_view mode = "off";  // a member of sender_modes()
  // Modes that need paths (round_robin): the ports to cycle through, one per distinct
  // path of the flow's source and destination (the control plane fills them in);
  // empty = behave as random.
  std::vector<uint16_t> sports;
  // adaptive: how many good (unmarked) ports the sender remembers for reuse.
  int64_t recycle = 64;
  // adaptive: an ACK whose RTT exceeds this counts as congested like an ECN echo;
  // zero = ECN only.
  Time rtt_threshold;
  // Random ports are drawn from [sport_min, sport_max] (the ephemeral range).
  uint16_t sport_min = 49152;
  uint16_t sport_max = 65535;
  uint64_t seed = 0;  // the queue pair's own random stream
};

struct SenderMode : Member {
  // The queue pair's chooser; null = the flow's own port on every packet.
  std::unique_ptr<PathChooser> (*make)(const PathSelection& ps, const FlowSpec& flow) = nullptr;
  // Wants PathSelection::sports: one source port per distinct path.
  bool needs_paths = false;
};

// The entry of chooser `Impl`, constructed as Impl(const PathSelection&, const FlowSpec&).
template <class Impl>
SenderMode sender_member(std::string_view name, std::string_view doc, bool needs_paths = false) {
  SenderMode m;
  m.name = name;
  m.doc = doc;
  m.make = [](const PathSelection& ps, const FlowSpec& f) -> std::unique_ptr<PathChooser> {
    return std::make_unique<Impl>(ps, f);
  };
  m.needs_paths = needs_paths;
  return m;
}

const Registry<SenderMode>& sender_modes();

// The chooser `ps.mode` makes for `flow` (null for off or an unknown mode).
std::unique_ptr<PathChooser> make_path_chooser(const PathSelection& ps, const FlowSpec& flow);

}  // namespace aifabric
