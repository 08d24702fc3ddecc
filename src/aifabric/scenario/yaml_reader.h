// Reads a YAML tree into Params through the ParamVisitor listing. Every key must be
// known: an unknown key, a bad unit or an out-of-range value is an error naming the
// file, the line and the full key path (`scenario.yaml:12: switch.ecn.k_min: ...`).
#pragma once

#include <yaml-cpp/yaml.h>

#include <string>
#include <vector>

#include "aifabric/core/params.h"
#include "aifabric/core/status.h"

namespace aifabric {

// Fills `params` from `node` (a map, or null for all defaults) and runs every
// section's validate(). `source` names the file in messages.
Status read_params(const YAML::Node& node, Params& params, const std::string& source);

// Applies `key.path=value` overrides to a YAML tree (creating maps as needed; numeric
// components index lists). The value is parsed as YAML, so lists work: `a.b=[1,2]`.
Status apply_override(YAML::Node& root, const std::string& assignment);

}  // namespace aifabric
