// The value formatting, the input files and the closing keys (stop time, link faults,
// ns-3's own outputs) of the ns-3 config translation.
#include "aifabric/scenario/ns3/mapper.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>
#include <system_error>
#include <vector>

#include "aifabric/core/line_reader.h"
#include "aifabric/scenario/yaml_writer.h"
#include "aifabric/topo/import/ns3_topology.h"
#include "aifabric/workload/traffic/ns3/ns3_flows.h"

namespace aifabric::ns3cfg {

namespace fs = std::filesystem;

std::string join(const std::vector<std::string>& parts, std::string_view sep) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) out += (i ? std::string(sep) : "") + parts[i];
  return out;
}

std::string time_text(Time t) {
  std::string s = format_time(t);
  auto back = parse_time(s);
  if (back && *back == t) return s;
  return std::to_string(t.ps()) + "ps";
}

std::string rate_text(BitRate r) {
  std::string s = format_rate(r);
  auto back = parse_rate(s);
  if (back && *back == r) return s;
  return std::to_string(r.bits_per_second()) + "bps";
}

std::string kb_text(Bytes b) {
  if (b.count() % 1000 == 0) return std::to_string(b.count() / 1000) + "KB";
  return std::to_string(b.count()) + "B";
}

Result<BitRate> ns3_rate(std::string_view text) {
  size_t i = 0;
  while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) != 0 ||
                             text[i] == '.' || text[i] == 'e' || text[i] == 'E')) {
    ++i;
  }
  auto number = parse_decimal(text.substr(0, i), "rate");
  if (!number) return number.status();
  std::string_view u = text.substr(i);
  double scale = 1;
  if (!u.empty() && std::string_view("kKMGT").find(u[0]) != std::string_view::npos) {
    const int power = static_cast<int>(std::string_view("kKMGT").find(u[0]));
    const int exp = power <= 1 ? 1 : power;  // k and K are both 10^3 (2^10 with 'i')
    u.remove_prefix(1);
    const bool binary = !u.empty() && u[0] == 'i';
    if (binary) u.remove_prefix(1);
    scale = std::pow(binary ? 1024.0 : 1000.0, exp);
  }
  if (u == "B/s" || u == "Bps") {
    scale *= 8;
  } else if (u != "b/s" && u != "bps") {
    return Status::error(quote_input(text) +
                         " is not an ns-3 data rate (e.g. 50Mb/s, 100Gbps, 1MB/s)");
  }
  const double bps = std::round(*number * scale);
  if (bps < 1 || bps > 9.2e18) {
    return Status::error("rate " + quote_input(text) + " is out of range");
  }
  return BitRate::bps(static_cast<int64_t>(bps));
}

// ---- files -------------------------------------------------------------------------

namespace {

// The file a relative name in the config means (see map_ns3_config).
Result<std::string> find_input(const Mapper& m, const Ns3ConfigLine& l,
                               const std::string& config_dir) {
  const fs::path name(l.values[0]);
  std::vector<fs::path> tried;
  if (name.is_absolute()) {
    tried.push_back(name);
  } else {
    const fs::path dir = fs::absolute(config_dir.empty() ? "." : config_dir);
    tried = {dir / name, fs::current_path() / name, dir.parent_path() / name};
  }
  std::vector<std::string> shown;
  for (const fs::path& p : tried) {
    std::error_code ec;
    if (fs::is_regular_file(p, ec)) return p.lexically_normal().string();
    const std::string s = quote_input(p.lexically_normal().string(), 200);
    if (std::find(shown.begin(), shown.end(), s) == shown.end()) shown.push_back(s);
  }
  return m.error(
      l, "cannot find " + quote_input(l.values[0]) + " (looked for " + join(shown, ", ") + ")");
}

}  // namespace

