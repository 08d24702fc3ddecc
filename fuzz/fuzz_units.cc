// Fuzz harness for the unit parsers (parse_time, parse_bytes, parse_rate): whatever
// parses formats to text that parses back to the same value; errors are one clean line.
#include <string>
#include <string_view>

#include "aifabric/core/parse.h"
#include "fuzz/fuzz_target.h"

AIFABRIC_FUZZ_TARGET(units) {
  using namespace aifabric;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto t = parse_time(text)) {
    const std::string f = format_time(*t);
    auto back = parse_time(f);
    AIFABRIC_FUZZ_REQUIRE(
        back && *back == *t,
        "time " + std::to_string(t->ps()) + " ps formats as '" + f + "', which reads back " +
            (back ? std::to_string(back->ps()) + " ps" : back.status().message()));
    AIFABRIC_FUZZ_REQUIRE(t->ps() >= 0, "a negative time parsed");
  } else {
    // Errors of a bare value have no source name; the quoted input must still be clean.
    fuzz::check_message(t.status().message(), {""});
  }
  if (auto b = parse_bytes(text)) {
    const std::string f = format_bytes(*b);
    auto back = parse_bytes(f);
    AIFABRIC_FUZZ_REQUIRE(back && *back == *b,
                          "size " + std::to_string(b->count()) + " B formats as '" + f + "'");
    AIFABRIC_FUZZ_REQUIRE(b->count() >= 0, "a negative size parsed");
  } else {
    fuzz::check_message(b.status().message(), {""});
  }
  if (auto r = parse_rate(text)) {
    const std::string f = format_rate(*r);
    auto back = parse_rate(f);
    AIFABRIC_FUZZ_REQUIRE(back && *back == *r, "rate " + std::to_string(r->bits_per_second()) +
                                                   " bps formats as '" + f + "'");
    AIFABRIC_FUZZ_REQUIRE(r->bits_per_second() > 0, "a rate below 1 bps parsed");
  } else {
    fuzz::check_message(r.status().message(), {""});
  }
  if (auto i = parse_integer(text)) {
    AIFABRIC_FUZZ_REQUIRE(*parse_integer(std::to_string(*i)) == *i, "integer round trip");
  }
  if (auto n = parse_number(text)) {
    AIFABRIC_FUZZ_REQUIRE(n.value() == n.value(), "a number parsed to NaN");
  }
  const std::string q = quote_input(text);
  fuzz::check_message(q, {"'"});
  return 0;
}
