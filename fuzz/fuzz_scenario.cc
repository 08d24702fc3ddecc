// Fuzz harness for scenario YAML and --set overrides: lines "#set KEY=VALUE" at the top
// of the input are overrides (YAML comments, so seeds stay plain scenarios), the rest is
// the scenario text. What loads validates; every error names the file or the override
// and is one clean line; nothing throws.
#include <string>
#include <string_view>
#include <vector>

#include "aifabric/scenario/scenario.h"
#include "fuzz/fuzz_target.h"

AIFABRIC_FUZZ_TARGET(scenario) {
  using namespace aifabric;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  std::vector<std::string> sets;
  while (text.substr(0, 5) == "#set " && sets.size() < 4) {
    const size_t nl = text.find('\n');
    sets.emplace_back(text.substr(5, nl == std::string_view::npos ? nl : nl - 5));
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
  }
  auto s = load_scenario_text(std::string(text), "fuzz.yaml", sets);
  if (!s) {
    fuzz::check_message(s.status().message(), {"fuzz.yaml:", "fuzz.yaml: ", "--set "});
    return 0;
  }
  const Status again = (*s)->validate();
  AIFABRIC_FUZZ_REQUIRE(again.is_ok(),
                        "a scenario loaded but does not validate: " + again.message());
  return 0;
}
