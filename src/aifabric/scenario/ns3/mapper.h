// The machinery shared by the translation of an ns-3 RDMA config (config.h): the
// Mapper that walks the config writing overrides and notes, the files it reads, and the
// value formatting every mapping uses. Internal to scenario/ns3/.
#pragma once

#include <cmath>
#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "aifabric/core/line_reader.h"
#include "aifabric/core/parse.h"
#include "aifabric/core/status.h"
#include "aifabric/core/units.h"
#include "aifabric/scenario/ns3/config.h"
#include "aifabric/topo/graph.h"
#include "aifabric/transport/flow_spec.h"

namespace aifabric::ns3cfg {

// Keys only some congestion-control modes read (rdma-hw.cc).
inline constexpr std::string_view kCcKeys[] = {
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
inline constexpr std::string_view kOutputKeys[] = {
    "FCT_OUTPUT_FILE", "PFC_OUTPUT_FILE", "TRACE_FILE",     "TRACE_OUTPUT_FILE",
    "ENABLE_TRACE",    "QLEN_MON_FILE",   "QLEN_MON_START", "QLEN_MON_END",
};

std::string join(const std::vector<std::string>& parts, std::string_view sep);
// Values written in a unit they re-parse to exactly.
std::string time_text(Time t);
std::string rate_text(BitRate r);
std::string kb_text(Bytes b);
// An ns-3 DataRate string: bits ("50Mb/s", "100Mbps", "1Gb/s") or bytes ("1MB/s",
// "1MBps"), decimal prefixes k/K, M, G, T or binary ones Ki, Mi, Gi, Ti.
Result<BitRate> ns3_rate(std::string_view text);

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
  bool hpcc = false;  // CC_MODE 3: HAS_WIN and VAR_WIN set HPCC's own window (cc.window)

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
    if (*v > 1) return error(l, "expected 0 or 1, found " + quote_input(l.values[0]));
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

// The mappings, in the order map_ns3_config runs them. read_inputs (mapper.cc): the
// topology and flow files, the command line's else the config's; map_cc (map_cc.cc):
// CC_MODE and its keys; map_switch (map_switch.cc): buffers, PFC and ECN; map_transport
// (map_transport.cc): window, ACKs, errors and timers; map_rest (mapper.cc): stop time,
// link faults and ns-3's own outputs.
Result<Inputs> read_inputs(Mapper& m, const std::string& config_dir, const Ns3ConfigFiles& given,
                           Ns3ConfigScenario& out);
Status map_cc(Mapper& m, const Inputs& in, int64_t payload);
Status map_switch(Mapper& m, const Inputs& in);
Status map_transport(Mapper& m, const Inputs& in, int64_t payload);
Status map_rest(Mapper& m);
// ns-3's maxRtt (third.cc) in nanoseconds: the largest base RTT between two hosts.
int64_t max_rtt_ns(const TopologyGraph& g, int64_t payload);

}  // namespace aifabric::ns3cfg
