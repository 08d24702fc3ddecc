// Unit parsing: the number is read as a decimal (so "1.5us" works) and scaled exactly
// where possible; results are rounded to the nearest integer unit.
#include "aifabric/core/parse.h"

#include <cctype>
#include <cmath>
#include <cstdio>
#include <string>

namespace aifabric {
namespace {

struct Split {
  double number = 0;
  std::string unit;
};

std::string trim(std::string_view s) {
  size_t b = 0;
  size_t e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return std::string(s.substr(b, e - b));
}

Result<Split> split_number(std::string_view text, std::string_view what) {
  const std::string s = trim(text);
  if (s.empty()) return Status::error("empty " + std::string(what));
  size_t i = 0;
  if (s[i] == '+' || s[i] == '-') ++i;
  bool digits = false;
  while (i < s.size() && (std::isdigit(static_cast<unsigned char>(s[i])) || s[i] == '.')) {
    digits = digits || std::isdigit(static_cast<unsigned char>(s[i]));
    ++i;
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E') && i + 1 < s.size() &&
      (std::isdigit(static_cast<unsigned char>(s[i + 1])) || s[i + 1] == '-' || s[i + 1] == '+')) {
    ++i;
    if (s[i] == '-' || s[i] == '+') ++i;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
  }
  if (!digits) return Status::error("'" + s + "' is not a " + std::string(what));
  Split out;
  try {
    size_t used = 0;
    out.number = std::stod(s.substr(0, i), &used);
    if (used != i) return Status::error("'" + s + "' is not a " + std::string(what));
  } catch (...) {
    return Status::error("'" + s + "' is not a " + std::string(what));
  }
  if (!std::isfinite(out.number)) return Status::error("'" + s + "' is not finite");
  if (out.number < 0) return Status::error("'" + s + "' is negative");
  out.unit = trim(std::string_view(s).substr(i));
  return out;
}

std::string fmt_double(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

}  // namespace

Result<Time> parse_time(std::string_view text) {
  auto sp = split_number(text, "time");
  if (!sp) return sp.status();
  const std::string& u = sp->unit;
  double scale_ps = 0;
  if (u == "ps") {
    scale_ps = 1;
  } else if (u == "ns") {
    scale_ps = 1e3;
  } else if (u == "us") {
    scale_ps = 1e6;
  } else if (u == "ms") {
    scale_ps = 1e9;
  } else if (u == "s") {
    scale_ps = 1e12;
  } else if (u.empty()) {
    return Status::error("time '" + trim(text) + "' needs a unit (ps, ns, us, ms, s)");
  } else {
    return Status::error("unknown time unit '" + u + "' in '" + trim(text) +
                         "' (use ps, ns, us, ms, s)");
  }
  const double ps = std::round(sp->number * scale_ps);
  if (ps > 9.2e18) return Status::error("time '" + trim(text) + "' is too large");
  return Time::ps(static_cast<int64_t>(ps));
}

Result<Bytes> parse_bytes(std::string_view text) {
  auto sp = split_number(text, "size");
  if (!sp) return sp.status();
  std::string u = sp->unit;
  double scale = 0;
  if (u.empty() || u == "B") {
    scale = 1;
  } else if (u == "KB" || u == "kB") {
    scale = 1e3;
  } else if (u == "MB") {
    scale = 1e6;
  } else if (u == "GB") {
    scale = 1e9;
  } else if (u == "TB") {
    scale = 1e12;
  } else if (u == "KiB") {
    scale = 1024.0;
  } else if (u == "MiB") {
    scale = 1024.0 * 1024;
  } else if (u == "GiB") {
    scale = 1024.0 * 1024 * 1024;
  } else if (u == "TiB") {
    scale = 1024.0 * 1024 * 1024 * 1024;
  } else {
    return Status::error("unknown size unit '" + u + "' in '" + trim(text) +
                         "' (use B, KB, MB, GB, KiB, MiB, GiB)");
  }
  const double b = std::round(sp->number * scale);
  if (b > 9.2e18) return Status::error("size '" + trim(text) + "' is too large");
  return Bytes(static_cast<int64_t>(b));
}

Result<BitRate> parse_rate(std::string_view text) {
  auto sp = split_number(text, "rate");
  if (!sp) return sp.status();
  std::string u = sp->unit;
  // Accept "Gbps", "Gb/s", "G", "Gbit/s" and the same for K, M, T.
  double scale = 0;
  char prefix = u.empty() ? '\0' : u[0];
  std::string rest = u.size() > 1 ? u.substr(1) : "";
  if (u == "bps" || u == "b/s") {
    scale = 1;
    prefix = 0;
    rest = "ok";
  }
  if (rest.empty() || rest == "bps" || rest == "b/s" || rest == "bit/s" || rest == "ok") {
    switch (prefix) {
      case 'K':
      case 'k':
        scale = 1e3;
        break;
      case 'M':
        scale = 1e6;
        break;
      case 'G':
        scale = 1e9;
        break;
      case 'T':
        scale = 1e12;
        break;
      default:
        break;
    }
  }
  if (u.empty()) {
    return Status::error("rate '" + trim(text) + "' needs a unit (e.g. 400Gbps, 100Mbps)");
  }
  if (scale == 0) {
    return Status::error("unknown rate unit '" + u + "' in '" + trim(text) +
                         "' (use bps, Kbps, Mbps, Gbps, Tbps)");
  }
  const double r = std::round(sp->number * scale);
  if (r < 1) return Status::error("rate '" + trim(text) + "' must be positive");
  if (r > 9.2e18) return Status::error("rate '" + trim(text) + "' is too large");
  return BitRate::bps(static_cast<int64_t>(r));
}

std::string format_time(Time t) {
  const double ps = static_cast<double>(t.ps());
  if (t.ps() == 0) return "0s";
  if (ps < 1e3) return fmt_double(ps) + "ps";
  if (ps < 1e6) return fmt_double(ps / 1e3) + "ns";
  if (ps < 1e9) return fmt_double(ps / 1e6) + "us";
  if (ps < 1e12) return fmt_double(ps / 1e9) + "ms";
  return fmt_double(ps / 1e12) + "s";
}

std::string format_bytes(Bytes b) {
  const int64_t v = b.count();
  if (v != 0 && v % (1024LL * 1024 * 1024) == 0) return std::to_string(v >> 30) + "GiB";
  if (v != 0 && v % (1024LL * 1024) == 0) return std::to_string(v >> 20) + "MiB";
  if (v != 0 && v % 1024 == 0) return std::to_string(v >> 10) + "KiB";
  return std::to_string(v) + "B";
}

std::string format_rate(BitRate r) {
  const double v = static_cast<double>(r.bits_per_second());
  if (v >= 1e12) return fmt_double(v / 1e12) + "Tbps";
  if (v >= 1e9) return fmt_double(v / 1e9) + "Gbps";
  if (v >= 1e6) return fmt_double(v / 1e6) + "Mbps";
  if (v >= 1e3) return fmt_double(v / 1e3) + "Kbps";
  return fmt_double(v) + "bps";
}

}  // namespace aifabric
