// Line-oriented reading of plain-text input files (ns-3 topology and flow files, CSV
// flow lists): bounded reads, text checks, line numbers kept for errors, field
// splitting, strict number parsing. Every error a reader returns reads "source:line: why".
#pragma once

#include <cstddef>
#include <cstdint>
#include <istream>
#include <string>
#include <string_view>
#include <vector>

#include "aifabric/core/status.h"

namespace aifabric {

inline constexpr size_t kMiB = size_t{1} << 20;
// The size caps of the input files (docs/reliability.md): far above any real file,
// low enough that a wrong path (a log, /dev/zero, a disk image) fails at once.
inline constexpr size_t kMaxScenarioBytes = 1 * kMiB;
inline constexpr size_t kMaxTopologyBytes = 64 * kMiB;
inline constexpr size_t kMaxFlowFileBytes = 256 * kMiB;

// Checks that `path` is a regular file of at most `max_bytes` before it is opened, so
// that a FIFO, a device or a directory is refused instead of read until memory runs
// out. Errors say why without the path (the caller names it): "not a regular file",
// "larger than 64 MiB (N bytes); not read", "cannot read the file (No such file...)".
Status check_input_file(const std::string& path, size_t max_bytes);
// The same for a data file named by a scenario's `file:` key: "file: cannot read 'path'",
// "file: 'path' is not a regular file", "file: 'path' is larger than 64 MiB ...".
Status check_data_file(const std::string& path, size_t max_bytes);
// Reads all of `in`, at most `max_bytes` (one byte more tells it is too large).
// Errors read "source: why".
Result<std::string> read_bounded(std::istream& in, const std::string& source, size_t max_bytes);
// Drops a UTF-8 byte order mark at the start of `text`.
void strip_bom(std::string& text);
// Checks that `text` is text as every reader here wants it: not UTF-16, no CR-only line
// ends, no control bytes other than tab (and the CR of CRLF). Errors read
// "source:line: why".
Status check_text(std::string_view text, const std::string& source);

class LineReader {
 public:
  // Reads `in` at once (at most `max_bytes`; more is an error at the first next()). With
  // `skip_comments`, lines whose first non-blank character is '#' are skipped like blank
  // ones. A UTF-8 byte order mark is dropped.
  LineReader(std::istream& in, std::string source, bool skip_comments = false,
             size_t max_bytes = kMaxFlowFileBytes);

  // Advances to the next line that is neither blank nor a skipped comment; false at
  // the end of the input or at a line that is not text (then status() says why).
  // Every line is checked: CR-only line ends, control bytes (other than tab) and a
  // UTF-16 file are refused.
  bool next();
  // The current line without its terminator (the '\r' of CRLF files is dropped too).
  std::string_view line() const { return line_; }
  // 1-based number of the current line; after the end, that of the last line read.
  size_t line_number() const { return number_; }
  // "source:line: why"; an empty input reports line 1.
  Status error(std::string_view why) const;
  // Ok, or why next() stopped before the end: "source:line: why".
  const Status& status() const { return status_; }
  // An upper bound on the lines after the current one (blank ones included): what a
  // header's count is checked against before anything is allocated for it.
  size_t lines_left() const;
  // The bytes after the current line.
  size_t bytes_left() const { return text_.size() - pos_; }

 private:
  bool fail(const std::string& why);

  std::string source_;
  bool skip_comments_;
  std::string text_;
  bool no_lf_ = false;
  size_t pos_ = 0;
  std::string_view line_;
  size_t number_ = 0;
  Status status_;
};

// Fields separated by runs of blanks (spaces, tabs).
std::vector<std::string_view> split_blanks(std::string_view line);
// The number of fields split_blanks would return, without allocating.
size_t count_blank_fields(std::string_view line);
// The field of `line` that starts at or after `pos`, moving `pos` past it; empty at the end.
std::string_view next_blank_field(std::string_view line, size_t& pos);
// Fields separated by commas, blanks around each trimmed. No quoting: every field of
// the files read here is a number or a name.
std::vector<std::string_view> split_commas(std::string_view line);
// The number of fields split_commas would return (commas + 1).
size_t count_comma_fields(std::string_view line);

// A non-negative decimal integer that fits in 64 bits. `what` names the field in
// errors: "link source 'x3' is not a whole number".
Result<uint64_t> parse_uint(std::string_view text, std::string_view what);
// A non-negative finite decimal number such as "2", "0.5" or "1e-6".
Result<double> parse_decimal(std::string_view text, std::string_view what);

}  // namespace aifabric
