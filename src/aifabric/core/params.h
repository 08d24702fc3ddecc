// Self-describing configuration. Every component's Config is a plain struct that lists
// its fields (name, unit through the field's type, default through its initial value,
// meaning, range) to a ParamVisitor. The same listing reads scenario files, applies
// --set overrides, prints `aifabric list` and writes the scenario reference, so the
// schema, its validation and its documentation cannot drift apart.
#pragma once

#include <cstdint>
#include <limits>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "aifabric/core/status.h"
#include "aifabric/core/units.h"

namespace aifabric {

struct Range {
  double min = -std::numeric_limits<double>::infinity();
  double max = std::numeric_limits<double>::infinity();
};

class ParamVisitor;

// A configuration section.
class Params {
 public:
  virtual void visit(ParamVisitor& v) = 0;
  // Cross-field checks; messages name fields relative to this section.
  virtual Status validate() const { return Status::ok(); }
  // A deep copy (sections, lists and chosen members included).
  virtual std::unique_ptr<Params> clone() const = 0;
  virtual ~Params() = default;
};

// Implements clone() for a section type T: `struct X final : ParamsOf<X> { ... }`.
template <class T>
class ParamsOf : public Params {
 public:
  std::unique_ptr<Params> clone() const override {
    return std::make_unique<T>(static_cast<const T&>(*this));
  }
};

struct VariantOption {
  std::string_view name;
  std::string_view doc;
  Params* params;  // fields that belong to this option (may be nullptr)
};

// A list of sections of one type (e.g. the traffic list).
class ParamsList {
 public:
  virtual size_t size() const = 0;
  virtual Params& at(size_t i) = 0;
  virtual void clear() = 0;
  virtual Params& add() = 0;
  // A default element, for documentation.
  virtual std::unique_ptr<Params> prototype() const = 0;

 protected:
  ~ParamsList() = default;
};

template <class T>
class ParamsVector final : public ParamsList {
 public:
  explicit ParamsVector(std::vector<T>& v) : v_(v) {}
  size_t size() const override { return v_.size(); }
  Params& at(size_t i) override { return v_[i]; }
  void clear() override { v_.clear(); }
  Params& add() override { return v_.emplace_back(); }
  std::unique_ptr<Params> prototype() const override { return std::make_unique<T>(); }

 private:
  std::vector<T>& v_;
};

class ParamVisitor {
 public:
  virtual ~ParamVisitor() = default;
  virtual void param(std::string_view name, Time& v, std::string_view doc) = 0;
  virtual void param(std::string_view name, Bytes& v, std::string_view doc) = 0;
  virtual void param(std::string_view name, BitRate& v, std::string_view doc) = 0;
  virtual void param(std::string_view name, double& v, std::string_view doc, Range r) = 0;
  virtual void param(std::string_view name, int64_t& v, std::string_view doc, Range r) = 0;
  virtual void param(std::string_view name, bool& v, std::string_view doc) = 0;
  virtual void param(std::string_view name, std::string& v, std::string_view doc) = 0;
  // A file name, relative to the scenario's folder unless absolute (readers treat it as
  // a string; the resolved-scenario writer makes it absolute).
  virtual void path(std::string_view name, std::string& v, std::string_view doc) {
    param(name, v, doc);
  }
  virtual void param(std::string_view name, std::vector<int64_t>& v, std::string_view doc,
                     Range r) = 0;
  // One of a fixed set of names; `index` selects names[index].
  virtual void choice(std::string_view name, int& index, std::span<const std::string_view> names,
                      std::string_view doc) = 0;
  virtual void section(std::string_view name, Params& sub, std::string_view doc) = 0;
  // Not a key: readers of a file set `line` to the line this map starts on (1-based), so
  // a check that runs later (against the topology) can cite it. Others leave it.
  virtual void source_line(int& /*line*/) {}
  virtual void list(std::string_view name, ParamsList& items, std::string_view doc) = 0;
  // A `type:` key chooses which option's fields apply at this level.
  virtual void variant(std::string_view key, int& index, std::span<const VariantOption> options,
                       std::string_view doc) = 0;
};

// Enum helper: the enum's values must be 0..names.size()-1 in order.
template <class E>
void visit_enum(ParamVisitor& v, std::string_view name, E& e,
                std::span<const std::string_view> names, std::string_view doc) {
  int i = static_cast<int>(e);
  v.choice(name, i, names, doc);
  e = static_cast<E>(i);
}

}  // namespace aifabric
