// Line reading and strict number parsing for the plain-text importers. Numbers go
// through std::from_chars so that signs, hex, thousands separators and trailing
// garbage are refused rather than half-read the way istream >> would.
#include "aifabric/core/line_reader.h"

#include <charconv>
#include <cmath>
#include <utility>

namespace aifabric {
namespace {

bool is_blank(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_blank(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_blank(s.back())) s.remove_suffix(1);
  return s;
}

}  // namespace

LineReader::LineReader(std::istream& in, std::string source, bool skip_comments)
    : in_(in), source_(std::move(source)), skip_comments_(skip_comments) {}

bool LineReader::next() {
  std::string raw;
  while (std::getline(in_, raw)) {
    ++number_;
    if (!raw.empty() && raw.back() == '\r') raw.pop_back();
    const std::string_view t = trim(raw);
    if (t.empty() || (skip_comments_ && t.front() == '#')) continue;
    line_ = std::move(raw);
    return true;
  }
  line_.clear();
  return false;
}

Status LineReader::error(std::string_view why) const {
  return Status::error(source_ + ":" + std::to_string(number_ == 0 ? 1 : number_) + ": " +
                       std::string(why));
}

std::vector<std::string_view> split_blanks(std::string_view line) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && is_blank(line[i])) ++i;
    const size_t b = i;
    while (i < line.size() && !is_blank(line[i])) ++i;
    if (i > b) out.push_back(line.substr(b, i - b));
  }
  return out;
}

std::vector<std::string_view> split_commas(std::string_view line) {
  std::vector<std::string_view> out;
  size_t b = 0;
  for (;;) {
    const size_t e = line.find(',', b);
    out.push_back(trim(line.substr(b, e == std::string_view::npos ? e : e - b)));
    if (e == std::string_view::npos) return out;
    b = e + 1;
  }
}

Result<uint64_t> parse_uint(std::string_view text, std::string_view what) {
  const std::string_view t = trim(text);
  const std::string quoted = std::string(what) + " '" + std::string(t) + "'";
  if (t.empty()) return Status::error(std::string(what) + " is empty");
  if (t.front() == '-') return Status::error(quoted + " is negative");
  uint64_t v = 0;
  const auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
  if (ec == std::errc::result_out_of_range) return Status::error(quoted + " is too large");
  if (ec != std::errc() || end != t.data() + t.size()) {
    return Status::error(quoted + " is not a whole number");
  }
  return v;
}

Result<double> parse_decimal(std::string_view text, std::string_view what) {
  const std::string_view t = trim(text);
  const std::string quoted = std::string(what) + " '" + std::string(t) + "'";
  if (t.empty()) return Status::error(std::string(what) + " is empty");
  double v = 0;
  const auto [end, ec] =
      std::from_chars(t.data(), t.data() + t.size(), v, std::chars_format::general);
  if (ec == std::errc::result_out_of_range) return Status::error(quoted + " is out of range");
  if (ec != std::errc() || end != t.data() + t.size()) {
    return Status::error(quoted + " is not a number");
  }
  if (!std::isfinite(v)) return Status::error(quoted + " is not finite");
  if (v < 0) return Status::error(quoted + " is negative");
  return v;
}

}  // namespace aifabric
