// Congestion control of an ns-3 config: CC_MODE and the keys each mode reads
// (rdma-hw.cc), into cc.* overrides.
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "aifabric/scenario/ns3/mapper.h"

namespace aifabric::ns3cfg {
namespace {

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
  if (const Ns3ConfigLine* l = m.take("CLAMP_TARGET_RATE")) {
    auto clamp = m.flag(*l);
    if (!clamp) return clamp.status();
    m.set("cc.clamp_target_rate", *clamp ? "true" : "false");
  } else {
    m.absent("CLAMP_TARGET_RATE");
  }
  return Status::ok();
}

}  // namespace

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

}  // namespace aifabric::ns3cfg
