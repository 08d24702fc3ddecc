// Errors as values: a Status carries a one-line message that names the bad input.
// Result<T> is a value or a Status.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace aifabric {

class [[nodiscard]] Status {
 public:
  Status() = default;
  static Status ok() { return {}; }
  static Status error(std::string msg) { return Status(std::move(msg)); }
  bool is_ok() const { return !msg_.has_value(); }
  explicit operator bool() const { return is_ok(); }
  // By value: a reference into a temporary Status (`r.status().message()`) would dangle.
  std::string message() const { return msg_ ? *msg_ : std::string(); }
  // Prefixes the message with a location, e.g. "switch.ecn: " + message.
  Status with_context(const std::string& where) const {
    if (is_ok()) return *this;
    return Status(where + ": " + *msg_);
  }

 private:
  explicit Status(std::string m) : msg_(std::move(m)) {}
  std::optional<std::string> msg_;
};

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T v) : v_(std::move(v)) {}       // NOLINT(google-explicit-constructor)
  Result(Status s) : v_(std::move(s)) {}  // NOLINT(google-explicit-constructor)
  bool is_ok() const { return std::holds_alternative<T>(v_); }
  explicit operator bool() const { return is_ok(); }
  const T& value() const& { return std::get<T>(v_); }
  T& value() & { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  const T& operator*() const& { return value(); }
  T& operator*() & { return value(); }
  const T* operator->() const { return &value(); }
  T* operator->() { return &value(); }
  Status status() const { return is_ok() ? Status::ok() : std::get<Status>(v_); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace aifabric
