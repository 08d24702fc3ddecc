// YAML reading: a strict pre-pass over the parser's events (one document, no duplicate
// or complex keys, bounded depth and alias expansion), then a schema-driven Reader that
// collects errors so that an unknown key is reported before any other error, and names
// the --set override an error came from. One file (638 lines) on purpose: the pre-pass
// and the Reader share the error collection and the override blame, kept private here.
#include "aifabric/scenario/yaml_reader.h"

#include <yaml-cpp/anchor.h>
#include <yaml-cpp/eventhandler.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <stdexcept>
#include <unordered_map>

#include "aifabric/core/line_reader.h"
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

// Text from the input that goes into a message unquoted: escaped and cut.
std::string clip(std::string_view s, size_t max = 80) {
  const std::string q = quote_input(s, max);  // 'text' or 'text'...
  const bool cut = q.size() >= 4 && q.compare(q.size() - 4, 4, "'...") == 0;
  return q.substr(1, q.size() - (cut ? 5 : 2)) + (cut ? "..." : "");
}

// ---- the pre-pass -------------------------------------------------------------

struct Refused {
  YAML::Mark mark;
  std::string path;
  std::string why;
};

class StrictEvents final : public YAML::EventHandler {
 public:
  explicit StrictEvents(std::string prefix) : prefix_(std::move(prefix)) {}

  void OnDocumentStart(const YAML::Mark&) override {}
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    if (expecting_key()) refuse(mark, "", "a key must be a name, not null or empty");
    value(mark, 1, anchor);
  }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    if (expecting_key()) refuse(mark, "", "an alias (*name) cannot be a key");
    const auto it = sizes_.find(anchor);
    if (it == sizes_.end()) {
      refuse(mark, "", "the alias refers to a node that contains it");
      value(mark, 1, 0);
      return;
    }
    value(mark, it->second, 0);
  }
  void OnScalar(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                const std::string& text) override {
    if (expecting_key()) {
      Frame& f = stack_.back();
      const auto [it, fresh] = f.keys.emplace(text, mark.line);
      if (!fresh) {
        refuse(mark, text,
               "the key appears twice (first on line " + std::to_string(it->second + 1) + ")");
      }
      f.key = text;
      f.expect_key = false;
      add(1);
      if (anchor != 0) sizes_[anchor] = 1;
      return;
    }
    value(mark, 1, anchor);
  }
  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    open(mark, false, anchor);
  }
  void OnSequenceEnd() override { close(); }
  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value) override {
    open(mark, true, anchor);
  }
  void OnMapEnd() override { close(); }

 private:
  struct Frame {
    bool map = false;
    bool expect_key = true;
    std::map<std::string, size_t> keys;  // key -> 0-based line
    std::string key;
    size_t index = 0;
    YAML::anchor_t anchor = 0;
    uint64_t size = 1;
    YAML::Mark mark;
  };

  bool expecting_key() const {
    return !stack_.empty() && stack_.back().map && stack_.back().expect_key;
  }

  std::string path(std::string_view last) const {
    std::string p = prefix_;
    for (const Frame& f : stack_) {
      if (f.map && f.expect_key && &f == &stack_.back()) break;
      p = join(p, f.map ? f.key : std::to_string(f.index));
    }
    return last.empty() ? p : join(p, last);
  }
  // A structural refusal is kept and parsing goes on, so that a syntax error further on
  // (which often causes it: yaml-cpp reads "[1" as a map keyed by a list) wins.
  void refuse(const YAML::Mark& mark, std::string_view key, std::string why) {
    if (!first_) first_ = Refused{mark, path(key), std::move(why)};
  }
  // A limit is refused at once: going on is what it prevents.
  [[noreturn]] void stop(const YAML::Mark& mark, std::string why) {
    throw Refused{mark, path(""), std::move(why)};
  }

 public:
  const std::optional<Refused>& refused() const { return first_; }

 private:
  void add(uint64_t n) {
    uint64_t& total = stack_.empty() ? total_ : stack_.back().size;
    total = std::min<uint64_t>(total + n, kMaxYamlNodes + 1);
    if (total > kMaxYamlNodes) {
      stop(stack_.empty() ? YAML::Mark() : stack_.back().mark,
           "more than " + std::to_string(kMaxYamlNodes) + " values once aliases are expanded");
    }
  }
  // A complete value of `n` nodes arrived in the current collection.
  void value(const YAML::Mark&, uint64_t n, YAML::anchor_t anchor) {
    if (anchor != 0) sizes_[anchor] = n;
    add(n);
    if (stack_.empty()) return;
    Frame& f = stack_.back();
    if (f.map) {
      f.expect_key = true;
    } else {
      ++f.index;
    }
  }
  void open(const YAML::Mark& mark, bool map, YAML::anchor_t anchor) {
    if (expecting_key()) refuse(mark, "", "a key must be a plain name, not a list or a map");
    if (stack_.size() >= kMaxYamlDepth) {
      stop(mark, "nested deeper than " + std::to_string(kMaxYamlDepth) + " levels");
    }
    Frame f;
    f.map = map;
    f.anchor = anchor;
    f.mark = mark;
    stack_.push_back(std::move(f));
  }
  void close() {
    const uint64_t n = stack_.back().size;
    const YAML::anchor_t anchor = stack_.back().anchor;
    const YAML::Mark mark = stack_.back().mark;
    stack_.pop_back();
    value(mark, n, anchor);
  }

  std::string prefix_;
  std::vector<Frame> stack_;
  std::unordered_map<YAML::anchor_t, uint64_t> sizes_;  // complete anchored nodes
  uint64_t total_ = 0;
  std::optional<Refused> first_;
};

