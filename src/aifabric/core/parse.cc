// Unit parsing: the number is read as an exact decimal (digits and a power of ten, no
// floating point), scaled by the unit exactly and rounded once, so "0.1us" is exactly
// 100000 ps and a size that is not a whole number of bytes can be told apart.
#include "aifabric/core/parse.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <limits>
#include <string>

namespace aifabric {
namespace {

__extension__ typedef unsigned __int128 u128;  // NOLINT(modernize-use-using)
constexpr u128 kMaxValue = static_cast<u128>(std::numeric_limits<int64_t>::max());
constexpr size_t kMaxDigits = 19;  // significant digits: the mantissa fits in 64 bits

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}
bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

// A non-negative decimal mantissa * 10^exponent, and the unit text after it.
struct Decimal {
  uint64_t mantissa = 0;  // without leading or trailing zeros
  int64_t exponent = 0;
  std::string_view unit;
};

// "[+]digits[.digits][e[+-]digits] unit" (at least one digit before the unit).
Result<Decimal> split_number(std::string_view text, std::string_view what) {
  const std::string_view s = trim(text);
  if (s.empty()) return Status::error("empty " + std::string(what));
  size_t i = 0;
  bool negative = false;
  if (s[i] == '+' || s[i] == '-') negative = s[i++] == '-';
  std::string digits;  // significant digits, leading zeros dropped
  int64_t exponent = 0;
  bool any_digit = false;
  bool point = false;
  for (; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '.' && !point) {
      point = true;
      continue;
    }
    if (!is_digit(c)) break;
    any_digit = true;
    if (digits.empty() && c == '0') {  // a leading zero: only its place counts
      if (point) --exponent;
      continue;
    }
    if (digits.size() < kMaxDigits) {
      digits += c;
      if (point) --exponent;
      continue;
    }
    // The 64-bit mantissa is full: only zeros may follow, which shift the exponent.
    if (c != '0') {
      return Status::error(quote_input(s) + " has more than " + std::to_string(kMaxDigits) +
                           " significant digits");
    }
    if (!point) ++exponent;
  }
  if (!any_digit) return Status::error(quote_input(s) + " is not a " + std::string(what));
  if (i + 1 < s.size() && (s[i] == 'e' || s[i] == 'E') &&
      (is_digit(s[i + 1]) ||
       ((s[i + 1] == '-' || s[i + 1] == '+') && i + 2 < s.size() && is_digit(s[i + 2])))) {
    ++i;
    const bool neg_exp = s[i] == '-';
    if (s[i] == '-' || s[i] == '+') ++i;
    int64_t e = 0;
    for (; i < s.size() && is_digit(s[i]); ++i) {
      if (e < 100000) e = e * 10 + (s[i] - '0');  // saturates far beyond any scale
    }
    exponent += neg_exp ? -e : e;
  }
  if (negative) return Status::error(quote_input(s) + " is negative");
  while (!digits.empty() && digits.back() == '0') {
    digits.pop_back();
    ++exponent;
  }
  Decimal d;
  for (char c : digits) d.mantissa = d.mantissa * 10 + static_cast<uint64_t>(c - '0');
  d.exponent = digits.empty() ? 0 : exponent;
  d.unit = trim(s.substr(i));
  return d;
}

enum class Rounding { kNearest, kWholeOnly };

// mantissa * 10^exponent * scale, rounded to the nearest integer (halves up), or
// nothing with kWholeOnly when it is not an integer. Fails above int64's range.
struct Scaled {
  int64_t value = 0;
  bool whole = true;
  bool too_large = false;
};
Scaled scale_exact(const Decimal& d, uint64_t scale) {
  Scaled out;
  u128 n = static_cast<u128>(d.mantissa) * scale;  // < 10^19 * 2^40 < 2^128
  if (n == 0) return out;
  if (d.exponent >= 0) {
    for (int64_t e = 0; e < d.exponent; ++e) {
      n *= 10;
      if (n > kMaxValue) break;
    }
    out.too_large = n > kMaxValue;
    if (!out.too_large) out.value = static_cast<int64_t>(n);
    return out;
  }
  if (-d.exponent > 38) {  // n < 2^72 < 10^38 / 2: rounds to zero
    out.whole = false;
    return out;
  }
  u128 div = 1;
  for (int64_t e = 0; e < -d.exponent; ++e) div *= 10;
  u128 q = n / div;
  const u128 r = n % div;
  out.whole = r == 0;
  if (2 * r >= div) ++q;
  out.too_large = q > kMaxValue;
  if (!out.too_large) out.value = static_cast<int64_t>(q);
  return out;
}

