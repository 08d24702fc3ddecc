// Fuzz harness for the Chakra trace reader and the graph assembly: a trace read as
// rank 0 of 1 has at most one node per byte, only nodes a single rank can run, and maps
// to a task graph that validates or is refused in one line naming the file.
#include <string>
#include <string_view>
#include <vector>

#include "aifabric/workload/chakra/chakra_workload.h"
#include "fuzz/fuzz_target.h"

AIFABRIC_FUZZ_TARGET(chakra_trace) {
  using namespace aifabric;
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto t = read_chakra_trace(bytes, "trace.0.et", 0, 1);
  if (!t) {
    fuzz::check_message(t.status().message(), {"trace.0.et: "});
    return 0;
  }
  AIFABRIC_FUZZ_REQUIRE(t->nodes.size() <= size, "more nodes than bytes");
  for (const ChakraNode& n : t->nodes) {
    AIFABRIC_FUZZ_REQUIRE(n.kind != ChakraKind::kSend && n.kind != ChakraKind::kRecv,
                          "a send or receive to another rank read with one rank");
    AIFABRIC_FUZZ_REQUIRE(n.bytes >= 0 && n.bytes <= (int64_t{1} << 40), "a size out of range");
    AIFABRIC_FUZZ_REQUIRE(n.duration >= Time::zero(), "a negative duration");
  }
  std::vector<ChakraRankTrace> traces{std::move(t).value()};
  const ClusterMap map = ClusterMap::linear(1, 1);
  auto g = build_chakra_graph(traces, map, {});
  if (!g) {
    fuzz::check_message(g.status().message(), {"trace.0.et: "});
    return 0;
  }
  const Status v = validate_task_graph(*g, 1);
  AIFABRIC_FUZZ_REQUIRE(v.is_ok(), "an assembled graph does not validate: " + v.message());
  return 0;
}
