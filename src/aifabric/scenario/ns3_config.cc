// ns-3 RDMA config files: the reader, and the key-by-key translation into scenario
// overrides. What each key means was learnt from HPCC's third.cc and rdma-hw.cc; the
// mapping table and its losses are documented in docs/scenario.head.md.
#include "aifabric/scenario/ns3_config.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <deque>
#include <filesystem>
#include <fstream>
#include <limits>
#include <set>
#include <utility>

#include "aifabric/core/line_reader.h"
#include "aifabric/core/parse.h"
#include "aifabric/scenario/yaml_writer.h"
#include "aifabric/topo/import/ns3_topology.h"
#include "aifabric/transport/flow_spec.h"
#include "aifabric/workload/traffic/ns3/ns3_flows.h"

namespace aifabric {
namespace {

namespace fs = std::filesystem;

// How many values a key takes.
enum class Arity {
  kOne,      // KEY value
  kThree,    // LINK_DOWN time_us node_a node_b
  kRateMap,  // KMIN_MAP count rate1 value1 rate2 value2 ...
};

struct KeySpec {
  std::string_view key;
  Arity arity = Arity::kOne;
};

// Every key third.cc reads, in its config_doc.txt order (PAUSE_TIME, DATA_RATE and
// LINK_DELAY are read by third.cc too, though HPCC's configs do not set them).
constexpr KeySpec kKeys[] = {
    {"ENABLE_QCN"},
    {"USE_DYNAMIC_PFC_THRESHOLD"},
    {"PACKET_PAYLOAD_SIZE"},
    {"TOPOLOGY_FILE"},
    {"FLOW_FILE"},
    {"TRACE_FILE"},
    {"TRACE_OUTPUT_FILE"},
    {"FCT_OUTPUT_FILE"},
    {"PFC_OUTPUT_FILE"},
    {"SIMULATOR_STOP_TIME"},
    {"CC_MODE"},
    {"ALPHA_RESUME_INTERVAL"},
    {"RATE_DECREASE_INTERVAL"},
    {"CLAMP_TARGET_RATE"},
    {"RP_TIMER"},
    {"EWMA_GAIN"},
    {"FAST_RECOVERY_TIMES"},
    {"RATE_AI"},
    {"RATE_HAI"},
    {"MIN_RATE"},
    {"DCTCP_RATE_AI"},
    {"ERROR_RATE_PER_LINK"},
    {"L2_CHUNK_SIZE"},
    {"L2_ACK_INTERVAL"},
    {"L2_BACK_TO_ZERO"},
    {"HAS_WIN"},
    {"GLOBAL_T"},
    {"VAR_WIN"},
    {"FAST_REACT"},
    {"U_TARGET"},
    {"MI_THRESH"},
    {"INT_MULTI"},
    {"MULTI_RATE"},
    {"SAMPLE_FEEDBACK"},
    {"PINT_LOG_BASE"},
    {"PINT_PROB"},
    {"RATE_BOUND"},
    {"ACK_HIGH_PRIO"},
    {"LINK_DOWN", Arity::kThree},
    {"ENABLE_TRACE"},
    {"KMAX_MAP", Arity::kRateMap},
    {"KMIN_MAP", Arity::kRateMap},
    {"PMAX_MAP", Arity::kRateMap},
    {"BUFFER_SIZE"},
    {"QLEN_MON_FILE"},
    {"QLEN_MON_START"},
    {"QLEN_MON_END"},
    {"PAUSE_TIME"},
    {"DATA_RATE"},
    {"LINK_DELAY"},
};

const std::vector<std::string_view>& key_names() {
  static const std::vector<std::string_view> kNames = [] {
    std::vector<std::string_view> v;
    for (const KeySpec& k : kKeys) v.push_back(k.key);
    return v;
  }();
  return kNames;
}

const KeySpec* spec_of(std::string_view key) {
  for (const KeySpec& k : kKeys) {
    if (k.key == key) return &k;
  }
  return nullptr;
}

// Keys only some congestion-control modes read (rdma-hw.cc).
constexpr std::string_view kCcKeys[] = {
    "ALPHA_RESUME_INTERVAL",
    "RATE_DECREASE_INTERVAL",
    "CLAMP_TARGET_RATE",
    "RP_TIMER",
    "EWMA_GAIN",
    "FAST_RECOVERY_TIMES",
    "RATE_AI",
    "RATE_HAI",
    "MIN_RATE",
    "DCTCP_RATE_AI",
    "FAST_REACT",
    "U_TARGET",
    "MI_THRESH",
    "INT_MULTI",
    "MULTI_RATE",
    "SAMPLE_FEEDBACK",
    "PINT_LOG_BASE",
    "PINT_PROB",
};

// Settings of ns-3's own output files.
constexpr std::string_view kOutputKeys[] = {
    "FCT_OUTPUT_FILE", "PFC_OUTPUT_FILE", "TRACE_FILE",     "TRACE_OUTPUT_FILE",
    "ENABLE_TRACE",    "QLEN_MON_FILE",   "QLEN_MON_START", "QLEN_MON_END",
};

std::string join(const std::vector<std::string>& parts, std::string_view sep) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) out += (i ? std::string(sep) : "") + parts[i];
  return out;
}