std::string fmt_double(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

// v / 10^digits written exactly, without trailing zeros: (1500000, 6) -> "1.5".
std::string exact_decimal(int64_t v, int digits) {
  const std::string all = std::to_string(v);
  const auto d = static_cast<size_t>(digits);
  const std::string padded = all.size() <= d ? std::string(d + 1 - all.size(), '0') + all : all;
  std::string frac = padded.substr(padded.size() - d);
  while (!frac.empty() && frac.back() == '0') frac.pop_back();
  const std::string whole = padded.substr(0, padded.size() - d);
  return frac.empty() ? whole : whole + "." + frac;
}

// The short %.6g form when it reads back as `value`, else the exact one.
template <class Parse>
std::string shortest(double shown, int64_t v, int digits, const std::string& unit, Parse parse,
                     int64_t want) {
  std::string s = fmt_double(shown) + unit;
  if (parse(s) == want) return s;
  return exact_decimal(v, digits) + unit;
}

}  // namespace

Result<Time> parse_time(std::string_view text) {
  auto sp = split_number(text, "time");
  if (!sp) return sp.status();
  const std::string_view u = sp->unit;
  uint64_t scale_ps = 0;
  if (u == "ps") {
    scale_ps = 1;
  } else if (u == "ns") {
    scale_ps = 1'000;
  } else if (u == "us") {
    scale_ps = 1'000'000;
  } else if (u == "ms") {
    scale_ps = 1'000'000'000;
  } else if (u == "s") {
    scale_ps = 1'000'000'000'000;
  } else if (u == "min") {
    scale_ps = 60'000'000'000'000;
  } else if (u == "h") {
    scale_ps = 3'600'000'000'000'000;
  } else if (u == "d") {
    scale_ps = 86'400'000'000'000'000;
  } else if (u.empty()) {
    return Status::error("time " + quote_input(trim(text)) +
                         " needs a unit (ps, ns, us, ms, s, min, h, d)");
  } else {
    return Status::error("unknown time unit " + quote_input(u) + " in " + quote_input(trim(text)) +
                         " (use ps, ns, us, ms, s, min, h, d)");
  }
  const Scaled ps = scale_exact(*sp, scale_ps);
  if (ps.too_large) return Status::error("time " + quote_input(trim(text)) + " is too large");
  return Time::ps(ps.value);
}

Result<Bytes> parse_bytes(std::string_view text) {
  auto sp = split_number(text, "size");
  if (!sp) return sp.status();
  const std::string_view u = sp->unit;
  uint64_t scale = 0;
  if (u.empty() || u == "B") {
    scale = 1;
  } else if (u == "KB" || u == "kB") {
    scale = 1'000;
  } else if (u == "MB") {
    scale = 1'000'000;
  } else if (u == "GB") {
    scale = 1'000'000'000;
  } else if (u == "TB") {
    scale = 1'000'000'000'000;
  } else if (u == "KiB") {
    scale = uint64_t{1} << 10;
  } else if (u == "MiB") {
    scale = uint64_t{1} << 20;
  } else if (u == "GiB") {
    scale = uint64_t{1} << 30;
  } else if (u == "TiB") {
    scale = uint64_t{1} << 40;
  } else {
    return Status::error("unknown size unit " + quote_input(u) + " in " + quote_input(trim(text)) +
                         " (use B, KB, MB, GB, KiB, MiB, GiB)");
  }
  const Scaled b = scale_exact(*sp, scale);
  if (b.too_large) return Status::error("size " + quote_input(trim(text)) + " is too large");
  if (!b.whole) {
    return Status::error("size " + quote_input(trim(text)) + " is not a whole number of bytes");
  }
  return Bytes(b.value);
}