std::string at_line(const std::string& source, bool lines, const YAML::Mark& mark) {
  if (!lines || mark.is_null() || mark.line < 0) return source;
  return source + ":" + std::to_string(mark.line + 1);
}

// ---- the Reader ------------------------------------------------------------------

struct OverrideKey {
  std::string key;    // "switch.ecn.k_min"
  std::string label;  // "--set switch.ecn.k_min=5x"
};

bool is_under(std::string_view path, std::string_view prefix) {
  if (prefix.empty()) return true;
  if (path.size() < prefix.size() || path.compare(0, prefix.size(), prefix) != 0) return false;
  return path.size() == prefix.size() || path[prefix.size()] == '.' || path[prefix.size()] == '[';
}

// What the reading of one tree found; shared by the Readers of all its sections.
struct Findings {
  std::string source;
  std::vector<OverrideKey> overrides;
  struct Unknown {
    int line;  // 0-based; INT_MAX for keys an override added
    size_t order;
    std::string message;
  };
  std::vector<Unknown> unknown;
  std::optional<std::string> first;  // the first other error, in reading order

  // The last override of exactly `key`.
  const OverrideKey* exact(const std::string& key) const {
    for (auto it = overrides.rbegin(); it != overrides.rend(); ++it) {
      if (it->key == key) return &*it;
    }
    return nullptr;
  }
  // The override an error at `path` comes from: with `section` (a section's cross-field
  // check), the last one inside the section; else the last one at or above `path`.
  const OverrideKey* blame(const std::string& path, bool section, std::string_view msg) const {
    if (section) {
      // The top level's checks name the key they concern first ("traffic: ...").
      std::string p = path;
      if (p.empty()) p = std::string(msg.substr(0, msg.find_first_of(" :.")));
      if (!p.empty()) {
        for (auto it = overrides.rbegin(); it != overrides.rend(); ++it) {
          if (is_under(it->key, p)) return &*it;
        }
      }
    }
    for (auto it = overrides.rbegin(); it != overrides.rend(); ++it) {
      if (is_under(path, it->key)) return &*it;
    }
    return nullptr;
  }
};

class Reader final : public ParamVisitor {
 public:
  Reader(const YAML::Node& node, std::string path, Findings& found)
      : node_(node), path_(std::move(path)), found_(found) {
    if (node_ && !node_.IsNull() && !node_.IsMap()) {
      fail(node_, path_, "expected a map of keys");
    }
  }