// Values written in a unit they re-parse to exactly.
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

// An ns-3 DataRate string: bits ("50Mb/s", "100Mbps", "1Gb/s") or bytes ("1MB/s",
// "1MBps"), decimal prefixes k/K, M, G, T or binary ones Ki, Mi, Gi, Ti.
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
    return Status::error("'" + std::string(text) +
                         "' is not an ns-3 data rate (e.g. 50Mb/s, 100Gbps, 1MB/s)");
  }
  const double bps = std::round(*number * scale);
  if (bps < 1 || bps > 9.2e18) {
    return Status::error("rate '" + std::string(text) + "' is out of range");
  }
  return BitRate::bps(static_cast<int64_t>(bps));
}

// The files the config reads.
struct Inputs {
  TopologyGraph graph;
  std::vector<FlowSpec> flows;
};

// Walks the config, writing overrides and notes; every key it looks at is marked, so
// keys nobody looked at can be named at the end instead of being dropped.
class Mapper {
 public:
  Mapper(const Ns3Config& c, Ns3ConfigScenario& out) : c_(c), out_(out) {}

  bool marks = true;  // ENABLE_QCN: switches mark ECN

  const Ns3Config& config() const { return c_; }
  // The line of `key` (marked as handled), or null.
  const Ns3ConfigLine* take(std::string_view key) {
    used_.insert(std::string(key));
    return c_.find(key);
  }
  void set(const std::string& key, const std::string& value) {
    out_.overrides.push_back(key + "=" + value);
  }
  void note(const std::string& text) { out_.notes.push_back(text); }
  // "KEY v1 v2: why" for a value aifabric does not model.
  void not_modelled(const Ns3ConfigLine& l, const std::string& why) {
    note(l.key + " " + join(l.values, " ") + ": not modelled: " + why);
  }
  // A present key that changes nothing here, in ns-3 either; `why` groups them.
  void no_effect(std::string_view key, const std::string& why) {
    if (take(key) == nullptr) return;
    for (auto& [reason, keys] : no_effect_) {
      if (reason == why) {
        keys.emplace_back(key);
        return;
      }
    }
    no_effect_.push_back({why, {std::string(key)}});
  }
  // A mapped key the config leaves out.
  void absent(std::string_view key) { absent_.emplace_back(key); }
  Status error(const Ns3ConfigLine& l, const std::string& why) const { return c_.error(l, why); }

  Result<double> decimal(const Ns3ConfigLine& l, size_t i = 0) const {
    auto v = parse_decimal(l.values[i], "value");
    if (!v) return error(l, v.status().message());
    return *v;
  }
  Result<uint64_t> whole(const Ns3ConfigLine& l, size_t i = 0) const {
    auto v = parse_uint(l.values[i], "value");
    if (!v) return error(l, v.status().message());
    return *v;
  }
  Result<bool> flag(const Ns3ConfigLine& l) const {
    auto v = whole(l);
    if (!v) return v.status();
    if (*v > 1) return error(l, "expected 0 or 1, found " + l.values[0]);
    return *v == 1;
  }
  Result<BitRate> rate(const Ns3ConfigLine& l) const {
    auto r = ns3_rate(l.values[0]);
    if (!r) return error(l, r.status().message());
    return *r;
  }
  // A positive number of microseconds.
  Result<Time> micros(const Ns3ConfigLine& l) const {
    auto v = decimal(l);
    if (!v) return v.status();
    const double ps = std::round(*v * 1e6);
    if (ps < 1 || ps > 9.2e18) return error(l, "expected a positive number of microseconds");
    return Time::ps(static_cast<int64_t>(ps));
  }

  // The closing notes: keys without effect, keys left to defaults, keys nobody handled.
  void finish() {
    if (!no_effect_.empty()) {
      std::vector<std::string> groups;
      for (const auto& [why, keys] : no_effect_)
        groups.push_back(join(keys, ", ") + " (" + why + ")");
      note("no effect with these settings, in ns-3 either: " + join(groups, "; "));
    }
    if (!absent_.empty()) {
      note("not in the config, so aifabric's defaults apply (ns-3's built-in ones may differ): " +
           join(absent_, ", "));
    }
    for (const Ns3ConfigLine& l : c_.lines) {
      if (used_.count(l.key) == 0) {
        note(l.key + " " + join(l.values, " ") + ": no aifabric equivalent; ignored");
      }
    }
  }

