#include "aifabric/scenario/yaml_writer.h"

#include <yaml-cpp/yaml.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <sstream>

#include "aifabric/core/parse.h"

namespace aifabric {
namespace {

std::string quote(const std::string& s) {
  std::string out = "\"";
  for (const char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (u < 0x20 || u == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", u);
      out += buf;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

// The shortest decimal that reads back as the same double.
std::string number(double v) {
  char buf[40];
  for (int digits = 6; digits <= 17; ++digits) {
    std::snprintf(buf, sizeof buf, "%.*g", digits, v);
    if (std::strtod(buf, nullptr) == v) break;
  }
  return buf;
}

// The formatted value when it re-parses exactly, else the raw count with its base unit.
std::string time_text(Time t) {
  const std::string s = format_time(t);
  auto back = parse_time(s);
  return back && *back == t ? s : std::to_string(t.ps()) + "ps";
}
std::string bytes_text(Bytes b) {
  const std::string s = format_bytes(b);
  auto back = parse_bytes(s);
  return back && *back == b ? s : std::to_string(b.count()) + "B";
}
std::string rate_text(BitRate r) {
  const std::string s = format_rate(r);
  auto back = parse_rate(s);
  return back && *back == r ? s : std::to_string(r.bits_per_second()) + "bps";
}

class Writer final : public ParamVisitor {
 public:
  Writer(std::ostringstream& out, int indent, const std::string& base)
      : out_(out), indent_(indent), base_(base) {}

  void param(std::string_view n, Time& v, std::string_view) override { key(n, time_text(v)); }
  void param(std::string_view n, Bytes& v, std::string_view) override { key(n, bytes_text(v)); }
  void param(std::string_view n, BitRate& v, std::string_view) override { key(n, rate_text(v)); }
  void param(std::string_view n, double& v, std::string_view, Range) override { key(n, number(v)); }
  void param(std::string_view n, int64_t& v, std::string_view, Range) override {
    key(n, std::to_string(v));
  }
  void param(std::string_view n, bool& v, std::string_view) override {
    key(n, v ? "true" : "false");
  }
  void param(std::string_view n, std::string& v, std::string_view) override { key(n, quote(v)); }
  void path(std::string_view n, std::string& v, std::string_view) override {
    std::filesystem::path p(v);
    if (!v.empty() && p.is_relative())
      p = std::filesystem::absolute(std::filesystem::path(base_) / p);
    key(n, quote(v.empty() ? v : p.lexically_normal().string()));
  }
  void param(std::string_view n, std::vector<int64_t>& v, std::string_view, Range) override {
    std::string s = "[";
    for (size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + std::to_string(v[i]);
    key(n, s + "]");
  }
  void choice(std::string_view n, int& index, std::span<const std::string_view> names,
              std::string_view) override {
    key(n, std::string(names[static_cast<size_t>(index)]));
  }
  void section(std::string_view n, Params& sub, std::string_view) override {
    line(std::string(n) + ":");
    Writer child(out_, indent_ + 2, base_);
    sub.visit(child);
    if (!child.wrote_) line("  {}");  // a section without keys stays a map
  }
  void list(std::string_view n, ParamsList& items, std::string_view) override {
    if (items.size() == 0) {
      key(n, "[]");
      return;
    }
    line(std::string(n) + ":");
    for (size_t i = 0; i < items.size(); ++i) {
      // "- " then the item's keys, the first on the dash's line.
      Writer child(out_, indent_ + 4, base_);
      child.dash_ = true;
      items.at(i).visit(child);
      if (!child.wrote_) line("  - {}");
    }
  }
  void variant(std::string_view k, int& index, std::span<const VariantOption> options,
               std::string_view) override {
    const VariantOption& o = options[static_cast<size_t>(index)];
    key(k, std::string(o.name));
    if (o.params != nullptr) o.params->visit(*this);
  }

 private:
  void key(std::string_view n, const std::string& value) { line(std::string(n) + ": " + value); }
  void line(const std::string& text) {
    if (dash_) {
      out_ << std::string(static_cast<size_t>(indent_ - 2), ' ') << "- " << text << "\n";
      dash_ = false;
    } else {
      out_ << std::string(static_cast<size_t>(indent_), ' ') << text << "\n";
    }
    wrote_ = true;
  }
  std::ostringstream& out_;
  int indent_;
  const std::string& base_;
  bool dash_ = false;
  bool wrote_ = false;
};

}  // namespace

std::string yaml_scalar(const std::string& text) {
  YAML::Emitter e;
  e << YAML::DoubleQuoted << text;
  return e.c_str();
}

std::string write_yaml(Params& root, const std::string& base_dir) {
  std::ostringstream out;
  Writer w(out, 0, base_dir);
  root.visit(w);
  return out.str();
}

}  // namespace aifabric