  void source_line(int& line) override {
    // Only lines of the file: a map an override wrote has no line to cite.
    if (found_.blame(path_, true, "") != nullptr) return;
    if (node_ && !node_.Mark().is_null() && node_.Mark().line >= 0) line = node_.Mark().line + 1;
  }
  void param(std::string_view name, Time& v, std::string_view) override {
    guard([&] {
      if (auto n = get(name)) v = unwrap(parse_time(scalar(n, name)), n, name);
    });
  }
  void param(std::string_view name, Bytes& v, std::string_view) override {
    guard([&] {
      if (auto n = get(name)) v = unwrap(parse_bytes(scalar(n, name)), n, name);
    });
  }
  void param(std::string_view name, BitRate& v, std::string_view) override {
    guard([&] {
      if (auto n = get(name)) v = unwrap(parse_rate(scalar(n, name)), n, name);
    });
  }
  void param(std::string_view name, double& v, std::string_view, Range r) override {
    guard([&] {
      if (auto n = get(name)) v = number(n, name, r);
    });
  }
  void param(std::string_view name, int64_t& v, std::string_view, Range r) override {
    guard([&] {
      if (auto n = get(name)) v = integer(n, std::string(name), r);
    });
  }
  void param(std::string_view name, bool& v, std::string_view) override {
    guard([&] {
      if (auto n = get(name)) {
        const std::string s = scalar(n, name);
        if (s == "true" || s == "yes" || s == "on") {
          v = true;
        } else if (s == "false" || s == "no" || s == "off") {
          v = false;
        } else {
          fail(n, join(path_, name), quote_input(s) + " is not true or false");
        }
      }
    });
  }
  void param(std::string_view name, std::string& v, std::string_view) override {
    guard([&] {
      if (auto n = get(name)) {
        std::string s = scalar(n, name);
        for (const char c : s) {
          const auto u = static_cast<unsigned char>(c);
          if (u < 0x20 || u == 0x7F) {
            fail(n, join(path_, name), quote_input(s) + " contains a control character");
          }
        }
        v = std::move(s);
      }
    });
  }
  void param(std::string_view name, std::vector<int64_t>& v, std::string_view, Range r) override {
    guard([&] {
      if (auto n = get(name)) {
        if (!n.IsSequence()) fail(n, join(path_, name), "expected a list, e.g. [1, 2]");
        std::vector<int64_t> out;
        for (size_t i = 0; i < n.size(); ++i) {
          out.push_back(integer(n[i], std::string(name) + "[" + std::to_string(i) + "]", r));
        }
        v = std::move(out);
      }
    });
  }
  void choice(std::string_view name, int& index, std::span<const std::string_view> names,
              std::string_view) override {
    guard([&] {
      if (auto n = get(name)) index = pick(n, name, names);
    });
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
    if (!guard([&] {
          if (!n.IsSequence()) fail(n, join(path_, name), "expected a list of maps (- key: value)");
        })) {
      return;
    }
    items.clear();
    for (size_t i = 0; i < n.size(); ++i) {
      read_section(n[i], items.add(), join(path_, name) + "." + std::to_string(i));
    }
  }
  void variant(std::string_view key, int& index, std::span<const VariantOption> options,
               std::string_view) override {
    std::vector<std::string_view> names;
    for (const auto& o : options) names.push_back(o.name);
    const bool picked = guard([&] {
      if (auto n = get(key)) index = pick(n, key, names);
    });
    if (!picked) {
      // Which keys belong here depends on the choice that failed: report none unknown.
      lost_ = true;
      return;
    }
    Params* p = options[static_cast<size_t>(index)].params;
    if (p != nullptr) {
      p->visit(*this);
      checks_.push_back(p);
    }
    variant_name_ = std::string(options[static_cast<size_t>(index)].name);
    variant_key_ = std::string(key);
  }

  // After visiting: note the keys nobody asked for, then run the checks of this level
  // (the section's own and its chosen members'), which only then are reported.
  void finish(const Params& self) {
    if (!lost_ && node_ && node_.IsMap()) {
      for (const auto& kv : node_) {
        const std::string key = kv.first.as<std::string>();
        if (used_.count(key) != 0) continue;
        std::string known;
        for (const auto& k : used_) known += (known.empty() ? "" : ", ") + k;
        std::string msg = "unknown key";
        if (!variant_name_.empty()) msg += " for type '" + variant_name_ + "'";
        const YAML::Mark m = kv.first.Mark();
        const int line = m.is_null() ? std::numeric_limits<int>::max() : m.line;
        // A key left over from the member an override switched away from is the
        // override's doing: `--set topology.type=fat_tree` over a leaf_spine's keys.
        const OverrideKey* by = nullptr;
        if (!variant_key_.empty() && found_.blame(join(path_, key), false, "") == nullptr) {
          by = found_.exact(join(path_, variant_key_));
        }
        found_.unknown.push_back({line, found_.unknown.size(),
                                  message(kv.first, join(path_, clip(key)), false,
                                          msg + " (known here: " + known + ")", by)});
      }
    }
    if (found_.first || !found_.unknown.empty()) return;  // checks of half-read values mislead
    for (const Params* p : checks_) check(p->validate());
    check(self.validate());
  }

