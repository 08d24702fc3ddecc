// Transport profiles (`transport.profile`): the source report's table 3 (TCP, RoCE,
// Falcon, UET, SRD) as named presets of load-balancing granularity, link-layer
// backpressure, congestion control and loss recovery. A profile is a list of scenario
// settings applied before the scenario is read, each only where the file and the
// --set overrides leave its key unset: what a user writes always wins.
#pragma once

#include <yaml-cpp/yaml.h>

#include <string>
#include <vector>

namespace aifabric {

// Applies the profile `root` names at transport.profile, if any, to the YAML tree:
// each setting whose key `root` does not hold yet. Returns the settings applied, as
// "key=value" (for the run's notes). What it cannot apply — an unknown profile name, a
// key whose path the file holds as a value — it leaves for the reader to refuse.
std::vector<std::string> apply_transport_profile(YAML::Node& root);

}  // namespace aifabric
