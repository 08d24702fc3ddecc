// Parsing and printing of quantities with units: "400Gbps", "4KiB", "1.5us", and the
// strict plain numbers of configuration files. Parsers reject negative values, unknown
// units, hex, inf/nan and trailing garbage; quote_input() makes input safe to echo.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "aifabric/core/status.h"
#include "aifabric/core/units.h"

namespace aifabric {

// Times need a unit: ps, ns, us, ms, s, min, h, d (e.g. "1.5us", "0.001ms"). The decimal is
// scaled exactly and rounded to the nearest picosecond.
Result<Time> parse_time(std::string_view text);
// Sizes: a plain integer is bytes; units B, KB/MB/GB/TB (10^3), KiB/MiB/GiB/TiB (2^10).
// The result must be a whole number of bytes: "1.5KiB" is 1536 B, "1.5B" is refused.
Result<Bytes> parse_bytes(std::string_view text);
// Rates need a unit: bps, Kbps, Mbps, Gbps, Tbps (also "Gb/s" and bare "G"); rounded to
// the nearest bit per second.
Result<BitRate> parse_rate(std::string_view text);

// Exact inverses of the parsers: parse_x(format_x(v)) == v for every value.
std::string format_time(Time t);
std::string format_bytes(Bytes b);
std::string format_rate(BitRate r);

// A decimal integer, optionally signed: "42", "-1", "+7". No hex, no exponent, no
// blanks, no fraction. Errors name the text ("'0x10' is not an integer").
Result<int64_t> parse_integer(std::string_view text);
// A finite decimal number: "0.5", "-2", "1e-6", ".5". No hex floats, inf or nan.
Result<double> parse_number(std::string_view text);

// `text` between single quotes, safe to put in a one-line message: control bytes,
// DEL and bytes that are not UTF-8 become \xHH, and text longer than `max_chars` is
// cut with "...".
std::string quote_input(std::string_view text, size_t max_chars = 80);
// The same escaping without quotes or cutting (for whole messages and file names).
std::string printable(std::string_view text);

}  // namespace aifabric
