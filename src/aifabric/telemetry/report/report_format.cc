// Value formatting for report.html and sweep.html (see report_format.h).
#include "aifabric/telemetry/report/report_format.h"

#include <fmt/format.h>

#include <array>
#include <cmath>
#include <utility>

namespace aifabric::report {
namespace {

// `v` in the largest unit it reaches, three significant digits ("1,000 µs" becomes "1 ms").
template <size_t N>
std::string with_unit(double v, const std::array<std::pair<const char*, double>, N>& units) {
  if (!std::isfinite(v)) return "-";
  size_t u = 0;
  for (size_t i = 0; i < N; ++i) {
    if (std::abs(v) >= units[i].second * (1 - 1e-12)) u = i;
  }
  if (u + 1 < N && std::abs(round_sig(v / units[u].second, 3)) >= 1000) ++u;
  return sig3(v / units[u].second) + " " + units[u].first;
}

}  // namespace

std::string esc(const std::string& s) {
  std::string o;
  o.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '<':
        o += "&lt;";
        break;
      case '>':
        o += "&gt;";
        break;
      case '&':
        o += "&amp;";
        break;
      case '"':
        o += "&quot;";
        break;
      default:
        o += c;
    }
  }
  return o;
}

double round_sig(double v, int digits) {
  if (v == 0 || !std::isfinite(v)) return v;
  const double mag =
      std::pow(10.0, digits - 1 - static_cast<int>(std::floor(std::log10(std::abs(v)))));
  return std::round(v * mag) / mag;
}

std::string sig3(double v) {
  if (!std::isfinite(v)) return "-";
  const double r = round_sig(v, 3);
  const double a = std::abs(r);
  if (a >= 1000) return count(std::llround(r));
  const int decimals = a == 0 ? 0 : std::max(0, 2 - static_cast<int>(std::floor(std::log10(a))));
  return fmt::format("{:.{}f}", r, decimals);
}

std::string seconds(double s) {
  static constexpr std::array<std::pair<const char*, double>, 5> kUnits{
      {{"ps", 1e-12}, {"ns", 1e-9}, {"µs", 1e-6}, {"ms", 1e-3}, {"s", 1}}};
  return with_unit(s, kUnits);
}

std::string data_size(double bytes) {
  static constexpr std::array<std::pair<const char*, double>, 5> kBinary{
      {{"B", 1},
       {"KiB", 1024.0},
       {"MiB", 1048576.0},
       {"GiB", 1073741824.0},
       {"TiB", 1099511627776.0}}};
  for (size_t i = kBinary.size(); i-- > 1;) {
    const double q = bytes / kBinary[i].second;
    if (q >= 1 && q == std::floor(q) && q < 10000) {
      return fmt::format("{} {}", static_cast<int64_t>(q), kBinary[i].first);
    }
  }
  return with_unit(bytes, kBinary);
}

std::string rate_bps(double bps) {
  static constexpr std::array<std::pair<const char*, double>, 5> kUnits{
      {{"bps", 1}, {"Kbps", 1e3}, {"Mbps", 1e6}, {"Gbps", 1e9}, {"Tbps", 1e12}}};
  return with_unit(bps, kUnits);
}

std::string bandwidth_GBps(double gbs) {
  static constexpr std::array<std::pair<const char*, double>, 4> kUnits{
      {{"MB/s", 1e-3}, {"GB/s", 1}, {"TB/s", 1e3}, {"PB/s", 1e6}}};
  return with_unit(gbs, kUnits);
}

std::string count(int64_t n) {
  std::string digits = std::to_string(n < 0 ? -n : n);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return n < 0 ? "-" + out : out;
}

std::string ratio(double x) {
  return sig3(x) + "×";
}

std::string percent(double share) {
  if (!std::isfinite(share)) return "-";
  const double p = 100 * share;
  return fmt::format("{:.{}f} %", p, std::abs(p) < 1 && p != 0 ? 2 : 1);
}

std::string script_json(const nlohmann::json& j) {
  const std::string s = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    if (c == '<') {
      out += "\\u003c";
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace aifabric::report
