// Line reading and strict number parsing for the plain-text importers. The input is
// read whole but bounded; each line is checked to be text before anyone parses it.
// Numbers go through std::from_chars so that signs, hex, thousands separators and
// trailing garbage are refused rather than half-read the way istream >> would.
#include "aifabric/core/line_reader.h"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <utility>

#include "aifabric/core/parse.h"

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

std::string mib(size_t bytes) {
  return std::to_string(bytes / kMiB) + " MiB";
}

std::string hex_byte(unsigned char c) {
  static constexpr char kHex[] = "0123456789abcdef";
  return std::string("\\x") + kHex[c >> 4] + kHex[c & 15];
}

bool is_utf16(std::string_view text) {
  return text.size() >= 2 && (text.substr(0, 2) == "\xFF\xFE" || text.substr(0, 2) == "\xFE\xFF");
}
constexpr std::string_view kUtf16 =
    "the file is UTF-16 (it starts with a UTF-16 byte order mark); save it as UTF-8 or ASCII";

// Why one line (without its LF or CRLF terminator) is not text, or "" when it is.
// `no_lf` tells the whole input has no LF, so a CR there is a CR-only line end.
std::string line_problem(std::string_view raw, bool no_lf) {
  for (size_t i = 0; i < raw.size(); ++i) {
    const auto c = static_cast<unsigned char>(raw[i]);
    if (c == '\r') {
      if (no_lf) return "line ends are CR only (old Mac line ends); save the file with LF or CRLF";
      return "a carriage return (\\r) inside the line at column " + std::to_string(i + 1);
    }
    if ((c < 0x20 && c != '\t') || c == 0x7F) {
      return "byte " + hex_byte(c) + " at column " + std::to_string(i + 1) +
             " is not text (is this a binary file?)";
    }
  }
  return "";
}

}  // namespace

Status check_text(std::string_view text, const std::string& source) {
  if (is_utf16(text)) return Status::error(source + ":1: " + std::string(kUtf16));
  const bool no_lf = text.find('\n') == std::string_view::npos;
  size_t number = 0;
  for (size_t pos = 0; pos < text.size();) {
    const size_t nl = text.find('\n', pos);
    const size_t end = nl == std::string_view::npos ? text.size() : nl;
    std::string_view raw = text.substr(pos, end - pos);
    pos = nl == std::string_view::npos ? text.size() : nl + 1;
    ++number;
    if (!raw.empty() && raw.back() == '\r') raw.remove_suffix(1);
    if (std::string why = line_problem(raw, no_lf); !why.empty()) {
      return Status::error(source + ":" + std::to_string(number) + ": " + why);
    }
  }
  return Status::ok();
}

Status check_input_file(const std::string& path, size_t max_bytes) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    return Status::error(std::string("cannot read the file (") + std::strerror(errno) + ")");
  }
  if (!S_ISREG(st.st_mode)) return Status::error("not a regular file");
  if (static_cast<uint64_t>(st.st_size) > max_bytes) {
    return Status::error("larger than " + mib(max_bytes) + " (" + std::to_string(st.st_size) +
                         " bytes); not read");
  }
  return Status::ok();
}

Status check_data_file(const std::string& path, size_t max_bytes) {
  const std::string q = quote_input(path, 4096);
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return Status::error("file: cannot read " + q);
  if (Status s = check_input_file(path, max_bytes); !s) {
    return Status::error("file: " + q + " is " + s.message());
  }
  return Status::ok();
}

Result<std::string> read_bounded(std::istream& in, const std::string& source, size_t max_bytes) {
  std::string text;
  constexpr size_t kChunk = size_t{64} * 1024;
  while (in && text.size() <= max_bytes) {
    const size_t want = std::min(kChunk, max_bytes + 1 - text.size());
    const size_t at = text.size();
    text.resize(at + want);
    in.read(text.data() + at, static_cast<std::streamsize>(want));
    text.resize(at + static_cast<size_t>(in.gcount()));
  }
  if (text.size() > max_bytes) {
    return Status::error(source + ": larger than " + mib(max_bytes) + "; not read");
  }
  if (in.bad()) return Status::error(source + ": read error");
  return text;
}

void strip_bom(std::string& text) {
  if (text.size() >= 3 && text.compare(0, 3, "\xEF\xBB\xBF") == 0) text.erase(0, 3);
}

LineReader::LineReader(std::istream& in, std::string source, bool skip_comments, size_t max_bytes)
    : source_(std::move(source)), skip_comments_(skip_comments) {
  auto text = read_bounded(in, source_, max_bytes);
  if (!text) {
    status_ = text.status();
    return;
  }
  text_ = std::move(text).value();
  strip_bom(text_);
  no_lf_ = text_.find('\n') == std::string::npos;
  if (is_utf16(text_)) status_ = error(kUtf16);
}

bool LineReader::fail(const std::string& why) {
  status_ = error(why);
  line_ = {};
  pos_ = text_.size();
  return false;
}

bool LineReader::next() {
  if (!status_) return false;
  while (pos_ < text_.size()) {
    const size_t nl = text_.find('\n', pos_);
    const size_t end = nl == std::string::npos ? text_.size() : nl;
    std::string_view raw(text_.data() + pos_, end - pos_);
    pos_ = nl == std::string::npos ? text_.size() : nl + 1;
    ++number_;
    if (!raw.empty() && raw.back() == '\r') raw.remove_suffix(1);
    if (std::string why = line_problem(raw, no_lf_); !why.empty()) return fail(why);
    const std::string_view t = trim(raw);
    if (t.empty() || (skip_comments_ && t.front() == '#')) continue;
    line_ = raw;
    return true;
  }
  line_ = {};
  return false;
}

Status LineReader::error(std::string_view why) const {
  return Status::error(source_ + ":" + std::to_string(number_ == 0 ? 1 : number_) + ": " +
                       std::string(why));
}

size_t LineReader::lines_left() const {
  if (pos_ >= text_.size()) return 0;
  const auto n = static_cast<size_t>(
      std::count(text_.begin() + static_cast<std::ptrdiff_t>(pos_), text_.end(), '\n'));
  return text_.back() == '\n' ? n : n + 1;
}

std::vector<std::string_view> split_blanks(std::string_view line) {
  std::vector<std::string_view> out;
  size_t pos = 0;
  for (std::string_view f = next_blank_field(line, pos); !f.empty();
       f = next_blank_field(line, pos)) {
    out.push_back(f);
  }
  return out;
}

size_t count_blank_fields(std::string_view line) {
  size_t n = 0;
  size_t pos = 0;
  while (!next_blank_field(line, pos).empty()) ++n;
  return n;
}

std::string_view next_blank_field(std::string_view line, size_t& pos) {
  while (pos < line.size() && is_blank(line[pos])) ++pos;
  const size_t b = pos;
  while (pos < line.size() && !is_blank(line[pos])) ++pos;
  return line.substr(b, pos - b);
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

size_t count_comma_fields(std::string_view line) {
  return static_cast<size_t>(std::count(line.begin(), line.end(), ',')) + 1;
}

Result<uint64_t> parse_uint(std::string_view text, std::string_view what) {
  const std::string_view t = trim(text);
  const std::string quoted = std::string(what) + " " + quote_input(t);
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
  const std::string quoted = std::string(what) + " " + quote_input(t);
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
