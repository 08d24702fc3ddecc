// Reader for a plain CSV flow list: a header naming the columns, then one flow per
// line. Columns, in any order: src, dst (host indices), bytes (a size, "16MiB" or
// "1000"), start (a time with its unit, "10us") and optionally priority (0..7).
//
//   src, dst, bytes, start, priority
//   0,   5,   16MiB, 0us,   3
//
// Blank lines and lines starting with '#' are skipped.
#pragma once

#include <cstdint>
#include <istream>
#include <string>
#include <vector>

#include "aifabric/core/params.h"
#include "aifabric/core/status.h"
#include "aifabric/transport/flow_spec.h"
#include "aifabric/workload/traffic/generator.h"

namespace aifabric {

// `host_count` bounds src and dst; flows without a priority column get
// `default_priority`. Flows get ids 0..n-1 in file order and source port 0 (the
// engine assigns one). Errors read "source:line: column 'name': why".
Result<std::vector<FlowSpec>> read_flow_csv(std::istream& in, const std::string& source,
                                            uint32_t host_count, uint8_t default_priority);

// `traffic: [{type: file, file: flows.csv}]`.
struct FileTraffic final : ParamsOf<FileTraffic> {
  std::string file;
  int64_t priority = -1;
  void visit(ParamVisitor& v) override {
    v.path("file", file,
           "CSV flow list (src,dst,bytes,start[,priority]), relative to the scenario");
    v.param("priority", priority, "priority for rows without one; -1 = transport.data_priority",
            Range{-1, 7});
  }
  Status validate() const override {
    if (file.empty()) return Status::error("file: a flow file is required");
    return Status::ok();
  }
};

Result<std::vector<FlowSpec>> generate_file(const FileTraffic& t, TrafficContext& ctx);

}  // namespace aifabric