 private:
  const Ns3Config& c_;
  Ns3ConfigScenario& out_;
  std::set<std::string> used_;
  std::vector<std::pair<std::string, std::vector<std::string>>> no_effect_;
  std::vector<std::string> absent_;
};

// ---- files -------------------------------------------------------------------------

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
    const std::string s = p.lexically_normal().string();
    if (std::find(shown.begin(), shown.end(), s) == shown.end()) shown.push_back(s);
  }
  return m.error(l, "cannot find '" + l.values[0] + "' (looked for " + join(shown, ", ") + ")");
}

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
  std::ifstream topo(out.topology_file);
  if (!topo) return Status::error(out.topology_file + ": cannot read the file");
  auto g = read_ns3_topology(topo, out.topology_file);
  if (!g) return g.status();
  in.graph = std::move(g).value();
  std::ifstream flows(out.flow_file);
  if (!flows) return Status::error(out.flow_file + ": cannot read the file");
  auto fl = read_ns3_flows(flows, out.flow_file, in.graph);
  if (!fl) return fl.status();
  in.flows = std::move(fl).value();
  out.overrides.push_back("topology={type: ns3, file: " + yaml_scalar(out.topology_file) + "}");
  out.overrides.push_back("traffic=[{type: ns3, file: " + yaml_scalar(out.flow_file) + "}]");
  return in;
}

// ---- ECN -----------------------------------------------------------------------------

// How many switch egress ports (where ECN marks) run at each rate.
std::map<int64_t, int> switch_ports_by_rate(const TopologyGraph& g) {
  std::map<int64_t, int> ports;
  for (const TopoLink& l : g.links()) {
    for (uint32_t end : {l.a, l.b}) {
      if (g.nodes()[end].kind == NodeKind::kSwitch) ++ports[l.params.rate.bits_per_second()];
    }
  }
  return ports;
}

// KMIN_MAP, KMAX_MAP and PMAX_MAP, checked to cover every switch port rate (ns-3
// asserts so in third.cc).
Result<EcnByRate> read_ecn_maps(Mapper& m, const std::map<int64_t, int>& ports) {
  EcnByRate ecn;
  for (const auto& [rate, n] : ports) ecn[rate];
  for (std::string_view key : {"KMIN_MAP", "KMAX_MAP", "PMAX_MAP"}) {
    const Ns3ConfigLine* l = m.take(key);
    if (l == nullptr) {
      if (ports.empty()) continue;
      return Status::error(m.config().source + ": " + std::string(key) +
                           " is missing (ns-3 needs a value for every switch link rate)");
    }
    std::set<int64_t> seen;
    for (size_t i = 1; i + 1 < l->values.size(); i += 2) {
      auto rate = m.whole(*l, i);
      if (!rate) return rate.status();
      const auto r = static_cast<int64_t>(std::min<uint64_t>(*rate, INT64_MAX));
      seen.insert(r);
      auto it = ecn.find(r);
      if (it == ecn.end()) continue;  // no switch port at this rate
      if (key == "PMAX_MAP") {
        auto p = m.decimal(*l, i + 1);
        if (!p) return p.status();
        if (*p > 1) return m.error(*l, "p_max " + l->values[i + 1] + " is above 1");
        it->second.p_max = l->values[i + 1];
      } else {
        auto kb = m.whole(*l, i + 1);
        if (!kb) return kb.status();
        if (*kb > (uint64_t{1} << 40)) return m.error(*l, l->values[i + 1] + " KB is too large");
        (key == "KMIN_MAP" ? it->second.k_min : it->second.k_max) =
            Bytes(static_cast<int64_t>(*kb) * 1000);
      }
    }
    for (const auto& [rate, n] : ports) {
      if (seen.count(rate) == 0) {
        return m.error(*l, "no entry for " + rate_text(BitRate::bps(rate)) + " (" +
                               std::to_string(rate) +
                               "), a switch link rate of the topology; ns-3 needs one for "
                               "every rate");
      }
    }
  }
  for (const auto& [rate, e] : ecn) {
    if (e.k_min > e.k_max) {
      return Status::error(m.config().source + ": KMIN_MAP: " + kb_text(e.k_min) + " at " +
                           rate_text(BitRate::bps(rate)) + " is above KMAX_MAP's " +
                           kb_text(e.k_max));
    }
  }
  return ecn;
}

