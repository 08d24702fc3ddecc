// How a sender chooses the UDP source port (the entropy every ECMP switch hashes) of
// each packet it sends. Fixed: one port per queue pair, as RoCEv2 NICs do, either
// drawn from the run's seed or set by a path controller (planned paths). Spraying:
// a port per packet, so one message spreads over every equal-cost path.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "aifabric/core/units.h"

namespace aifabric {

enum class SprayMode : uint8_t {
  kOff = 0,         // every packet carries the flow's own source port
  kRandom = 1,      // a fresh random port per packet
  kRoundRobin = 2,  // cycle through `sports`, one port per distinct path
  kAdaptive = 3,    // REPS-like: reuse ports whose ACK came back unmarked, else random
};
inline constexpr std::string_view kSprayModeNames[] = {"off", "random", "round_robin", "adaptive"};

struct PathSelection {
  SprayMode mode = SprayMode::kOff;
  // kRoundRobin: the ports to cycle through (the network fills in one per distinct
  // path of the flow's source and destination); empty = behave as kRandom.
  std::vector<uint16_t> sports;
  // kAdaptive: how many good (unmarked) ports the sender remembers for reuse.
  int64_t recycle = 64;
  // kAdaptive: an ACK whose RTT exceeds this counts as congested like an ECN echo;
  // zero = ECN only.
  Time rtt_threshold;
  // Random ports are drawn from [sport_min, sport_max] (the ephemeral range).
  uint16_t sport_min = 49152;
  uint16_t sport_max = 65535;
  uint64_t seed = 0;  // the queue pair's own random stream
};

}  // namespace aifabric
