// Replays every fuzz harness (fuzz/) over its seed corpus and its regression corpus
// (every input that ever failed), so the ordinary suite, and `make asan`, keep each
// fixed crash fixed without clang or libFuzzer.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "fuzz/fuzz_target.h"

namespace {

namespace fs = std::filesystem;

std::vector<std::string>& failures() {
  static std::vector<std::string> f;
  return f;
}

std::vector<fs::path> files_in(const fs::path& dir) {
  std::vector<fs::path> out;
  if (!fs::is_directory(dir)) return out;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.is_regular_file() && e.path().filename().string().front() != '.') out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

const fs::path kFuzz = fs::path(AIFABRIC_SOURCE_DIR) / "fuzz";

// Runs `fn` over every file of `dirs`; returns how many inputs it replayed.
size_t replay(const char* name, aifabric::fuzz::Target fn, const std::vector<fs::path>& dirs) {
  size_t n = 0;
  for (const fs::path& dir : dirs) {
    for (const fs::path& file : files_in(dir)) {
      const std::string data = slurp(file);
      failures().clear();
      const auto t0 = std::chrono::steady_clock::now();
      try {
        fn(reinterpret_cast<const uint8_t*>(data.data()), data.size());
      } catch (const std::exception& e) {
        failures().push_back(std::string("exception escaped: ") + e.what());
      } catch (...) {
        failures().push_back("a non-standard exception escaped");
      }
      const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      for (const auto& f : failures()) ADD_FAILURE() << name << " on " << file << ": " << f;
      // Every input here is small: each must be done in well under the fuzzers' timeout.
      EXPECT_LT(s, 5.0) << name << " on " << file << " took " << s << " s";
      ++n;
    }
  }
  return n;
}

TEST(FuzzCorpus, EveryHarnessReplaysItsSeedsAndRegressions) {
  size_t count = 0;
  const aifabric::fuzz::Registered* targets = aifabric::fuzz::registered_targets(count);
  std::set<std::string> names;
  for (size_t i = 0; i < count; ++i) names.insert(targets[i].name);
  EXPECT_EQ(names, (std::set<std::string>{"chakra_trace", "csv_flows", "ns3_config", "ns3_flows",
                                          "ns3_topology", "scenario", "simai_topology",
                                          "simai_workload", "units"}));
  for (size_t i = 0; i < count; ++i) {
    const std::string name = targets[i].name;
    std::vector<fs::path> dirs = {kFuzz / "corpus" / name, kFuzz / "regressions" / name};
    if (name == "scenario") dirs.push_back(fs::path(AIFABRIC_SOURCE_DIR) / "examples");
    EXPECT_FALSE(files_in(kFuzz / "corpus" / name).empty()) << name << " has no seeds";
    EXPECT_FALSE(files_in(kFuzz / "regressions" / name).empty()) << name << " has no regressions";
    const size_t n = replay(targets[i].name, targets[i].fn, dirs);
    EXPECT_GT(n, 0u) << name;
    std::printf("fuzz target %s: %zu inputs replayed\n", name.c_str(), n);
  }
}

}  // namespace

namespace aifabric::fuzz {
// In the test suite a broken invariant is a recorded failure, not an abort.
void fail(const std::string& what) {
  failures().push_back(what);
}
}  // namespace aifabric::fuzz
