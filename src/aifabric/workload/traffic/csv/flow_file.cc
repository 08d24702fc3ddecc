// CSV flow-list import. Column names are matched case-insensitively; a column that
// is unknown, repeated or missing is refused at the header, so that a misspelt
// "priorty" cannot silently fall back to the default priority.
#include "aifabric/workload/traffic/csv/flow_file.h"

#include <array>
#include <cctype>
#include <fstream>
#include <limits>
#include <string_view>

#include "aifabric/core/line_reader.h"
#include "aifabric/core/parse.h"

namespace aifabric {
namespace {

enum Column { kSrc, kDst, kBytes, kStart, kPriority, kColumns };
constexpr std::array<std::string_view, kColumns> kNames{"src", "dst", "bytes", "start", "priority"};
constexpr std::string_view kAll = "src, dst, bytes, start, priority";

// Where the n-th comma of `line` is (npos when it has fewer).
size_t nth_comma(std::string_view line, size_t n) {
  for (size_t i = 0, seen = 0; i < line.size(); ++i) {
    if (line[i] == ',' && ++seen == n) return i;
  }
  return std::string_view::npos;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Field index of each column, -1 when absent.
using Layout = std::array<int, kColumns>;

Result<Layout> read_header(LineReader& r) {
  if (!r.next()) {
    if (!r.status()) return r.status();
    return r.error("no header line; expected the columns " + std::string(kAll));
  }
  Layout at;
  at.fill(-1);
  // A header of more than kColumns fields repeats or misnames one among its first
  // kColumns + 1, so no more need be split.
  auto f = split_commas(r.line().substr(0, nth_comma(r.line(), kColumns + 1)));
  for (size_t i = 0; i < f.size(); ++i) {
    const std::string name = lower(f[i]);
    int c = 0;
    while (c < kColumns && kNames[c] != name) ++c;
    if (c == kColumns) {
      return r.error("column " + std::to_string(i + 1) + ": unknown column " + quote_input(f[i]) +
                     " (expected " + std::string(kAll) + ")");
    }
    if (at[c] >= 0) return r.error("column " + quote_input(name) + " appears twice");
    at[c] = static_cast<int>(i);
  }
  for (int c : {kSrc, kDst, kBytes, kStart}) {
    if (at[c] < 0) {
      return r.error("missing column '" + std::string(kNames[c]) + "' (the header needs " +
                     "src, dst, bytes and start; priority is optional)");
    }
  }
  return at;
}

Status column_error(Column c, const std::string& why) {
  return Status::error("column '" + std::string(kNames[c]) + "': " + why);
}

Result<uint32_t> parse_host(std::string_view text, Column c, uint32_t host_count) {
  auto v = parse_uint(text, "host");
  if (!v) return column_error(c, v.status().message());
  if (*v >= host_count) {
    return column_error(c, "host " + std::to_string(*v) + " does not exist (the topology has " +
                               std::to_string(host_count) + " hosts)");
  }
  return static_cast<uint32_t>(*v);
}

Result<FlowSpec> parse_row(const std::vector<std::string_view>& f, const Layout& at,
                           uint32_t host_count, uint8_t default_priority) {
  FlowSpec flow;
  auto src = parse_host(f[at[kSrc]], kSrc, host_count);
  if (!src) return src.status();
  auto dst = parse_host(f[at[kDst]], kDst, host_count);
  if (!dst) return dst.status();
  if (*src == *dst) {
    return Status::error("columns 'src' and 'dst': source and destination are the same host (" +
                         std::to_string(*src) + ")");
  }
  flow.src = *src;
  flow.dst = *dst;
  auto bytes = parse_bytes(f[at[kBytes]]);
  if (!bytes) return column_error(kBytes, bytes.status().message());
  if (bytes->count() <= 0) return column_error(kBytes, "flow size is 0 bytes");
  flow.size = bytes->count();
  auto start = parse_time(f[at[kStart]]);
  if (!start) return column_error(kStart, start.status().message());
  flow.start = *start;
  flow.priority = default_priority;
  if (at[kPriority] >= 0) {
    auto prio = parse_uint(f[at[kPriority]], "priority");
    if (!prio) return column_error(kPriority, prio.status().message());
    if (*prio > 7)
      return column_error(kPriority, "priority " + std::to_string(*prio) + " is not 0..7");
    flow.priority = static_cast<uint8_t>(*prio);
  }
  return flow;
}

}  // namespace

Result<std::vector<FlowSpec>> read_flow_csv(std::istream& in, const std::string& source,
                                            uint32_t host_count, uint8_t default_priority) {
  LineReader r(in, source, /*skip_comments=*/true, kMaxFlowFileBytes);
  auto at = read_header(r);
  if (!at) return at.status();
  size_t columns = 0;
  for (int i : *at) columns += i >= 0 ? 1 : 0;

  std::vector<FlowSpec> flows;
  while (r.next()) {
    const size_t fields = count_comma_fields(r.line());
    if (fields != columns) {
      return r.error(std::to_string(fields) + " fields, but the header has " +
                     std::to_string(columns) + " columns");
    }
    const auto f = split_commas(r.line());
    if (flows.size() == std::numeric_limits<uint32_t>::max()) {
      return r.error("too many flows (flow ids are 32-bit)");
    }
    auto flow = parse_row(f, *at, host_count, default_priority);
    if (!flow) return r.error(flow.status().message());
    flow->id = static_cast<uint32_t>(flows.size());
    flows.push_back(*flow);
  }
  if (!r.status()) return r.status();
  return flows;
}

Result<std::vector<FlowSpec>> generate_file(const FileTraffic& t, TrafficContext& ctx) {
  const std::string path = ctx.resolve(t.file);
  if (Status s = check_data_file(path, kMaxFlowFileBytes); !s) return s;
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::error("file: cannot read " + quote_input(path, 4096));
  const auto prio = t.priority >= 0 ? static_cast<uint8_t>(t.priority) : ctx.default_priority;
  return read_flow_csv(in, path, ctx.hosts(), prio);
}

}  // namespace aifabric