Result<BitRate> parse_rate(std::string_view text) {
  auto sp = split_number(text, "rate");
  if (!sp) return sp.status();
  const std::string_view u = sp->unit;
  // Accept "Gbps", "Gb/s", "G", "Gbit/s" and the same for K, M, T.
  uint64_t scale = 0;
  if (u == "bps" || u == "b/s" || u == "bit/s") {
    scale = 1;
  } else if (!u.empty()) {
    const std::string_view rest = u.substr(1);
    if (rest.empty() || rest == "bps" || rest == "b/s" || rest == "bit/s") {
      switch (u[0]) {
        case 'K':
        case 'k':
          scale = 1'000;
          break;
        case 'M':
          scale = 1'000'000;
          break;
        case 'G':
          scale = 1'000'000'000;
          break;
        case 'T':
          scale = 1'000'000'000'000;
          break;
        default:
          break;
      }
    }
  }
  if (u.empty()) {
    return Status::error("rate " + quote_input(trim(text)) +
                         " needs a unit (e.g. 400Gbps, 100Mbps)");
  }
  if (scale == 0) {
    return Status::error("unknown rate unit " + quote_input(u) + " in " + quote_input(trim(text)) +
                         " (use bps, Kbps, Mbps, Gbps, Tbps)");
  }
  const Scaled r = scale_exact(*sp, scale);
  if (r.too_large) return Status::error("rate " + quote_input(trim(text)) + " is too large");
  if (r.value < 1) return Status::error("rate " + quote_input(trim(text)) + " must be positive");
  return BitRate::bps(r.value);
}

std::string format_time(Time t) {
  const int64_t v = t.ps();
  const double ps = static_cast<double>(v);
  auto parse = [](const std::string& s) {
    auto r = parse_time(s);
    return r ? r->ps() : -1;
  };
  if (v == 0) return "0s";
  if (ps < 1e3) return std::to_string(v) + "ps";
  if (ps < 1e6) return shortest(ps / 1e3, v, 3, "ns", parse, v);
  if (ps < 1e9) return shortest(ps / 1e6, v, 6, "us", parse, v);
  if (ps < 1e12) return shortest(ps / 1e9, v, 9, "ms", parse, v);
  return shortest(ps / 1e12, v, 12, "s", parse, v);
}

std::string format_bytes(Bytes b) {
  const int64_t v = b.count();
  if (v != 0 && v % (1024LL * 1024 * 1024) == 0) return std::to_string(v >> 30) + "GiB";
  if (v != 0 && v % (1024LL * 1024) == 0) return std::to_string(v >> 20) + "MiB";
  if (v != 0 && v % 1024 == 0) return std::to_string(v >> 10) + "KiB";
  return std::to_string(v) + "B";
}

std::string format_rate(BitRate r) {
  const int64_t v = r.bits_per_second();
  const double d = static_cast<double>(v);
  auto parse = [](const std::string& s) {
    auto x = parse_rate(s);
    return x ? x->bits_per_second() : -1;
  };
  if (d >= 1e12) return shortest(d / 1e12, v, 12, "Tbps", parse, v);
  if (d >= 1e9) return shortest(d / 1e9, v, 9, "Gbps", parse, v);
  if (d >= 1e6) return shortest(d / 1e6, v, 6, "Mbps", parse, v);
  if (d >= 1e3) return shortest(d / 1e3, v, 3, "Kbps", parse, v);
  return std::to_string(v) + "bps";
}

