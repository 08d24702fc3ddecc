// One registry mechanism for every family of plug-ins (congestion control, load
// balancers, recovery modes, topology builders, traffic generators, workload types,
// engines, output files). A family is a Registry of entries, each a Member (its name:
// the scenario value that selects it; a one-line doc; the type of its parameters)
// plus the family's own factory functions. A scenario selects a member through a
// Choice, a Params section whose `key:` names the member and whose other keys are that
// member's parameters. Adding a member is one folder (its Params, its class, its entry)
// plus one line in the family's registry.cc: entries are listed explicitly, in the
// order docs and `aifabric list` show them, never self-registered by static objects.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <typeinfo>
#include <vector>

#include "aifabric/core/params.h"

namespace aifabric {

// What every member of a family has.
struct Member {
  std::string_view name;
  std::string_view doc;
  // A default-valued instance of the member's parameters; null = it has none.
  std::unique_ptr<Params> (*make_params)() = nullptr;
};

template <class P>
std::unique_ptr<Params> make_params_of() {
  return std::make_unique<P>();
}

// A member's parameters as the type its entry registered. The entry made them, so a
// mismatch is a registry bug, reported as one (not an input error).
template <class P>
const P& params_as(const Params& p) {
  const auto* q = dynamic_cast<const P*>(&p);
  if (q == nullptr) {
    std::fprintf(stderr, "aifabric: internal error: parameters of type %s used as %s\n",
                 typeid(p).name(), typeid(P).name());
    std::abort();
  }
  return *q;
}
template <class P>
P& params_as(Params& p) {
  return const_cast<P&>(params_as<P>(static_cast<const Params&>(p)));
}

// Parameters of a member that has none.
struct NoParams final : ParamsOf<NoParams> {
  void visit(ParamVisitor& /*v*/) override {}
};

// The members of one family, in registration order.
template <class Entry>
class Registry {
 public:
  Registry(std::string_view family, std::vector<Entry> members)
      : family_(family), members_(std::move(members)) {
    for (const auto& m : members_) names_.push_back(m.name);
  }
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  std::string_view family() const { return family_; }
  std::span<const Entry> all() const { return members_; }
  size_t size() const { return members_.size(); }
  const Entry& at(size_t i) const { return members_[i]; }
  // The member called `name`, or null.
  const Entry* find(std::string_view name) const {
    for (const auto& m : members_) {
      if (m.name == name) return &m;
    }
    return nullptr;
  }
  // Its index, or -1.
  int index_of(std::string_view name) const {
    for (size_t i = 0; i < members_.size(); ++i) {
      if (members_[i].name == name) return static_cast<int>(i);
    }
    return -1;
  }
  std::span<const std::string_view> names() const { return names_; }
  // "a, b, c", for messages.
  std::string name_list() const {
    std::string out;
    for (const auto& m : members_) out += (out.empty() ? "" : ", ") + std::string(m.name);
    return out;
  }

 private:
  std::string_view family_;
  std::vector<Entry> members_;
  std::vector<std::string_view> names_;
};

// A scenario section that selects one member of a family: `key:` names it, and the
// selected member's parameters sit beside the key in the same map. Holds a parameter
// instance per member (so the reference lists every member's keys); copies are deep.
// The default is named (registration order only orders the reference).
template <class Entry>
class Choice final : public ParamsOf<Choice<Entry>> {
 public:
  Choice(const Registry<Entry>& reg, std::string_view key, std::string_view doc,
         std::string_view default_name)
      : reg_(&reg), key_(key), doc_(doc) {
    for (const auto& m : reg.all()) {
      params_.push_back(m.make_params != nullptr ? m.make_params() : std::make_unique<NoParams>());
    }
    index_ = reg.index_of(default_name);
    if (index_ < 0) {
      std::fprintf(stderr, "aifabric: internal error: %.*s has no member '%.*s'\n",
                   static_cast<int>(reg.family().size()), reg.family().data(),
                   static_cast<int>(default_name.size()), default_name.data());
      std::abort();
    }
  }
  Choice(const Choice& o) : reg_(o.reg_), key_(o.key_), doc_(o.doc_), index_(o.index_) {
    for (const auto& p : o.params_) params_.push_back(p->clone());
  }
  Choice& operator=(const Choice& o) {
    if (this != &o) {
      Choice c(o);
      *this = std::move(c);
    }
    return *this;
  }
  Choice(Choice&&) noexcept = default;
  Choice& operator=(Choice&&) noexcept = default;

  void visit(ParamVisitor& v) override {
    std::vector<VariantOption> options;
    for (size_t i = 0; i < reg_->size(); ++i) {
      const Entry& m = reg_->at(i);
      options.push_back({m.name, m.doc, m.make_params != nullptr ? params_[i].get() : nullptr});
    }
    v.variant(key_, index_, options, doc_);
  }
  Status validate() const override { return params().validate(); }

  const Registry<Entry>& registry() const { return *reg_; }
  const Entry& selected() const { return reg_->at(static_cast<size_t>(index_)); }
  std::string_view name() const { return selected().name; }
  bool is(std::string_view name) const { return selected().name == name; }
  int index() const { return index_; }
  // Selects a member by name; false (and no change) if the family has none so called.
  bool select(std::string_view name) {
    const int i = reg_->index_of(name);
    if (i < 0) return false;
    index_ = i;
    return true;
  }
  const Params& params() const { return *params_[static_cast<size_t>(index_)]; }
  Params& params() { return *params_[static_cast<size_t>(index_)]; }
  // The selected member's parameters as their registered type.
  template <class P>
  const P& as() const {
    return params_as<P>(params());
  }
  template <class P>
  P& as() {
    return params_as<P>(params());
  }
  // The parameters of the member called `name` (e.g. to adjust one before selecting
  // it); null if there is none.
  Params* params_of(std::string_view name) {
    const int i = reg_->index_of(name);
    return i < 0 ? nullptr : params_[static_cast<size_t>(i)].get();
  }

 private:
  const Registry<Entry>* reg_;
  std::string_view key_;
  std::string_view doc_;
  int index_ = 0;
  std::vector<std::unique_ptr<Params>> params_;
};

}  // namespace aifabric