 private:
  // Runs `body`, keeping the first error it raises; false if it raised one.
  template <class F>
  bool guard(F&& body) {
    try {
      body();
      return true;
    } catch (const ConfigError& e) {
      if (!found_.first) found_.first = e.what();
      return false;
    }
  }
  void check(const Status& s) {
    if (s.is_ok() || found_.first) return;
    found_.first = message(node_, path_, true, s.message());
  }
  // "where: key: msg", where is the override the value came from, or source:line.
  std::string message(const YAML::Node& n, const std::string& path, bool section,
                      const std::string& msg, const OverrideKey* by = nullptr) const {
    std::string where;
    if (const OverrideKey* o = by != nullptr ? by : found_.blame(path, section, msg)) {
      where = o->label;
    } else {
      where = found_.source;
      if (n.IsDefined() && !n.Mark().is_null()) {
        where += ":" + std::to_string(n.Mark().line + 1);
      } else if (where.empty()) {
        where = "scenario";
      }
    }
    return printable(where + ": " + (path.empty() ? "scenario" : path) + ": " + msg);
  }
  [[noreturn]] void fail(const YAML::Node& n, const std::string& path, const std::string& msg) {
    throw ConfigError(message(n, path, false, msg));
  }

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
    auto v = parse_number(s);
    if (!v) fail(n, join(path_, name), v.status().message());
    if (*v < r.min || *v > r.max) {
      fail(n, join(path_, name),
           clip(s) + " is out of range [" + fmt(r.min) + ", " + fmt(r.max) + "]");
    }
    return *v;
  }
  int64_t integer(const YAML::Node& n, const std::string& name, Range r) {
    const std::string s = scalar(n, name);
    auto v = parse_integer(s);
    if (!v) fail(n, join(path_, name), v.status().message());
    if (static_cast<double>(*v) < r.min || static_cast<double>(*v) > r.max) {
      fail(n, join(path_, name),
           clip(s) + " is out of range [" + fmt(r.min) + ", " + fmt(r.max) + "]");
    }
    return *v;
  }
  int pick(const YAML::Node& n, std::string_view name, std::span<const std::string_view> names) {
    const std::string s = scalar(n, name);
    std::string all;
    for (size_t i = 0; i < names.size(); ++i) {
      if (names[i] == s) return static_cast<int>(i);
      all += (i ? ", " : "") + std::string(names[i]);
    }
    fail(n, join(path_, name), quote_input(s) + " is not one of: " + all);
  }
  static std::string fmt(double d) {
    if (std::isinf(d)) return d < 0 ? "-inf" : "inf";
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", d);
    return buf;
  }
  void read_section(const YAML::Node& n, Params& sub, const std::string& path) {
    std::optional<Reader> r;
    if (!guard([&] { r.emplace(n, path, found_); })) return;
    sub.visit(*r);
    r->finish(sub);
  }

  YAML::Node node_;
  std::string path_;
  Findings& found_;
  std::set<std::string> used_;
  std::string variant_name_;
  std::string variant_key_;
  std::vector<const Params*> checks_;  // chosen members' parameters, checked in finish()
  bool lost_ = false;                  // a choice failed: the valid keys are unknown
};

// "key.path" of an assignment, or "" when it has none.
std::string key_of(std::string_view assignment) {
  const size_t eq = assignment.find('=');
  return eq == std::string_view::npos ? "" : std::string(assignment.substr(0, eq));
}

}  // namespace

std::string override_label(std::string_view assignment) {
  return "--set " + clip(assignment, 120);
}

