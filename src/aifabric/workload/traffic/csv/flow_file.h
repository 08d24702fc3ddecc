// Reader for a plain CSV flow list: a header naming the columns, then one flow per
// line. Columns, in any order: src, dst (host indices), bytes (a size, "16MiB" or
// "1000"), start (a time with its unit, "10us") and optionally priority (0..7).
//
//   src, dst, bytes, start, priority
//   0,   5,   16MiB, 0us,   3
//
// Blank lines and lines starting with '#' are skipped.
#pragma once

#include <cstdint>
#include <istream>
#include <string>
#include <vector>

#include "aifabric/core/status.h"
#include "aifabric/transport/flow_spec.h"

namespace aifabric {

// `host_count` bounds src and dst; flows without a priority column get
// `default_priority`. Flows get ids 0..n-1 in file order and source port 0 (the
// engine assigns one). Errors read "source:line: column 'name': why".
Result<std::vector<FlowSpec>> read_flow_csv(std::istream& in, const std::string& source,
                                            uint32_t host_count, uint8_t default_priority);

}  // namespace aifabric
