#include "aifabric/scenario/yaml_reader.h"

#include <cmath>
#include <set>
#include <stdexcept>

#include "aifabric/core/parse.h"

namespace aifabric {
namespace {

struct ConfigError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

std::string join(std::string_view path, std::string_view name) {
  if (path.empty()) return std::string(name);
  return std::string(path) + "." + std::string(name);
}

class Reader final : public ParamVisitor {
 public:
  Reader(const YAML::Node& node, std::string path, const std::string& source)
      : node_(node), path_(std::move(path)), source_(source) {
    if (node_ && !node_.IsNull() && !node_.IsMap()) {
      fail(node_, path_.empty() ? "scenario" : path_, "expected a map of keys");
    }
  }

  void param(std::string_view name, Time& v, std::string_view) override {
    if (auto n = get(name)) v = unwrap(parse_time(scalar(n, name)), n, name);
  }
  void param(std::string_view name, Bytes& v, std::string_view) override {
    if (auto n = get(name)) v = unwrap(parse_bytes(scalar(n, name)), n, name);
  }
  void param(std::string_view name, BitRate& v, std::string_view) override {
    if (auto n = get(name)) v = unwrap(parse_rate(scalar(n, name)), n, name);
  }
  void param(std::string_view name, double& v, std::string_view, Range r) override {
    if (auto n = get(name)) v = number(n, name, r);
  }
  void param(std::string_view name, int64_t& v, std::string_view, Range r) override {
    if (auto n = get(name)) v = integer(n, std::string(name), r);
  }
  void param(std::string_view name, bool& v, std::string_view) override {
    if (auto n = get(name)) {
      const std::string s = scalar(n, name);
      if (s == "true" || s == "yes" || s == "on") {
        v = true;
      } else if (s == "false" || s == "no" || s == "off") {
        v = false;
      } else {
        fail(n, join(path_, name), "'" + s + "' is not true or false");
      }
    }
  }
  void param(std::string_view name, std::string& v, std::string_view) override {
    if (auto n = get(name)) v = scalar(n, name);
  }
  void param(std::string_view name, std::vector<int64_t>& v, std::string_view, Range r) override {
    if (auto n = get(name)) {
      if (!n.IsSequence()) fail(n, join(path_, name), "expected a list, e.g. [1, 2]");
      v.clear();
      for (size_t i = 0; i < n.size(); ++i) {
        v.push_back(integer(n[i], std::string(name) + "[" + std::to_string(i) + "]", r));
      }
    }
  }
  void choice(std::string_view name, int& index, std::span<const std::string_view> names,
              std::string_view) override {
    if (auto n = get(name)) index = pick(n, name, names);
  }
  void section(std::string_view name, Params& sub, std::string_view) override {
    YAML::Node n = get(name);
    read_section(n, sub, join(path_, name));
  }
  void list(std::string_view name, ParamsList& items, std::string_view) override {
    YAML::Node n = get(name);
    if (!n) {
      for (size_t i = 0; i < items.size(); ++i) {
        read_section(n, items.at(i), join(path_, name) + "." + std::to_string(i));
      }
      return;
    }
    if (!n.IsSequence()) fail(n, join(path_, name), "expected a list of maps (- key: value)");
    items.clear();
    for (size_t i = 0; i < n.size(); ++i) {
      read_section(n[i], items.add(), join(path_, name) + "." + std::to_string(i));
    }
  }
  void variant(std::string_view key, int& index, std::span<const VariantOption> options,
               std::string_view) override {
    std::vector<std::string_view> names;
    for (const auto& o : options) names.push_back(o.name);
    if (auto n = get(key)) index = pick(n, key, names);
    Params* p = options[static_cast<size_t>(index)].params;
    if (p != nullptr) {
      p->visit(*this);
      check(p->validate(), node_);
    }
    variant_name_ = std::string(options[static_cast<size_t>(index)].name);
  }

  // After visiting: refuse keys nobody asked for.
  void finish() {
    if (!node_ || !node_.IsMap()) return;
    for (const auto& kv : node_) {
      const std::string key = kv.first.as<std::string>();
      if (used_.count(key) == 0) {
        std::string known;
        for (const auto& k : used_) known += (known.empty() ? "" : ", ") + k;
        std::string msg = "unknown key";
        if (!variant_name_.empty()) msg += " for type '" + variant_name_ + "'";
        fail(kv.first, join(path_, key), msg + " (known here: " + known + ")");
      }
    }
  }

  void check(const Status& s, const YAML::Node& at) {
    if (!s.is_ok()) fail(at, path_.empty() ? "scenario" : path_, s.message());
  }

  [[noreturn]] void fail(const YAML::Node& n, const std::string& key, const std::string& msg) {
    std::string where = source_;
    if (n.IsDefined() && !n.Mark().is_null()) {
      where += ":" + std::to_string(n.Mark().line + 1);
    } else if (where.empty()) {
      where = "scenario";
    }
    throw ConfigError(where + ": " + key + ": " + msg);
  }

