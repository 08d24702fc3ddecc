// ns-3 RDMA flow-file import. Each flow must sit on its own line of exactly six
// fields, so a malformed flow is reported on its own line instead of shifting every
// later field the way a token stream would.
#include "aifabric/workload/traffic/ns3/ns3_flows.h"

#include <cmath>
#include <cstdint>
#include <fstream>
#include <limits>
#include <string_view>
#include <unordered_map>

#include "aifabric/core/line_reader.h"
#include "aifabric/core/parse.h"

namespace aifabric {
namespace {

// Host index of the node whose ns-3 id is `text`; `role` is "source" or "destination".
Result<uint32_t> host_of(std::string_view text, std::string_view role,
                         const std::unordered_map<uint64_t, uint32_t>& by_ext,
                         const TopologyGraph& g) {
  auto id = parse_uint(text, role);
  if (!id) return id.status();
  const auto it = by_ext.find(*id);
  const std::string who = std::string(role) + " " + std::to_string(*id);
  if (it == by_ext.end()) return Status::error(who + " is not a node of the topology");
  const int64_t h = g.host_index(it->second);
  if (h < 0) return Status::error(who + " is a switch, not a host");
  return static_cast<uint32_t>(h);
}

Result<FlowSpec> parse_flow(const std::vector<std::string_view>& f,
                            const std::unordered_map<uint64_t, uint32_t>& by_ext,
                            const TopologyGraph& g) {
  FlowSpec flow;
  auto src = host_of(f[0], "source", by_ext, g);
  if (!src) return src.status();
  auto dst = host_of(f[1], "destination", by_ext, g);
  if (!dst) return dst.status();
  if (*src == *dst) {
    return Status::error("source and destination are the same host (node " + std::string(f[0]) +
                         ")");
  }
  flow.src = *src;
  flow.dst = *dst;
  auto prio = parse_uint(f[2], "priority");
  if (!prio) return prio.status();
  if (*prio > 7) return Status::error("priority " + std::to_string(*prio) + " is not 0..7");
  flow.priority = static_cast<uint8_t>(*prio);
  auto dport = parse_uint(f[3], "destination port");
  if (!dport) return dport.status();
  if (*dport > 65535) {
    return Status::error("destination port " + std::to_string(*dport) + " is not 0..65535");
  }
  flow.dport = static_cast<uint16_t>(*dport);
  auto bytes = parse_uint(f[4], "flow size");
  if (!bytes) return bytes.status();
  if (*bytes == 0) return Status::error("flow size is 0 bytes");
  if (*bytes > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
    return Status::error("flow size " + std::to_string(*bytes) + " is too large");
  }
  flow.size = static_cast<int64_t>(*bytes);
  auto start = parse_decimal(f[5], "start time");
  if (!start) return start.status();
  const double ps = std::round(*start * 1e12);
  // Time holds int64 picoseconds: about 106 days.
  if (ps > 9.2e18) return Status::error("start time " + std::string(f[5]) + " s is too large");
  flow.start = Time::ps(static_cast<int64_t>(ps));
  return flow;
}

}  // namespace

Result<std::vector<FlowSpec>> read_ns3_flows(std::istream& in, const std::string& source,
                                             const TopologyGraph& g) {
  std::unordered_map<uint64_t, uint32_t> by_ext;
  for (uint32_t n = 0; n < g.nodes().size(); ++n) by_ext.emplace(g.nodes()[n].ext_id, n);

  LineReader r(in, source, /*skip_comments=*/false, kMaxFlowFileBytes);
  if (!r.next()) {
    if (!r.status()) return r.status();
    return r.error("the file is empty; expected the flow count on the first line");
  }
  const size_t fields = count_blank_fields(r.line());
  if (fields != 1) {
    return r.error("expected the flow count alone on the first line, found " +
                   std::to_string(fields) + " fields");
  }
  const auto head = split_blanks(r.line());
  auto count = parse_uint(head[0], "flow count");
  if (!count) return r.error(count.status().message());
  if (*count > std::numeric_limits<uint32_t>::max()) {
    return r.error("flow count " + std::to_string(*count) + " is too large (flow ids are 32-bit)");
  }
  // Each flow takes a line of at least 12 bytes ("0 1 0 0 1 0\n"): a count the rest
  // of the file cannot hold is refused before any flow is read.
  if (*count > r.lines_left() || *count > (r.bytes_left() + 1) / 12) {
    return r.error("the header declares " + std::to_string(*count) + " flows, but only " +
                   std::to_string(r.lines_left()) + " lines (" + std::to_string(r.bytes_left()) +
                   " bytes) follow");
  }

  std::vector<FlowSpec> flows;
  for (uint64_t i = 0; i < *count; ++i) {
    if (!r.next()) {
      if (!r.status()) return r.status();
      return r.error("the file ends after " + std::to_string(i) + " of " + std::to_string(*count) +
                     " flows");
    }
    const size_t n = count_blank_fields(r.line());
    if (n != 6) {
      return r.error("expected 'src dst priority dport bytes start_seconds', found " +
                     std::to_string(n) + " fields");
    }
    const auto f = split_blanks(r.line());
    auto flow = parse_flow(f, by_ext, g);
    if (!flow) return r.error(flow.status().message());
    flow->id = static_cast<uint32_t>(i);
    flow->sport = 0;
    flows.push_back(*flow);
  }
  // Whatever follows the declared flows is commentary, as in HPCC's example files.
  return flows;
}

Result<std::vector<FlowSpec>> generate_ns3(const Ns3FlowTraffic& t, TrafficContext& ctx) {
  const std::string path = ctx.resolve(t.file);
  if (Status s = check_data_file(path, kMaxFlowFileBytes); !s) return s;
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::error("file: cannot read " + quote_input(path, 4096));
  return read_ns3_flows(in, path, ctx.graph);
}

}  // namespace aifabric
