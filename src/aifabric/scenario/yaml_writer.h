// Writes a Params tree back as YAML: every key with its value, in the listing's order,
// so a results folder's scenario.yaml is the fully resolved scenario. Values are exact:
// a time, size or rate is written in a unit it re-parses to bit for bit, numbers with
// enough digits to round-trip, strings quoted. Reading the text back (read_params)
// gives an identical tree.
#pragma once

#include <string>

#include "aifabric/core/params.h"

namespace aifabric {

// `base_dir`: the folder relative file names (ParamVisitor::path) are resolved against;
// they are written absolute.
std::string write_yaml(Params& root, const std::string& base_dir);

// `text` as one YAML scalar (double-quoted, every special character escaped by the YAML
// library): how a value from the command line joins an override without being read as
// YAML syntax.
std::string yaml_scalar(const std::string& text);

}  // namespace aifabric
