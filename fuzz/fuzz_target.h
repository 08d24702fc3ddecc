// What every harness in fuzz/ shares: the entry point (libFuzzer's, or a named function
// the test suite replays the corpora through) and the checks of error messages.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace aifabric::fuzz {

using Target = int (*)(const uint8_t* data, size_t size);
// Registers a harness for the corpus replay test (not used by libFuzzer builds).
bool register_target(const char* name, Target fn);
// The harnesses registered in this binary, by name.
struct Registered {
  const char* name;
  Target fn;
};
const Registered* registered_targets(size_t& count);

// An invariant did not hold: libFuzzer builds print it and abort (a crash to keep);
// the replay test records a failure naming the input and goes on.
void fail(const std::string& what);

// A message as every reader must give it: starts with one of the `sources`, one line,
// printable (control bytes escaped), of bounded length. Fails (and returns false) if not.
bool check_message(std::string_view msg, std::initializer_list<std::string_view> sources);

}  // namespace aifabric::fuzz

// AIFABRIC_FUZZ_TARGET(name) { ... } defines the harness `name` over (data, size).
#ifdef AIFABRIC_LIBFUZZER
#define AIFABRIC_FUZZ_TARGET(name) \
  extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
#else
#define AIFABRIC_FUZZ_TARGET(name)                                     \
  static int aifabric_fuzz_##name(const uint8_t* data, size_t size);   \
  [[maybe_unused]] static const bool aifabric_fuzz_registered_##name = \
      ::aifabric::fuzz::register_target(#name, &aifabric_fuzz_##name); \
  static int aifabric_fuzz_##name(const uint8_t* data, size_t size)
#endif

// Checks `cond`; on failure reports `what` and ends this input.
#define AIFABRIC_FUZZ_REQUIRE(cond, what) \
  do {                                    \
    if (!(cond)) {                        \
      ::aifabric::fuzz::fail(what);       \
      return 0;                           \
    }                                     \
  } while (0)
