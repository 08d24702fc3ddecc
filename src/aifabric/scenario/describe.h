// The scenario reference, generated from the same Params listing that reads and
// validates scenario files: every key with its unit, default and meaning.
#pragma once

#include <string>

#include "aifabric/core/params.h"

namespace aifabric {

// A Markdown table per section (`markdown`), or an indented plain-text tree.
std::string describe_params(Params& root, bool markdown);

}  // namespace aifabric
