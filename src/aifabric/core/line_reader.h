// Line-oriented reading of plain-text input files (ns-3 topology and flow files, CSV
// flow lists): line numbers kept for errors, field splitting, strict number parsing.
// Every error a reader returns reads "source:line: why".
#pragma once

#include <cstdint>
#include <istream>
#include <string>
#include <string_view>
#include <vector>

#include "aifabric/core/status.h"

namespace aifabric {

class LineReader {
 public:
  // With `skip_comments`, lines whose first non-blank character is '#' are skipped
  // like blank ones.
  LineReader(std::istream& in, std::string source, bool skip_comments = false);

  // Advances to the next line that is neither blank nor a skipped comment; false at
  // the end of the input.
  bool next();
  // The current line without its terminator (the '\r' of CRLF files is dropped too).
  const std::string& line() const { return line_; }
  // 1-based number of the current line; after the end, that of the last line read.
  size_t line_number() const { return number_; }
  // "source:line: why"; an empty input reports line 1.
  Status error(std::string_view why) const;

 private:
  std::istream& in_;
  std::string source_;
  bool skip_comments_;
  std::string line_;
  size_t number_ = 0;
};

// Fields separated by runs of blanks (spaces, tabs).
std::vector<std::string_view> split_blanks(std::string_view line);
// Fields separated by commas, blanks around each trimmed. No quoting: every field of
// the files read here is a number or a name.
std::vector<std::string_view> split_commas(std::string_view line);

// A non-negative decimal integer that fits in 64 bits. `what` names the field in
// errors: "link source 'x3' is not a whole number".
Result<uint64_t> parse_uint(std::string_view text, std::string_view what);
// A non-negative finite decimal number such as "2", "0.5" or "1e-6".
Result<double> parse_decimal(std::string_view text, std::string_view what);

}  // namespace aifabric