// aifabric has one ECN setting for every switch port: it takes the values of the rate
// most switch ports run at (ties: the lower rate, the host-facing one in a fabric that
// is faster inside) and names what the other rates lose. A per-rate ECN setting makes
// this a loop over `ecn` writing one entry per rate.
void map_ecn(Mapper& m, const EcnByRate& ecn, const std::map<int64_t, int>& ports) {
  if (ecn.empty()) return;
  int64_t chosen = 0;
  int most = -1;
  int total = 0;
  for (const auto& [rate, n] : ports) {
    total += n;
    if (n > most) {
      most = n;
      chosen = rate;
    }
  }
  const EcnAtRate& e = ecn.at(chosen);
  m.set("switch.ecn.k_min", kb_text(e.k_min));
  m.set("switch.ecn.k_max", kb_text(e.k_max));
  m.set("switch.ecn.p_max", e.p_max);
  std::vector<std::string> lost;
  for (const auto& [rate, other] : ecn) {
    if (rate == chosen) continue;
    if (other.k_min == e.k_min && other.k_max == e.k_max && other.p_max == e.p_max) continue;
    lost.push_back(std::to_string(ports.at(rate)) + " ports at " + rate_text(BitRate::bps(rate)) +
                   " mark with them instead of k_min " + kb_text(other.k_min) + ", k_max " +
                   kb_text(other.k_max) + ", p_max " + other.p_max);
  }
  if (!lost.empty()) {
    m.note(
        "KMIN_MAP, KMAX_MAP, PMAX_MAP: aifabric has one ECN setting for every switch port; "
        "switch.ecn takes the values for " +
        rate_text(BitRate::bps(chosen)) + " (" + std::to_string(most) + " of " +
        std::to_string(total) + " switch ports), so " + join(lost, "; "));
  }
}

// ---- window --------------------------------------------------------------------------