 private:
  // The value of `name`, or an undefined node when absent or null (keep defaults).
  YAML::Node get(std::string_view name) {
    used_.insert(std::string(name));
    if (!node_ || !node_.IsMap()) return YAML::Node(YAML::NodeType::Undefined);
    const YAML::Node& map = node_;
    YAML::Node n = map[std::string(name)];
    if (!n || n.IsNull()) return YAML::Node(YAML::NodeType::Undefined);
    return n;
  }
  std::string scalar(const YAML::Node& n, std::string_view name) {
    if (!n.IsScalar()) fail(n, join(path_, name), "expected a single value");
    return n.Scalar();
  }
  template <class T>
  T unwrap(Result<T> r, const YAML::Node& n, std::string_view name) {
    if (!r) fail(n, join(path_, name), r.status().message());
    return std::move(r).value();
  }
  double number(const YAML::Node& n, std::string_view name, Range r) {
    const std::string s = scalar(n, name);
    double v = 0;
    try {
      size_t used = 0;
      v = std::stod(s, &used);
      if (used != s.size()) throw std::invalid_argument(s);
    } catch (...) {
      fail(n, join(path_, name), "'" + s + "' is not a number");
    }
    if (!std::isfinite(v) || v < r.min || v > r.max) {
      fail(n, join(path_, name), s + " is out of range [" + fmt(r.min) + ", " + fmt(r.max) + "]");
    }
    return v;
  }
  int64_t integer(const YAML::Node& n, const std::string& name, Range r) {
    const std::string s = scalar(n, name);
    int64_t v = 0;
    try {
      size_t used = 0;
      v = std::stoll(s, &used);
      if (used != s.size()) throw std::invalid_argument(s);
    } catch (...) {
      fail(n, join(path_, name), "'" + s + "' is not an integer");
    }
    if (static_cast<double>(v) < r.min || static_cast<double>(v) > r.max) {
      fail(n, join(path_, name), s + " is out of range [" + fmt(r.min) + ", " + fmt(r.max) + "]");
    }
    return v;
  }
  int pick(const YAML::Node& n, std::string_view name, std::span<const std::string_view> names) {
    const std::string s = scalar(n, name);
    std::string all;
    for (size_t i = 0; i < names.size(); ++i) {
      if (names[i] == s) return static_cast<int>(i);
      all += (i ? ", " : "") + std::string(names[i]);
    }
    fail(n, join(path_, name), "'" + s + "' is not one of: " + all);
  }
  static std::string fmt(double d) {
    if (std::isinf(d)) return d < 0 ? "-inf" : "inf";
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", d);
    return buf;
  }
  void read_section(const YAML::Node& n, Params& sub, const std::string& path) {
    Reader r(n, path, source_);
    sub.visit(r);
    r.check(sub.validate(), n);
    r.finish();
  }

  YAML::Node node_;
  std::string path_;
  const std::string& source_;
  std::set<std::string> used_;
  std::string variant_name_;
};

}  // namespace

Status read_params(const YAML::Node& node, Params& params, const std::string& source) {
  try {
    Reader r(node, "", source);
    params.visit(r);
    r.check(params.validate(), node);
    r.finish();
  } catch (const ConfigError& e) {
    return Status::error(e.what());
  } catch (const YAML::Exception& e) {
    return Status::error(source + ": " + e.what());
  }
  return Status::ok();
}

Status apply_override(YAML::Node& root, const std::string& assignment) {
  const size_t eq = assignment.find('=');
  if (eq == std::string::npos || eq == 0) {
    return Status::error("--set '" + assignment + "': expected key.path=value");
  }
  const std::string key = assignment.substr(0, eq);
  const std::string value = assignment.substr(eq + 1);
  std::vector<std::string> parts;
  size_t b = 0;
  while (b <= key.size()) {
    const size_t e = key.find('.', b);
    parts.push_back(key.substr(b, e == std::string::npos ? std::string::npos : e - b));
    if (e == std::string::npos) break;
    b = e + 1;
  }
  for (const auto& p : parts) {
    if (p.empty()) return Status::error("--set '" + assignment + "': empty key component");
  }
  YAML::Node parsed;
  try {
    parsed = YAML::Load(value);
  } catch (const YAML::Exception& e) {
    return Status::error("--set " + key + ": cannot parse value '" + value + "'");
  }
  if (!root || root.IsNull()) root = YAML::Node(YAML::NodeType::Map);
  // Walk with reset() so each step rebinds instead of assigning through.
  YAML::Node cur;
  cur.reset(root);
  for (size_t i = 0; i < parts.size(); ++i) {
    const bool last = i + 1 == parts.size();
    const std::string& p = parts[i];
    const bool index = !p.empty() && p.find_first_not_of("0123456789") == std::string::npos;
    if (cur.IsSequence()) {
      if (!index) return Status::error("--set " + key + ": '" + p + "' must be a list index");
      const size_t k = std::stoul(p);
      if (k >= cur.size()) {
        return Status::error("--set " + key + ": index " + p + " is past the end of the list (" +
                             std::to_string(cur.size()) + " items)");
      }
      if (last) {
        cur[k] = parsed;
        return Status::ok();
      }
      YAML::Node next = cur[k];
      cur.reset(next);
      continue;
    }
    if (cur.IsScalar()) {
      return Status::error("--set " + key + ": '" + parts[i - 1] + "' is a value, not a map");
    }
    if (last) {
      cur[p] = parsed;
      return Status::ok();
    }
    if (!cur[p] || cur[p].IsNull()) cur[p] = YAML::Node(YAML::NodeType::Map);
    YAML::Node next = cur[p];
    cur.reset(next);
  }
  return Status::ok();
}

}  // namespace aifabric
