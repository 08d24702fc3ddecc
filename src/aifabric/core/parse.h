// Parsing and printing of quantities with units: "400Gbps", "4KiB", "1.5us".
// Parsers reject negative values, unknown units and trailing garbage.
#pragma once

#include <string>
#include <string_view>

#include "aifabric/core/status.h"
#include "aifabric/core/units.h"

namespace aifabric {

// Times need a unit: ps, ns, us, ms, s (e.g. "1.5us", "0.001ms").
Result<Time> parse_time(std::string_view text);
// Sizes: a plain integer is bytes; units B, KB/MB/GB (10^3), KiB/MiB/GiB (2^10).
Result<Bytes> parse_bytes(std::string_view text);
// Rates need a unit: bps, Kbps, Mbps, Gbps, Tbps (also "Gb/s" and bare "G").
Result<BitRate> parse_rate(std::string_view text);

std::string format_time(Time t);
std::string format_bytes(Bytes b);
std::string format_rate(BitRate r);

}  // namespace aifabric