Result<YAML::Node> load_yaml(std::string_view text, const std::string& source, bool lines,
                             const std::string& key_prefix) {
  if (text.size() > kMaxScenarioBytes) {
    return Status::error(source + ": larger than " + std::to_string(kMaxScenarioBytes / kMiB) +
                         " MiB");
  }
  std::string body(text);
  strip_bom(body);
  if (Status s = check_text(body, source); !s) {
    if (lines) return s;
    // An override has no lines to cite: drop the line number check_text gives.
    const std::string m = s.message();
    const size_t colon = m.find(": ", source.size() + 1);
    return Status::error(source + ": " + (colon == std::string::npos ? m : m.substr(colon + 2)));
  }
  try {
    std::istringstream in(body);
    YAML::Parser parser(in);
    StrictEvents events(key_prefix);
    const bool one = parser.HandleNextDocument(events);
    if (!events.refused() && one && parser.HandleNextDocument(events)) {
      return Status::error(source + ": holds more than one YAML document (---); a scenario is one");
    }
    if (const auto& r = events.refused()) throw *r;
  } catch (const Refused& r) {
    return Status::error(printable(at_line(source, lines, r.mark) + ": " +
                                   (r.path.empty() ? "" : clip(r.path, 120) + ": ") + r.why));
  } catch (const YAML::ParserException& e) {
    return Status::error(printable(at_line(source, lines, e.mark) + ": " + e.msg));
  }
  try {
    return YAML::Load(body);
  } catch (const YAML::Exception& e) {
    return Status::error(printable(at_line(source, lines, e.mark) + ": " + e.msg));
  }
}

Status read_params(const YAML::Node& node, Params& params, const std::string& source,
                   const std::vector<std::string>& overrides) {
  Findings found;
  found.source = source;
  for (const auto& o : overrides) found.overrides.push_back({key_of(o), override_label(o)});
  try {
    std::optional<Reader> r;
    try {
      r.emplace(node, "", found);
    } catch (const ConfigError& e) {
      return Status::error(e.what());
    }
    params.visit(*r);
    r->finish(params);
  } catch (const YAML::Exception& e) {
    return Status::error(printable(source + ": " + e.what()));
  }
  if (!found.unknown.empty()) {
    const auto first = std::min_element(
        found.unknown.begin(), found.unknown.end(), [](const auto& a, const auto& b) {
          return a.line != b.line ? a.line < b.line : a.order < b.order;
        });
    return Status::error(first->message);
  }
  if (found.first) return Status::error(*found.first);
  return Status::ok();
}

Status apply_override(YAML::Node& root, const std::string& assignment) {
  const std::string label = override_label(assignment);
  const size_t eq = assignment.find('=');
  if (eq == std::string::npos || eq == 0) {
    return Status::error(label + ": expected key.path=value, e.g. seed=7");
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
    if (p.empty()) return Status::error(label + ": empty key component");
  }
  auto parsed = load_yaml(value, label, /*lines=*/false, key);
  if (!parsed) return parsed.status();
  if (!root || root.IsNull()) root = YAML::Node(YAML::NodeType::Map);
  // Walk with reset() so each step rebinds instead of assigning through.
  YAML::Node cur;
  cur.reset(root);
  for (size_t i = 0; i < parts.size(); ++i) {
    const bool last = i + 1 == parts.size();
    const std::string& p = parts[i];
    const bool index = p.find_first_not_of("0123456789") == std::string::npos;
    if (cur.IsSequence()) {
      if (!index) return Status::error(label + ": " + quote_input(p) + " must be a list index");
      uint64_t k = 0;
      const auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), k);
      if (ec != std::errc() || k >= cur.size()) {
        return Status::error(label + ": index " + clip(p) + " is past the end of the list (" +
                             std::to_string(cur.size()) + " items)");
      }
      if (last) {
        cur[static_cast<size_t>(k)] = *parsed;
        return Status::ok();
      }
      YAML::Node next = cur[static_cast<size_t>(k)];
      cur.reset(next);
      continue;
    }
    if (cur.IsScalar()) {
      return Status::error(label + ": " + quote_input(parts[i - 1]) + " is a value, not a map");
    }
    if (last) {
      cur[p] = *parsed;
      return Status::ok();
    }
    if (!cur[p] || cur[p].IsNull()) cur[p] = YAML::Node(YAML::NodeType::Map);
    YAML::Node next = cur[p];
    cur.reset(next);
  }
  return Status::ok();
}

}  // namespace aifabric
