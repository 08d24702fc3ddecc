// Strong unit types used by every model: simulation time as an integer count of
// picoseconds, sizes in bytes and link rates in bits per second. int64 picoseconds
// span about +-106 days, far beyond any run. No double seconds inside models.
#pragma once

#include <compare>
#include <cstdint>
#include <limits>

namespace aifabric {

// 128-bit intermediates for exact rate arithmetic (GCC/Clang extension).
__extension__ using int128 = __int128;
__extension__ using uint128 = unsigned __int128;

class Time {
 public:
  constexpr Time() = default;
  static constexpr Time ps(int64_t v) { return Time(v); }
  static constexpr Time ns(int64_t v) { return Time(v * 1000); }
  static constexpr Time us(int64_t v) { return Time(v * 1000'000); }
  static constexpr Time ms(int64_t v) { return Time(v * 1000'000'000); }
  static constexpr Time sec(int64_t v) { return Time(v * 1000'000'000'000); }
  static constexpr Time zero() { return Time(0); }
  static constexpr Time max() { return Time(std::numeric_limits<int64_t>::max()); }

  constexpr int64_t ps() const { return ps_; }
  constexpr double to_ns() const { return static_cast<double>(ps_) * 1e-3; }
  constexpr double to_us() const { return static_cast<double>(ps_) * 1e-6; }
  constexpr double to_ms() const { return static_cast<double>(ps_) * 1e-9; }
  constexpr double to_seconds() const { return static_cast<double>(ps_) * 1e-12; }

  constexpr Time operator+(Time o) const { return Time(ps_ + o.ps_); }
  constexpr Time operator-(Time o) const { return Time(ps_ - o.ps_); }
  constexpr Time& operator+=(Time o) {
    ps_ += o.ps_;
    return *this;
  }
  constexpr Time& operator-=(Time o) {
    ps_ -= o.ps_;
    return *this;
  }
  constexpr Time operator*(int64_t k) const { return Time(ps_ * k); }
  constexpr Time operator/(int64_t k) const { return Time(ps_ / k); }
  constexpr auto operator<=>(const Time&) const = default;

 private:
  constexpr explicit Time(int64_t v) : ps_(v) {}
  int64_t ps_ = 0;
};

class Bytes {
 public:
  constexpr Bytes() = default;
  constexpr explicit Bytes(int64_t v) : v_(v) {}
  static constexpr Bytes kib(int64_t v) { return Bytes(v * 1024); }
  static constexpr Bytes mib(int64_t v) { return Bytes(v * 1024 * 1024); }
  constexpr int64_t count() const { return v_; }
  constexpr Bytes operator+(Bytes o) const { return Bytes(v_ + o.v_); }
  constexpr Bytes operator-(Bytes o) const { return Bytes(v_ - o.v_); }
  constexpr Bytes& operator+=(Bytes o) {
    v_ += o.v_;
    return *this;
  }
  constexpr Bytes operator*(int64_t k) const { return Bytes(v_ * k); }
  constexpr auto operator<=>(const Bytes&) const = default;

 private:
  int64_t v_ = 0;
};

class BitRate {
 public:
  constexpr BitRate() = default;
  static constexpr BitRate bps(int64_t v) { return BitRate(v); }
  static constexpr BitRate mbps(int64_t v) { return BitRate(v * 1000'000); }
  static constexpr BitRate gbps(int64_t v) { return BitRate(v * 1000'000'000); }
  constexpr int64_t bits_per_second() const { return bps_; }
  constexpr double to_gbps() const { return static_cast<double>(bps_) * 1e-9; }

  // Time to serialize `bytes` at this rate, rounded to the nearest picosecond.
  constexpr Time transmit_time(int64_t bytes) const {
    const int128 num = static_cast<int128>(bytes) * 8 * 1000'000'000'000LL;
    return Time::ps(static_cast<int64_t>((num + bps_ / 2) / bps_));
  }
  // Bytes this rate carries in `t` (floor).
  constexpr int64_t bytes_in(Time t) const {
    const int128 num = static_cast<int128>(t.ps()) * bps_;
    return static_cast<int64_t>(num / (8 * static_cast<int128>(1000'000'000'000LL)));
  }
  constexpr BitRate scaled(double f) const {
    return BitRate(static_cast<int64_t>(static_cast<double>(bps_) * f));
  }
  constexpr auto operator<=>(const BitRate&) const = default;

 private:
  constexpr explicit BitRate(int64_t v) : bps_(v) {}
  int64_t bps_ = 0;
};

}  // namespace aifabric