// The topology and flow files: the command line's, else the config's.
Result<Inputs> read_inputs(Mapper& m, const std::string& config_dir, const Ns3ConfigFiles& given,
                           Ns3ConfigScenario& out) {
  const struct {
    std::string_view key;
    const std::string& given;
    std::string& path;
  } files[] = {{"TOPOLOGY_FILE", given.topology, out.topology_file},
               {"FLOW_FILE", given.flows, out.flow_file}};
  for (const auto& f : files) {
    const Ns3ConfigLine* l = m.take(f.key);
    if (!f.given.empty()) {
      f.path = fs::absolute(f.given).lexically_normal().string();
      if (l != nullptr) {
        m.note(std::string(f.key) + " " + l->values[0] + ": replaced by the command line's " +
               f.path);
      }
      continue;
    }
    if (l == nullptr) {
      return Status::error(m.config().source + ": " + std::string(f.key) +
                           " is missing (ns-3 needs it; or give --ns3-" +
                           (f.key == "FLOW_FILE" ? "flows" : "topology") + ")");
    }
    auto p = find_input(m, *l, config_dir);
    if (!p) return p.status();
    f.path = *p;
  }
  Inputs in;
  // The files are checked before they are opened, as a scenario's `file:` is.
  if (Status s = check_input_file(out.topology_file, kMaxTopologyBytes); !s) {
    return s.with_context(printable(out.topology_file));
  }
  std::ifstream topo(out.topology_file, std::ios::binary);
  if (!topo) return Status::error(out.topology_file + ": cannot read the file");
  auto g = read_ns3_topology(topo, out.topology_file);
  if (!g) return g.status();
  in.graph = std::move(g).value();
  if (Status s = check_input_file(out.flow_file, kMaxFlowFileBytes); !s) {
    return s.with_context(printable(out.flow_file));
  }
  std::ifstream flows(out.flow_file, std::ios::binary);
  if (!flows) return Status::error(out.flow_file + ": cannot read the file");
  auto fl = read_ns3_flows(flows, out.flow_file, in.graph);
  if (!fl) return fl.status();
  in.flows = std::move(fl).value();
  out.overrides.push_back("topology={type: ns3, file: " + yaml_scalar(out.topology_file) + "}");
  out.overrides.push_back("traffic=[{type: ns3, file: " + yaml_scalar(out.flow_file) + "}]");
  return in;
}

// ---- everything else -----------------------------------------------------------------

Status map_rest(Mapper& m) {
  if (const Ns3ConfigLine* l = m.take("SIMULATOR_STOP_TIME")) {
    auto v = m.decimal(*l);
    if (!v) return v.status();
    const double ps = std::round(*v * 1e12);
    if (ps < 1 || ps > 9.2e18) return m.error(*l, "expected a positive time in seconds");
    m.set("stop_time", time_text(Time::ps(static_cast<int64_t>(ps))));
  } else {
    m.absent("SIMULATOR_STOP_TIME");
  }
  if (const Ns3ConfigLine* l = m.take("ERROR_RATE_PER_LINK")) {
    auto v = m.decimal(*l);
    if (!v) return v.status();
    if (*v > 1) return m.error(*l, "expected a probability in [0, 1]");
    // third.cc gives it to every link whose own error rate in the topology file is 0.
    m.set("topology.default_loss_rate", l->values[0]);
  }
  if (const Ns3ConfigLine* l = m.take("LINK_DOWN")) {
    std::vector<uint64_t> v;
    for (size_t i = 0; i < 3; ++i) {
      auto x = m.whole(*l, i);
      if (!x) return x.status();
      v.push_back(*x);
    }
    if (v[0] == 0) {
      m.no_effect("LINK_DOWN", "time 0: no link goes down");
    } else {
      m.not_modelled(*l, "a link that fails during the run (at 2 s + " + l->values[0] +
                             " us, between nodes " + l->values[1] + " and " + l->values[2] +
                             "); topology.failed_links takes a link down for the whole run");
    }
  }
  if (const Ns3ConfigLine* l = m.take("PAUSE_TIME")) {
    m.not_modelled(*l,
                   "aifabric's pause frames carry switch.pfc.quanta and are refreshed "
                   "while congestion lasts");
  }
  for (std::string_view k : {"DATA_RATE", "LINK_DELAY"}) {
    m.no_effect(k, "third.cc reads them and uses the topology file's rates and delays");
  }
  std::vector<std::string> outputs;
  for (std::string_view k : kOutputKeys) {
    if (m.take(k) != nullptr) outputs.emplace_back(k);
  }
  if (!outputs.empty()) {
    m.note(join(outputs, ", ") +
           ": ns-3 output settings; aifabric writes its own outputs into the results folder "
           "(fct.txt has the ns-3 layout; PFC pauses and queue depths are in telemetry.sqlite)");
  }
  return Status::ok();
}

}  // namespace aifabric::ns3cfg
