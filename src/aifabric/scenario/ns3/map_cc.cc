// Congestion control of an ns-3 config: CC_MODE and the keys each mode reads
// (rdma-hw.cc), into cc.* overrides.
#include <algorithm>
#include <cmath>
#include <optional>
#include <string>
#include <vector>

#include "aifabric/scenario/ns3/mapper.h"

namespace aifabric::ns3cfg {
namespace {

// ---- congestion control ----------------------------------------------------------------

Status map_dcqcn(Mapper& m, const Inputs& in, int64_t payload);
Status map_hpcc(Mapper& m, const Inputs& in, int64_t payload);
Status map_dctcp(Mapper& m, const Inputs& in, int64_t payload);
Status map_timely(Mapper& m, const Inputs& in, int64_t payload);

// The ns-3 CC_MODE values. `map` null: not in aifabric yet (adding one is a mapping
// function and its line here). `keys`: the kCcKeys the mode reads; `ecn_driven`: it
// needs ENABLE_QCN's marks, so ENABLE_QCN 0 leaves it nothing to react to.
struct CcMode {
  int64_t mode;
  std::string_view name;
  Status (*map)(Mapper&, const Inputs&, int64_t payload);
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
       map_hpcc,
       false,
       {"RATE_AI", "MIN_RATE", "FAST_REACT", "U_TARGET", "MI_THRESH", "INT_MULTI", "MULTI_RATE",
        "SAMPLE_FEEDBACK"}},
      {7, "TIMELY", map_timely, false, {"RATE_AI", "RATE_HAI", "MIN_RATE", "FAST_REACT"}},
      {8, "DCTCP", map_dctcp, true, {"EWMA_GAIN", "DCTCP_RATE_AI", "MIN_RATE"}},
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

// A rate key onto a cc key: the rate, or none when the config leaves it out (noted).
Result<std::optional<BitRate>> map_rate(Mapper& m, std::string_view key, const char* to) {
  const Ns3ConfigLine* l = m.take(key);
  if (l == nullptr) {
    m.absent(key);
    return std::optional<BitRate>();
  }
  auto v = m.rate(*l);
  if (!v) return v.status();
  m.set(to, rate_text(*v));
  return std::optional<BitRate>(*v);
}

// EWMA_GAIN onto cc.g (DCQCN's alpha gain, DCTCP's g).
Status map_gain(Mapper& m) {
  const Ns3ConfigLine* l = m.take("EWMA_GAIN");
  if (l == nullptr) {
    m.absent("EWMA_GAIN");
    return Status::ok();
  }
  auto g = m.decimal(*l);
  if (!g) return g.status();
  if (*g < 1e-6 || *g > 1) return m.error(*l, "expected a gain in [1e-6, 1]");
  m.set("cc.g", l->values[0]);
  return Status::ok();
}

Status map_dcqcn(Mapper& m, const Inputs& /*in*/, int64_t /*payload*/) {
  m.set("cc.algorithm", "dcqcn");
  // rdma-hw.cc's DCQCN (its "mlx" reaction point) is aifabric's deployed one: alpha set
  // at the first CNP and stepped per ALPHA_RESUME_INTERVAL, cuts on a grid of
  // RATE_DECREASE_INTERVAL, increases on RP_TIMER stages alone, the CNP as a flag on the
  // ACK. Written out, so the run does not depend on aifabric's defaults.
  m.set("cc.alpha_start", "first_cnp");
  m.set("cc.alpha_update", "timer");
  m.set("cc.decrease", "check");
  m.set("cc.byte_counter", "0");
  m.set("cc.cnp", "ack");
  m.set("cc.clamp_after_increase", "true");
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
  }
  if (Status st = map_gain(m); !st) return st;
  if (const Ns3ConfigLine* l = m.take("FAST_RECOVERY_TIMES")) {
    auto f = m.whole(*l);
    if (!f) return f.status();
    if (*f < 1 || *f > 1000) return m.error(*l, "aifabric's dcqcn takes 1 to 1000 steps");
    m.set("cc.fast_recovery_steps", std::to_string(*f));
  } else {
    m.absent("FAST_RECOVERY_TIMES");
  }
  if (auto r = map_rate(m, "RATE_AI", "cc.rate_ai"); !r) return r.status();
  if (auto r = map_rate(m, "RATE_HAI", "cc.rate_hai"); !r) return r.status();
  if (auto r = map_rate(m, "MIN_RATE", "cc.min_rate"); !r) return r.status();
  if (const Ns3ConfigLine* l = m.take("CLAMP_TARGET_RATE")) {
    auto clamp = m.flag(*l);
    if (!clamp) return clamp.status();
    m.set("cc.clamp_target_rate", *clamp ? "true" : "false");
  } else {
    m.absent("CLAMP_TARGET_RATE");
  }
  return Status::ok();
}

// rdma-hw.cc's TIMELY: one rate update per RTT (as aifabric's segment 0), alpha 0.875,
// beta 0.8, T_low 50 us, T_high 500 us and a fixed 20 us MinRtt (its attribute defaults,
// which third.cc leaves), RATE_AI per update and RATE_HAI after 5 updates in a row.
Status map_timely(Mapper& m, const Inputs& /*in*/, int64_t /*payload*/) {
  m.set("cc.algorithm", "timely");
  m.set("cc.segment", "0");
  m.set("cc.min_rtt", "20us");
  m.set("cc.hai_threshold", "5");
  auto ai = map_rate(m, "RATE_AI", "cc.delta");
  if (!ai) return ai.status();
  if (auto r = map_rate(m, "MIN_RATE", "cc.min_rate"); !r) return r.status();
  if (const Ns3ConfigLine* l = m.take("RATE_HAI")) {
    auto v = m.rate(*l);
    if (!v) return v.status();
    // aifabric's hyperactive step is hai_threshold x delta; run.py's HAI is 5 x AI.
    if (!*ai || v->bits_per_second() != 5 * (*ai)->bits_per_second()) {
      m.not_modelled(*l,
                     "aifabric's Timely adds 5 x RATE_AI in hyperactive increase, ns-3 "
                     "adds RATE_HAI; they agree when RATE_HAI = 5 x RATE_AI (run.py)");
    }
  }
  m.no_effect("FAST_REACT", "ns-3's FastReactTimely does nothing");
  return Status::ok();
}

// rdma-hw.cc's DCTCP: alpha per round trip of ACKs from the marked fraction (EWMA_GAIN),
// a cut by alpha/2 after a marked round trip, DCTCP_RATE_AI per unmarked one, as
// aifabric's dctcp.
Status map_dctcp(Mapper& m, const Inputs& /*in*/, int64_t /*payload*/) {
  m.set("cc.algorithm", "dctcp");
  if (Status st = map_gain(m); !st) return st;
  if (auto r = map_rate(m, "DCTCP_RATE_AI", "cc.rate_ai"); !r) return r.status();
  if (auto r = map_rate(m, "MIN_RATE", "cc.min_rate"); !r) return r.status();
  return Status::ok();
}

// HPCC (rdma-hw.cc UpdateRateHp): ns-3 works on rates, R = R_c / (U / U_TARGET) +
// RATE_AI, which is the paper's W = W_c / (U / eta) + W_AI divided by T; so W_AI =
// RATE_AI x T, with T the base RTT every queue pair is given (GLOBAL_T 1: maxRtt).
Status map_hpcc(Mapper& m, const Inputs& in, int64_t payload) {
  m.set("cc.algorithm", "hpcc");
  m.hpcc = true;
  const int64_t rtt_ns = std::max<int64_t>(max_rtt_ns(in.graph, payload), 1);
  m.set("cc.base_rtt", std::to_string(rtt_ns) + "ns");
  if (const Ns3ConfigLine* l = m.take("U_TARGET")) {
    auto u = m.decimal(*l);
    if (!u) return u.status();
    if (*u < 0.01 || *u > 1) return m.error(*l, "expected a target utilisation in [0.01, 1]");
    m.set("cc.eta", l->values[0]);
  } else {
    m.absent("U_TARGET");
  }
  if (const Ns3ConfigLine* l = m.take("MI_THRESH")) {
    auto v = m.whole(*l);
    if (!v) return v.status();
    if (*v > 1000) return m.error(*l, "aifabric's hpcc takes 0 to 1000 stages");
    m.set("cc.max_stage", std::to_string(*v));
  } else {
    m.absent("MI_THRESH");
  }
  if (const Ns3ConfigLine* l = m.take("RATE_AI")) {
    auto v = m.rate(*l);
    if (!v) return v.status();
    const auto bytes = static_cast<int64_t>(std::llround(static_cast<double>(v->bits_per_second()) /
                                                         8 * static_cast<double>(rtt_ns) * 1e-9));
    m.set("cc.w_ai", std::to_string(std::max<int64_t>(bytes, 1)));
  } else {
    m.absent("RATE_AI");
  }
  if (const Ns3ConfigLine* l = m.take("MIN_RATE")) {
    auto v = m.rate(*l);
    if (!v) return v.status();
    m.set("cc.min_rate", rate_text(*v));
  } else {
    m.absent("MIN_RATE");
  }
  if (const Ns3ConfigLine* l = m.take("FAST_REACT")) {
    auto v = m.flag(*l);
    if (!v) return v.status();
    m.set("cc.fast_react", *v ? "true" : "false");
  }
  m.no_effect("INT_MULTI",
              "aifabric's INT keeps exact byte counts and queue lengths (ns-3 encodes them in "
              "units scaled by INT_MULTI)");
  bool multi_rate = true;  // third.cc's default
  const Ns3ConfigLine* mr = m.take("MULTI_RATE");
  if (mr != nullptr) {
    auto v = m.flag(*mr);
    if (!v) return v.status();
    multi_rate = *v;
  }
  if (multi_rate) {
    const std::string why =
        "ns-3 keeps a reference rate and utilisation per hop and sends at the smallest; "
        "aifabric's hpcc keeps one reference window over the most loaded hop (the paper's "
        "Algorithm 1, as MULTI_RATE 0)";
    if (mr != nullptr) {
      m.not_modelled(*mr, why);
    } else {
      m.note("MULTI_RATE (third.cc's default 1): not modelled: " + why);
    }
  }
  if (const Ns3ConfigLine* l = m.take("SAMPLE_FEEDBACK")) {
    auto v = m.flag(*l);
    if (!v) return v.status();
    if (*v) {
      m.not_modelled(*l,
                     "ns-3 then skips hops with an empty queue when it reacts between "
                     "reference updates; aifabric's hpcc uses every hop");
    }
  }
  m.note(
      "HPCC: ns-3 paces at the per-ACK rate but sizes its window (VAR_WIN) from the "
      "reference rate; aifabric's hpcc (the paper's) uses W for both the window and the "
      "rate W / T");
  return Status::ok();
}

}  // namespace

// CC_MODE and ENABLE_QCN.
Status map_cc(Mapper& m, const Inputs& in, int64_t payload) {
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
  } else if (auto st = cc->map(m, in, payload); !st) {
    return st;
  }
  for (std::string_view k : kCcKeys) {
    if (std::find(cc->keys.begin(), cc->keys.end(), k) == cc->keys.end()) {
      m.no_effect(k, mode_name + " does not read them");
    }
  }
  return Status::ok();
}

}  // namespace aifabric::ns3cfg