// ns-3's maxBdp (third.cc): over every pair of hosts, on the breadth-first path between
// them (hosts do not forward), rtt = 2 x propagation delay + one payload's transmission
// per hop, and BDP = rtt x the path's slowest rate; in its integer nanoseconds.
int64_t max_bdp(const TopologyGraph& g, int64_t payload) {
  const size_t n = g.nodes().size();
  uint64_t best = 0;
  for (uint32_t host : g.hosts()) {
    std::vector<int> dist(n, -1);
    std::vector<uint64_t> delay(n), tx(n), bw(n);
    std::deque<uint32_t> q{host};
    dist[host] = 0;
    bw[host] = std::numeric_limits<uint64_t>::max();
    while (!q.empty()) {
      const uint32_t now = q.front();
      q.pop_front();
      for (const Adjacent& a : g.adjacent(now)) {
        const TopoLink& l = g.links()[a.link];
        if (!l.up || dist[a.peer] >= 0) continue;
        const auto rate = static_cast<uint64_t>(l.params.rate.bits_per_second());
        dist[a.peer] = dist[now] + 1;
        delay[a.peer] = delay[now] + static_cast<uint64_t>(l.params.delay.ps() / 1000);
        tx[a.peer] = tx[now] + static_cast<uint64_t>(payload) * 1'000'000'000ULL * 8 / rate;
        bw[a.peer] = std::min(bw[now], rate);
        if (g.nodes()[a.peer].kind == NodeKind::kSwitch) q.push_back(a.peer);
      }
    }
    for (uint32_t other : g.hosts()) {
      if (other == host || dist[other] < 0) continue;
      const uint64_t rtt = delay[other] * 2 + tx[other];
      best = std::max(
          best, static_cast<uint64_t>(static_cast<uint128>(rtt) * bw[other] / 1'000'000'000 / 8));
    }
  }
  return static_cast<int64_t>(best);
}

// ---- congestion control ----------------------------------------------------------------

Status map_dcqcn(Mapper& m);

// The ns-3 CC_MODE values. `map` null: not in aifabric yet (adding one is a mapping
// function and its line here). `keys`: the kCcKeys the mode reads; `ecn_driven`: it
// needs ENABLE_QCN's marks, so ENABLE_QCN 0 leaves it nothing to react to.
struct CcMode {
  int64_t mode;
  std::string_view name;
  Status (*map)(Mapper&);
  bool ecn_driven;
  std::vector<std::string_view> keys;
};

const std::vector<CcMode>& cc_modes() {
  static const std::vector<CcMode> kModes = {
      {1,
       "DCQCN",
       map_dcqcn,
       true,
       {"ALPHA_RESUME_INTERVAL", "RATE_DECREASE_INTERVAL", "CLAMP_TARGET_RATE", "RP_TIMER",
        "EWMA_GAIN", "FAST_RECOVERY_TIMES", "RATE_AI", "RATE_HAI", "MIN_RATE"}},
      {3,
       "HPCC",
       nullptr,
       false,
       {"RATE_AI", "MIN_RATE", "FAST_REACT", "U_TARGET", "MI_THRESH", "INT_MULTI", "MULTI_RATE",
        "SAMPLE_FEEDBACK"}},
      {7, "TIMELY", nullptr, false, {"RATE_AI", "RATE_HAI", "MIN_RATE", "FAST_REACT"}},
      {8, "DCTCP", nullptr, true, {"EWMA_GAIN", "DCTCP_RATE_AI", "MIN_RATE"}},
      {10,
       "HPCC-PINT",
       nullptr,
       false,
       {"RATE_AI", "MIN_RATE", "FAST_REACT", "U_TARGET", "MI_THRESH", "INT_MULTI", "MULTI_RATE",
        "SAMPLE_FEEDBACK", "PINT_LOG_BASE", "PINT_PROB"}},
  };
  return kModes;
}

std::string supported_modes() {
  std::vector<std::string> names;
  for (const CcMode& c : cc_modes()) {
    if (c.map != nullptr)
      names.push_back(std::to_string(c.mode) + " (" + std::string(c.name) + ")");
  }
  return join(names, ", ");
}

Status map_dcqcn(Mapper& m) {
  m.set("cc.algorithm", "dcqcn");
  struct Interval {
    std::string_view key;
    const char* to;
  };
  for (const Interval& i : {Interval{"ALPHA_RESUME_INTERVAL", "cc.alpha_interval"},
                            Interval{"RP_TIMER", "cc.increase_interval"},
                            Interval{"RATE_DECREASE_INTERVAL", "cc.decrease_interval"}}) {
    const Ns3ConfigLine* l = m.take(i.key);
    if (l == nullptr) {
      m.absent(i.key);
      continue;
    }
    auto t = m.micros(*l);
    if (!t) return t.status();
    m.set(i.to, time_text(*t));
    // ns-3 marks every ACK of a marked packet and cuts at most once per interval; the
    // receiver's CNP interval follows it, so cuts come as often as there.
    if (i.key == "RATE_DECREASE_INTERVAL") m.set("cc.cnp_interval", time_text(*t));
  }
  if (const Ns3ConfigLine* l = m.take("EWMA_GAIN")) {
    auto g = m.decimal(*l);
    if (!g) return g.status();
    if (*g < 1e-6 || *g > 1) return m.error(*l, "expected a gain in [1e-6, 1]");
    m.set("cc.g", l->values[0]);
  } else {
    m.absent("EWMA_GAIN");
  }
  if (const Ns3ConfigLine* l = m.take("FAST_RECOVERY_TIMES")) {
    auto f = m.whole(*l);
    if (!f) return f.status();
    if (*f < 1 || *f > 1000) return m.error(*l, "aifabric's dcqcn takes 1 to 1000 steps");
    m.set("cc.fast_recovery_steps", std::to_string(*f));
  } else {
    m.absent("FAST_RECOVERY_TIMES");
  }
  struct Rate {
    std::string_view key;
    const char* to;
  };
  for (const Rate& r : {Rate{"RATE_AI", "cc.rate_ai"}, Rate{"RATE_HAI", "cc.rate_hai"},
                        Rate{"MIN_RATE", "cc.min_rate"}}) {
    const Ns3ConfigLine* l = m.take(r.key);
    if (l == nullptr) {
      m.absent(r.key);
      continue;
    }
    auto v = m.rate(*l);
    if (!v) return v.status();
    m.set(r.to, rate_text(*v));
  }
  m.note(
      "RP_TIMER, FAST_RECOVERY_TIMES, RATE_HAI: ns-3's DCQCN (rdma-hw.cc, Mellanox's "
      "variant) raises the rate on its timer alone and adds RATE_HAI per period after "
      "FAST_RECOVERY_TIMES + 1 periods; aifabric's dcqcn (the paper's) also counts bytes "
      "(cc.byte_counter) and hyper-increases only once timer and byte counter have both "
      "passed F, so it recovers more slowly from deep cuts");
  if (const Ns3ConfigLine* l = m.take("CLAMP_TARGET_RATE")) {
    auto clamp = m.flag(*l);
    if (!clamp) return clamp.status();
    if (!*clamp) {
      m.not_modelled(*l,
                     "ns-3 keeps the target rate at a cut that follows another with no rate "
                     "increase between them; aifabric's dcqcn sets it to the current rate at "
                     "every cut (as CLAMP_TARGET_RATE 1)");
    }
  }
  return Status::ok();
}

// CC_MODE and ENABLE_QCN.
Status map_cc(Mapper& m) {
  const Ns3ConfigLine* mode_line = m.take("CC_MODE");
  int64_t mode = 1;  // third.cc's default
  if (mode_line != nullptr) {
    auto v = m.whole(*mode_line);
    if (!v) return v.status();
    mode = static_cast<int64_t>(std::min<uint64_t>(*v, INT64_MAX));
  }
  const CcMode* cc = nullptr;
  for (const CcMode& c : cc_modes()) {
    if (c.mode == mode) cc = &c;
  }
  auto refuse = [&](const std::string& what) {
    const std::string why = what + "; aifabric supports " + supported_modes();
    if (mode_line != nullptr) return m.error(*mode_line, why);
    return Status::error(m.config().source + ": CC_MODE: " + why);
  };
  if (cc == nullptr) {
    std::vector<std::string> all;
    for (const CcMode& c : cc_modes())
      all.push_back(std::to_string(c.mode) + " " + std::string(c.name));
    return refuse(std::to_string(mode) + " is not an ns-3 mode (" + join(all, ", ") + ")");
  }
  if (cc->map == nullptr) {
    return refuse(std::to_string(mode) + " (" + std::string(cc->name) +
                  ") is not available in aifabric yet");
  }
  bool qcn = true;  // third.cc's default
  if (const Ns3ConfigLine* l = m.take("ENABLE_QCN")) {
    auto v = m.flag(*l);
    if (!v) return v.status();
    qcn = *v;
  }
  m.marks = qcn;
  m.set("switch.ecn.enabled", qcn ? "true" : "false");
  const std::string mode_name =
      "CC_MODE " + std::to_string(mode) + " (" + std::string(cc->name) + ")";
  if (cc->ecn_driven && !qcn) {
    // Nothing marks, so nothing cuts the rate: line rate, as cc none.
    m.set("cc.algorithm", "none");
    for (std::string_view k : cc->keys)
      m.no_effect(k, "ENABLE_QCN 0: " + mode_name + " gets no marks");
  } else if (auto st = cc->map(m); !st) {
    return st;
  }
  for (std::string_view k : kCcKeys) {
    if (std::find(cc->keys.begin(), cc->keys.end(), k) == cc->keys.end()) {
      m.no_effect(k, mode_name + " does not read them");
    }
  }
  return Status::ok();
}

// ---- transport ------------------------------------------------------------------------

Status map_transport(Mapper& m, const Inputs& in, int64_t payload) {
  bool back_to_zero = false;
  if (const Ns3ConfigLine* l = m.take("L2_BACK_TO_ZERO")) {
    auto v = m.flag(*l);
    if (!v) return v.status();
    back_to_zero = *v;
    if (back_to_zero) {
      m.not_modelled(*l,
                     "go_back_n resends from the first missing packet, not from the start of "
                     "its L2_CHUNK_SIZE chunk");
    }
  }
  m.set("transport.recovery", "go_back_n");
  if (const Ns3ConfigLine* l = m.take("L2_ACK_INTERVAL")) {
    auto v = m.whole(*l);
    if (!v) return v.status();
    if (*v == 0) {
      return m.error(*l,
                     "0 makes ns-3 ignore every ACK, so no flow completes; HPCC's configs use 1");
    }
    // rdma-hw.cc re-arms the receiver's milestone at L2_ACK_INTERVAL bytes on every
    // packet: once that many bytes have arrived, every packet is acknowledged.
    m.set("transport.ack_interval", "1");
    if (*v > static_cast<uint64_t>(payload)) {
      m.note("L2_ACK_INTERVAL " + l->values[0] + ": ns-3 acknowledges every packet once " +
             l->values[0] +
             " bytes have arrived (rdma-hw.cc re-arms its ACK milestone at every packet), and "
             "only chunk ends before; aifabric acknowledges every packet "
             "(transport.ack_interval 1)");
    }
  }
  if (const Ns3ConfigLine* l = m.take("L2_CHUNK_SIZE")) {
    auto v = m.whole(*l);
    if (!v) return v.status();
    if (!back_to_zero) {
      m.no_effect("L2_CHUNK_SIZE", "with L2_BACK_TO_ZERO 0 and every packet acknowledged");
    }
  }
  // HAS_WIN, GLOBAL_T, VAR_WIN.
  bool has_win = true;  // third.cc's defaults
  const Ns3ConfigLine* win = m.take("HAS_WIN");
  if (win != nullptr) {
    auto v = m.flag(*win);
    if (!v) return v.status();
    has_win = *v;
  }
  if (!has_win) {
    m.set("transport.window", "0");
    m.no_effect("GLOBAL_T", "HAS_WIN 0: no window");
    m.no_effect("VAR_WIN", "HAS_WIN 0: no window");
  } else {
    m.set("transport.window", std::to_string(max_bdp(in.graph, payload)));
    if (const Ns3ConfigLine* l = m.take("GLOBAL_T")) {
      auto v = m.whole(*l);
      if (!v) return v.status();
      if (*v != 1) {
        m.not_modelled(*l,
                       "every queue pair gets the largest BDP of the fabric as its window "
                       "(transport.window), not the BDP of its own path");
      }
    }
    if (const Ns3ConfigLine* l = m.take("VAR_WIN")) {
      auto v = m.flag(*l);
      if (!v) return v.status();
      if (*v) {
        m.not_modelled(*l,
                       "the window stays at the largest BDP (transport.window) instead of "
                       "shrinking with the sending rate");
      }
    }
  }
  if (const Ns3ConfigLine* l = m.take("RATE_BOUND")) {
    auto v = m.flag(*l);
    if (!v) return v.status();
    if (!*v) {
      m.not_modelled(*l, "aifabric always paces a queue pair at its congestion-control rate");
    }
  }
  // The flows' priorities: ACKs ride the flow's priority in ns-3 (ACK_HIGH_PRIO 0), and
  // its switches pause every priority but 0.
  std::map<int, size_t> prios;
  for (const FlowSpec& f : in.flows) ++prios[f.priority];
  int common = 3;
  size_t most = 0;
  std::vector<std::string> lossless;
  for (const auto& [p, n] : prios) {
    if (n > most) {
      most = n;
      common = p;
    }
    if (p != 0) lossless.push_back(std::to_string(p));
  }
  if (!lossless.empty()) m.set("switch.pfc.priorities", "[" + join(lossless, ", ") + "]");
  if (prios.count(0) != 0) {
    m.note("FLOW_FILE: " + std::to_string(prios[0]) +
           " flows use priority 0, which ns-3 switches serve first and never pause; aifabric "
           "serves 7 first (switch.scheduler strict) and pauses only switch.pfc.priorities");
  }
  bool ack_high = false;  // third.cc's default
  const Ns3ConfigLine* ack = m.take("ACK_HIGH_PRIO");
  if (ack != nullptr) {
    auto v = m.flag(*ack);
    if (!v) return v.status();
    ack_high = *v;
  }
  if (ack_high) {
    m.set("transport.ack_priority", "7");
    m.note(
        "ACK_HIGH_PRIO 1: ACKs, NACKs and CNPs get transport.ack_priority 7, served first "
        "at every hop; ns-3 serves ACKs first only at the NIC, while its switches keep them "
        "in the flow's priority (third.cc never sets SwitchNode::AckHighPrio)");
  } else {
    m.set("transport.ack_priority", std::to_string(common));
    if (prios.size() > 1) {
      m.note(
          "ACK_HIGH_PRIO 0: ns-3 sends each flow's ACKs in the flow's priority; aifabric has "
          "one transport.ack_priority, set to " +
          std::to_string(common) + ", the priority of most flows");
    }
  }
  return Status::ok();
}

// ---- the switches ---------------------------------------------------------------------

Status map_switch(Mapper& m, const Inputs& in) {
  if (const Ns3ConfigLine* l = m.take("BUFFER_SIZE")) {
    auto v = m.whole(*l);
    if (!v) return v.status();
    if (*v == 0 || *v > 1'000'000) return m.error(*l, "expected a buffer of 1 to 1000000 MiB");
    // third.cc: ConfigBufferSize(buffer_size * 1024 * 1024).
    m.set("switch.buffer", std::to_string(*v) + "MiB");
  } else {
    m.absent("BUFFER_SIZE");
  }
  if (const Ns3ConfigLine* l = m.take("USE_DYNAMIC_PFC_THRESHOLD")) {
    auto v = m.flag(*l);
    if (!v) return v.status();
    if (!*v) {
      m.no_effect("USE_DYNAMIC_PFC_THRESHOLD",
                  "the switch MMU's PFC threshold is dynamic whatever it says");
    }
  }
  // switch-mmu.cc: XOFF at free buffer >> pfc_a_shift, the shift 3 (1/8) at the NICs'
  // rate and one less per doubling above it (third.cc).
  m.set("switch.pfc.xoff_alpha", "0.125");
  const TopologyGraph& g = in.graph;
  const int64_t nic =
      g.hosts().empty() ? 0
                        : g.links()[g.adjacent(g.hosts()[0])[0].link].params.rate.bits_per_second();
  std::map<int64_t, int> faster;
  for (const TopoLink& l : g.links()) {
    for (uint32_t end : {l.a, l.b}) {
      if (g.nodes()[end].kind == NodeKind::kSwitch && l.params.rate.bits_per_second() > nic) {
        ++faster[l.params.rate.bits_per_second()];
      }
    }
  }
  if (!faster.empty()) {
    std::vector<std::string> parts;
    for (const auto& [rate, n] : faster) {
      int shift = 3;
      for (int64_t r = rate; r > nic && shift > 0; r /= 2) --shift;
      parts.push_back(std::to_string(n) + " ports at " + rate_text(BitRate::bps(rate)) + ": 1/" +
                      std::to_string(1 << shift));
    }
    m.note(
        "PFC threshold: switch.pfc.xoff_alpha is 1/8 on every switch port; ns-3 raises it "
        "on ports faster than the NICs (" +
        join(parts, ", ") + ")");
  }
  const auto ports = switch_ports_by_rate(g);
  auto ecn = read_ecn_maps(m, ports);
  if (!ecn) return ecn.status();
  if (m.marks) {
    map_ecn(m, *ecn, ports);
  } else {
    for (std::string_view k : {"KMIN_MAP", "KMAX_MAP", "PMAX_MAP"}) {
      m.no_effect(k, "ENABLE_QCN 0: switches do not mark");
    }
  }
  return Status::ok();
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

}  // namespace

std::span<const std::string_view> ns3_config_keys() {
  return key_names();
}

const Ns3ConfigLine* Ns3Config::find(std::string_view key) const {
  for (const Ns3ConfigLine& l : lines) {
    if (l.key == key) return &l;
  }
  return nullptr;
}

Status Ns3Config::error(const Ns3ConfigLine& l, std::string_view why) const {
  return Status::error(source + ":" + std::to_string(l.line) + ": " + l.key + ": " +
                       std::string(why));
}

Result<Ns3Config> read_ns3_config(std::istream& in, const std::string& source) {
  Ns3Config c;
  c.source = source;
  LineReader r(in, source, /*skip_comments=*/true);
  while (r.next()) {
    const auto f = split_blanks(r.line());
    Ns3ConfigLine l;
    l.key = std::string(f[0]);
    l.line = r.line_number();
    for (size_t i = 1; i < f.size(); ++i) l.values.emplace_back(f[i]);
    const KeySpec* spec = spec_of(l.key);
    if (spec == nullptr) {
      return c.error(l, "unknown key (not one the ns-3 RDMA simulator's third.cc reads)");
    }
    if (const Ns3ConfigLine* first = c.find(l.key)) {
      return c.error(l, "given twice (first on line " + std::to_string(first->line) + ")");
    }
    const size_t n = l.values.size();
    switch (spec->arity) {
      case Arity::kOne:
        if (n != 1) return c.error(l, "expected one value, found " + std::to_string(n));
        break;
      case Arity::kThree:
        if (n != 3) {
          return c.error(l, "expected 'time_us node node' (3 values), found " + std::to_string(n));
        }
        break;
      case Arity::kRateMap: {
        const std::string form = "expected 'count rate1 value1 rate2 value2 ...'";
        if (n == 0) return c.error(l, form);
        auto count = parse_uint(l.values[0], "count");
        if (!count) return c.error(l, form + ": " + count.status().message());
        if (*count == 0 || n != 1 + 2 * *count) {
          return c.error(l, form + ": the count " + l.values[0] + " announces " +
                                std::to_string(2 * *count) + " values after it, found " +
                                std::to_string(n - 1));
        }
        break;
      }
    }
    c.lines.push_back(std::move(l));
  }
  return c;
}

Result<Ns3ConfigScenario> map_ns3_config(const Ns3Config& c, const std::string& config_dir,
                                         const Ns3ConfigFiles& given) {
  Ns3ConfigScenario out;
  Mapper m(c, out);
  int64_t payload = 1000;  // third.cc's default
  if (const Ns3ConfigLine* l = m.take("PACKET_PAYLOAD_SIZE")) {
    auto v = m.whole(*l);
    if (!v) return v.status();
    if (*v < 64 || *v > 65536) return m.error(*l, "expected 64 to 65536 bytes (transport.mtu)");
    payload = static_cast<int64_t>(*v);
  }
  auto in = read_inputs(m, config_dir, given, out);
  if (!in) return in.status();
  m.set("transport.mtu", std::to_string(payload));
  if (auto st = map_cc(m); !st) return st;
  if (auto st = map_switch(m, *in); !st) return st;
  if (auto st = map_transport(m, *in, payload); !st) return st;
  if (auto st = map_rest(m); !st) return st;
  m.finish();
  return out;
}

Result<Ns3ConfigScenario> load_ns3_config(const std::string& path, const Ns3ConfigFiles& given) {
  std::ifstream in(path);
  if (!in) return Status::error(path + ": cannot read the file");
  auto c = read_ns3_config(in, path);
  if (!c) return c.status();
  return map_ns3_config(*c, fs::path(path).parent_path().string(), given);
}

}  // namespace aifabric
