// Fuzz harness for the CSV flow-list reader with 8 hosts: what reads is a list of flows
// between distinct hosts with whole positive sizes and priorities 0..7; every error
// starts with the file's name and is one clean line.
#include <sstream>
#include <string>

#include "aifabric/workload/traffic/csv/flow_file.h"
#include "fuzz/fuzz_target.h"

AIFABRIC_FUZZ_TARGET(csv_flows) {
  using namespace aifabric;
  std::istringstream in(std::string(reinterpret_cast<const char*>(data), size));
  auto flows = read_flow_csv(in, "flows.csv", 8, 3);
  if (!flows) {
    fuzz::check_message(flows.status().message(), {"flows.csv:"});
    return 0;
  }
  AIFABRIC_FUZZ_REQUIRE(flows->size() <= size / 8 + 1, "more flows than the text can hold");
  for (size_t i = 0; i < flows->size(); ++i) {
    const FlowSpec& f = (*flows)[i];
    AIFABRIC_FUZZ_REQUIRE(f.id == i, "flow ids are not 0..n-1");
    AIFABRIC_FUZZ_REQUIRE(f.src < 8 && f.dst < 8 && f.src != f.dst, "a flow between bad hosts");
    AIFABRIC_FUZZ_REQUIRE(f.size > 0 && f.priority <= 7, "a flow with a bad size or priority");
    AIFABRIC_FUZZ_REQUIRE(f.start.ps() >= 0, "a flow starting before 0");
  }
  return 0;
}
