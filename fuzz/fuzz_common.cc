// The shared checks of the fuzz harnesses, the replay registry, and (in libFuzzer
// builds) the abort that turns a broken invariant into a kept crash.
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "fuzz/fuzz_target.h"

namespace aifabric::fuzz {
namespace {

std::vector<Registered>& registry() {
  static std::vector<Registered> r;
  return r;
}

}  // namespace

bool register_target(const char* name, Target fn) {
  registry().push_back({name, fn});
  return true;
}

const Registered* registered_targets(size_t& count) {
  count = registry().size();
  return registry().data();
}

#ifdef AIFABRIC_LIBFUZZER
void fail(const std::string& what) {
  std::fprintf(stderr, "invariant broken: %s\n", what.c_str());
  std::abort();
}
#endif

bool check_message(std::string_view msg, std::initializer_list<std::string_view> sources) {
  bool starts = false;
  for (std::string_view s : sources) starts = starts || msg.substr(0, s.size()) == s;
  const std::string shown(msg.substr(0, 300));
  if (!starts) {
    fail("the message does not start with its source: " + shown);
    return false;
  }
  for (const char c : msg) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7F) {
      fail("the message holds a control byte: " + shown);
      return false;
    }
  }
  // Input quoted in messages is cut: a message never grows with its input.
  if (msg.size() > 2000) {
    fail("the message is " + std::to_string(msg.size()) + " bytes long: " + shown);
    return false;
  }
  return true;
}

}  // namespace aifabric::fuzz
