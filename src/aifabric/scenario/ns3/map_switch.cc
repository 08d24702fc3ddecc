// The switches of an ns-3 config: buffer, PFC thresholds and the per-rate ECN maps.
#include <map>
#include <string>
#include <vector>

#include "aifabric/scenario/ns3/mapper.h"

namespace aifabric::ns3cfg {
namespace {

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

// Every switch link rate gets its own thresholds (switch.ecn.by_rate), as ns-3 marks;
// the rate most switch ports run at (ties: the lower) also sets switch.ecn's own
// values, which only a port at a rate the maps do not name would use.
void map_ecn(Mapper& m, const EcnByRate& ecn, const std::map<int64_t, int>& ports) {
  if (ecn.empty()) return;
  int64_t chosen = 0;
  int most = -1;
  for (const auto& [rate, n] : ports) {
    if (n > most) {
      most = n;
      chosen = rate;
    }
  }
  const EcnAtRate& e = ecn.at(chosen);
  m.set("switch.ecn.k_min", kb_text(e.k_min));
  m.set("switch.ecn.k_max", kb_text(e.k_max));
  m.set("switch.ecn.p_max", e.p_max);
  std::vector<std::string> rules;
  for (const auto& [rate, at] : ecn) {
    if (ports.count(rate) == 0) continue;  // no switch port at this rate
    rules.push_back("{rate: " + rate_text(BitRate::bps(rate)) + ", k_min: " + kb_text(at.k_min) +
                    ", k_max: " + kb_text(at.k_max) + ", p_max: " + at.p_max + "}");
  }
  m.set("switch.ecn.by_rate", "[" + join(rules, ", ") + "]");
}

}  // namespace

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

}  // namespace aifabric::ns3cfg
