// Fuzz harness for the SimAI/AICB workload reader and its mapping: what reads has
// layers the file can hold, bounded times and sizes, and (for small jobs) maps to a
// task graph that validates or is refused in one line; every error starts with the
// file's name.
#include <sstream>
#include <string>

#include "aifabric/workload/simai/simai_workload.h"
#include "fuzz/fuzz_target.h"

AIFABRIC_FUZZ_TARGET(simai_workload) {
  using namespace aifabric;
  std::istringstream in(std::string(reinterpret_cast<const char*>(data), size));
  auto w = read_simai_workload(in, "workload.txt");
  if (!w) {
    fuzz::check_message(w.status().message(), {"workload.txt:"});
    return 0;
  }
  AIFABRIC_FUZZ_REQUIRE(!w->layers.empty(), "a workload without layers read");
  AIFABRIC_FUZZ_REQUIRE(w->layers.size() * 24 <= size + 1, "more layers than the file holds");
  AIFABRIC_FUZZ_REQUIRE(w->tp >= 1 && w->ep >= 1, "a group size of 0 read");
  for (const SimaiLayer& l : w->layers) {
    for (Time t : {l.fwd_compute, l.ig_compute, l.wg_compute, l.update}) {
      AIFABRIC_FUZZ_REQUIRE(t >= Time::zero() && t <= Time::ns(1'000'000'000'000),
                            "a time out of range read");
    }
    for (const SimaiComm* c : {&l.fwd, &l.ig, &l.wg}) {
      AIFABRIC_FUZZ_REQUIRE(
          c->op == SimaiOp::kNone || (c->bytes > 0 && c->bytes <= (int64_t{1} << 40)),
          "a communication size out of range read");
    }
  }
  // Small jobs only: a hostile all_gpus would make the graph as large as it says.
  const uint64_t ranks = w->all_gpus != 0 ? w->all_gpus : w->tp * w->ep;
  if (ranks == 0 || ranks > 32 || w->layers.size() > 64) return 0;
  const ClusterMap map = ClusterMap::linear(static_cast<uint32_t>(ranks), 4);
  auto g = build_simai_graph(*w, map, {});
  if (!g) {
    fuzz::check_message(g.status().message(), {"workload.txt:"});
    return 0;
  }
  const Status v = validate_task_graph(*g, static_cast<uint32_t>(ranks));
  AIFABRIC_FUZZ_REQUIRE(v.is_ok(), "a mapped graph does not validate: " + v.message());
  return 0;
}
