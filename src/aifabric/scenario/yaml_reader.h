// Reads a YAML tree into Params through the ParamVisitor listing. Every key must be
// known: an unknown key, a bad unit or an out-of-range value is an error naming the
// file, the line and the full key path (`scenario.yaml:12: switch.ecn.k_min: ...`), or
// the override it came from (`--set switch.ecn.k_min=5x: switch.ecn.k_min: ...`).
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "aifabric/core/params.h"
#include "aifabric/core/status.h"

namespace aifabric {

// Limits of a YAML text (docs/reliability.md): nesting depth, and nodes once every
// alias is expanded, so that `&a [*b, *b, ...]` chains cannot multiply the work.
inline constexpr size_t kMaxYamlDepth = 64;
inline constexpr uint64_t kMaxYamlNodes = 1'000'000;

// Parses YAML text strictly: it must be text (no control bytes, no CR-only line ends;
// a UTF-8 byte order mark is dropped), one document, without duplicate keys, with plain
// scalar keys, within the limits above. `source` starts every message; with
// `lines`, messages cite "source:line". `key_prefix` is the key path the text sits at
// (an override's key), for messages.
Result<YAML::Node> load_yaml(std::string_view text, const std::string& source, bool lines,
                             const std::string& key_prefix = "");

// Fills `params` from `node` (a map, or null for all defaults) and runs every
// section's validate(). `source` names the file in messages. Unknown keys are reported
// before any other error (the earliest in the file first). `overrides` are the --set
// assignments applied to `node`: an error at or under an overridden key (or a section
// check of a section an override changed) names the override instead of the file.
Status read_params(const YAML::Node& node, Params& params, const std::string& source,
                   const std::vector<std::string>& overrides = {});

// Applies a `key.path=value` override to a YAML tree (creating maps as needed; numeric
// components index lists). The value is parsed as YAML, so lists work: `a.b=[1,2]`.
// Errors read "--set key.path=value: why".
Status apply_override(YAML::Node& root, const std::string& assignment);

// How an assignment is shown in messages: "--set key=value", escaped and cut.
std::string override_label(std::string_view assignment);

}  // namespace aifabric