Result<int64_t> parse_integer(std::string_view text) {
  std::string_view t = text;
  const std::string q = quote_input(text);
  if (t.empty()) return Status::error("empty value (expected an integer)");
  if (t.front() == '+') t.remove_prefix(1);
  const bool neg = !t.empty() && t.front() == '-';
  const std::string_view digits = neg ? t.substr(1) : t;
  if (digits.empty() || (text.front() == '+' && neg)) {
    return Status::error(q + " is not an integer");
  }
  for (char c : digits) {
    if (!is_digit(c)) return Status::error(q + " is not an integer");
  }
  int64_t v = 0;
  const auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
  if (ec == std::errc::result_out_of_range) return Status::error(q + " is out of range");
  if (ec != std::errc() || end != t.data() + t.size()) {
    return Status::error(q + " is not an integer");
  }
  return v;
}

Result<double> parse_number(std::string_view text) {
  const std::string q = quote_input(text);
  if (text.empty()) return Status::error("empty value (expected a number)");
  // [+-] (digits [. digits*] | . digits) [e [+-] digits]
  size_t i = 0;
  if (text[i] == '+' || text[i] == '-') ++i;
  const size_t body = i;
  auto digits = [&] {
    size_t n = 0;
    for (; i < text.size() && is_digit(text[i]); ++i) ++n;
    return n;
  };
  size_t mant = digits();
  if (i < text.size() && text[i] == '.') {
    ++i;
    mant += digits();
  }
  if (mant == 0) return Status::error(q + " is not a number");
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    if (i < text.size() && (text[i] == '+' || text[i] == '-')) ++i;
    if (digits() == 0) return Status::error(q + " is not a number");
  }
  if (i != text.size()) return Status::error(q + " is not a number");
  // from_chars takes no '+'; the grammar above already refused hex, inf and nan.
  const std::string_view t = text[0] == '+' ? text.substr(body) : text;
  double v = 0;
  const auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
  if (ec == std::errc::result_out_of_range) return Status::error(q + " is out of range");
  if (ec != std::errc() || end != t.data() + t.size() || !std::isfinite(v)) {
    return Status::error(q + " is not a number");
  }
  return v;
}

namespace {

// Length of the UTF-8 sequence starting at s[i], or 0 when it is not well formed
// (overlong forms, surrogates and values past U+10FFFF included).
size_t utf8_length(std::string_view s, size_t i) {
  const auto b = static_cast<unsigned char>(s[i]);
  size_t n = 0;
  uint32_t cp = 0;
  if (b >= 0xC2 && b <= 0xDF) {
    n = 2;
    cp = b & 0x1Fu;
  } else if (b >= 0xE0 && b <= 0xEF) {
    n = 3;
    cp = b & 0x0Fu;
  } else if (b >= 0xF0 && b <= 0xF4) {
    n = 4;
    cp = b & 0x07u;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k) {
    const auto c = static_cast<unsigned char>(s[i + k]);
    if ((c & 0xC0u) != 0x80u) return 0;
    cp = (cp << 6) | (c & 0x3Fu);
  }
  if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
      (cp >= 0xD800 && cp <= 0xDFFF)) {
    return 0;
  }
  return n;
}

// Appends at most `budget` characters of `text`, escaped; false if it had to cut.
bool append_escaped(std::string& out, std::string_view text, size_t budget) {
  static constexpr char kHex[] = "0123456789abcdef";
  size_t shown = 0;
  for (size_t i = 0; i < text.size();) {
    if (shown >= budget) return false;
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c < 0x7F) {
      out += static_cast<char>(c);
      ++i;
    } else if (const size_t n = c >= 0x80 ? utf8_length(text, i) : 0; n > 0) {
      out.append(text.substr(i, n));
      i += n;
    } else {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
      ++i;
    }
    ++shown;
  }
  return true;
}

}  // namespace

std::string quote_input(std::string_view text, size_t max_chars) {
  std::string out = "'";
  const bool whole = append_escaped(out, text, max_chars);
  out += whole ? "'" : "'...";
  return out;
}

std::string printable(std::string_view text) {
  std::string out;
  append_escaped(out, text, std::numeric_limits<size_t>::max());
  return out;
}

}  // namespace aifabric
