// One seeded random stream per component (xoshiro256**, seeded through splitmix64).
// A stream's seed is derived from the run seed and the component's name, so adding a
// component never shifts another component's random sequence.
#pragma once

#include <cstdint>
#include <string_view>

#include "aifabric/core/units.h"

namespace aifabric {

constexpr uint64_t splitmix64(uint64_t& state) {
  uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// A strong 64-bit mixer (the splitmix64 finalizer); used for hashing as well.
constexpr uint64_t mix64(uint64_t x) {
  uint64_t s = x;
  return splitmix64(s);
}

constexpr uint64_t hash_name(std::string_view s) {
  uint64_t h = 0xcbf29ce484222325ULL;  // FNV-1a 64, then mixed
  for (char c : s) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ULL;
  }
  return mix64(h);
}

class RandomStream {
 public:
  RandomStream() : RandomStream(0) {}
  explicit RandomStream(uint64_t seed) {
    uint64_t s = seed;
    for (auto& w : s_) w = splitmix64(s);
  }
  uint64_t next_u64() {
    const uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }
  // Uniform in [0, 1) with 53 bits.
  double uniform() { return static_cast<double>(next_u64() >> 11) * 0x1.0p-53; }
  // Uniform integer in [0, n), n > 0 (multiply-shift; bias below 2^-64 * n).
  uint64_t below(uint64_t n) {
    return static_cast<uint64_t>((static_cast<uint128>(next_u64()) * n) >> 64);
  }
  bool bernoulli(double p) { return p > 0 && uniform() < p; }

 private:
  static constexpr uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  uint64_t s_[4];
};

}  // namespace aifabric
