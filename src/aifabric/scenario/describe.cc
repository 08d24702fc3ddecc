#include "aifabric/scenario/describe.h"

#include <fmt/format.h>

#include <cmath>
#include <vector>

#include "aifabric/core/parse.h"

namespace aifabric {
namespace {

struct Row {
  std::string key, type, def, doc;
};

std::string range_text(Range r) {
  if (std::isinf(r.min) && std::isinf(r.max)) return "";
  if (std::isinf(r.max)) return fmt::format(" (>= {:g})", r.min);
  return fmt::format(" ({:g}..{:g})", r.min, r.max);
}

class Describer final : public ParamVisitor {
 public:
  Describer(std::string path, std::vector<std::pair<std::string, std::vector<Row>>>& out,
            std::string label = "")
      : path_(std::move(path)), label_(std::move(label)), out_(out) {
    out_.emplace_back((path_.empty() ? "(top level)" : path_) + label_, std::vector<Row>{});
    idx_ = out_.size() - 1;
  }
  void param(std::string_view n, Time& v, std::string_view d) override {
    add(n, "time", format_time(v), d);
  }
  void param(std::string_view n, Bytes& v, std::string_view d) override {
    add(n, "size", format_bytes(v), d);
  }
  void param(std::string_view n, BitRate& v, std::string_view d) override {
    add(n, "rate", format_rate(v), d);
  }
  void param(std::string_view n, double& v, std::string_view d, Range r) override {
    add(n, "number" + range_text(r), fmt::format("{:g}", v), d);
  }
  void param(std::string_view n, int64_t& v, std::string_view d, Range r) override {
    add(n, "integer" + range_text(r), std::to_string(v), d);
  }
  void param(std::string_view n, bool& v, std::string_view d) override {
    add(n, "bool", v ? "true" : "false", d);
  }
  void param(std::string_view n, std::string& v, std::string_view d) override {
    add(n, "string", v.empty() ? "\"\"" : v, d);
  }
  void param(std::string_view n, std::vector<int64_t>& v, std::string_view d, Range r) override {
    std::string s = "[";
    for (size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + std::to_string(v[i]);
    add(n, "integer list" + range_text(r), s + "]", d);
  }
  void choice(std::string_view n, int& index, std::span<const std::string_view> names,
              std::string_view d) override {
    std::string all;
    for (size_t i = 0; i < names.size(); ++i) all += (i ? ", " : "") + std::string(names[i]);
    add(n, "one of " + all, std::string(names[static_cast<size_t>(index)]), d);
  }
  void section(std::string_view n, Params& sub, std::string_view d) override {
    add(n, "section", "-", d);
    Describer child(join(n), out_, label_);
    sub.visit(child);
  }
  void list(std::string_view n, ParamsList& items, std::string_view d) override {
    add(n, "list", "-", d);
    auto proto = items.prototype();
    Describer child(join(n) + "[]", out_, label_);
    proto->visit(child);
  }
  void variant(std::string_view key, int& index, std::span<const VariantOption> options,
               std::string_view d) override {
    std::string all;
    for (size_t i = 0; i < options.size(); ++i)
      all += (i ? ", " : "") + std::string(options[i].name);
    add(key, "one of " + all, std::string(options[static_cast<size_t>(index)].name), d);
    for (const auto& o : options) {
      Describer child(path_, out_,
                      label_ + " (" + std::string(key) + ": " + std::string(o.name) + ")");
      out_[child.idx_].second.push_back(Row{"", "", "", std::string(o.doc)});
      if (o.params != nullptr) o.params->visit(child);
    }
  }

 private:
  std::string join(std::string_view n) const {
    return path_.empty() ? std::string(n) : path_ + "." + std::string(n);
  }
  void add(std::string_view n, std::string type, std::string def, std::string_view doc) {
    out_[idx_].second.push_back(
        Row{std::string(n), std::move(type), std::move(def), std::string(doc)});
  }
  std::string path_;
  std::string label_;  // which variant options this section sits under
  std::vector<std::pair<std::string, std::vector<Row>>>& out_;
  size_t idx_;
};

}  // namespace

std::string describe_params(Params& root, bool markdown) {
  std::vector<std::pair<std::string, std::vector<Row>>> sections;
  Describer d("", sections);
  root.visit(d);
  std::string out;
  for (const auto& [name, rows] : sections) {
    if (markdown) {
      out += "### `" + name + "`\n\n";
      bool table = false;
      for (const auto& r : rows) {
        if (r.key.empty()) {
          out += r.doc + "\n\n";
          continue;
        }
        if (!table) {
          out += "| key | type / unit | default | meaning |\n|---|---|---|---|\n";
          table = true;
        }
        out += fmt::format("| `{}` | {} | `{}` | {} |\n", r.key, r.type, r.def, r.doc);
      }
      out += "\n";
    } else {
      out += name + "\n";
      for (const auto& r : rows) {
        if (r.key.empty()) {
          out += "  " + r.doc + "\n";
          continue;
        }
        out += fmt::format("  {:<20} {:<28} default {:<12} {}\n", r.key, r.type, r.def, r.doc);
      }
      out += "\n";
    }
  }
  return out;
}

}  // namespace aifabric
