// The transport of an ns-3 config: the window (ns-3's maxBdp), ACKs, link errors and
// timers.
#include <algorithm>
#include <cmath>
#include <deque>
#include <limits>
#include <string>
#include <vector>

#include "aifabric/scenario/ns3/mapper.h"

namespace aifabric::ns3cfg {
namespace {

// ---- window --------------------------------------------------------------------------

// Over every pair of hosts, on the breadth-first path between them (hosts do not
// forward), as third.cc does: rtt = 2 x propagation delay + one payload's transmission
// per hop, in its integer nanoseconds; `f(rtt_ns, slowest rate in bps)` per pair.
template <class F>
void for_each_host_pair_rtt(const TopologyGraph& g, int64_t payload, F&& f) {
  const size_t n = g.nodes().size();
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
      f(delay[other] * 2 + tx[other], bw[other]);
    }
  }
}

// ns-3's maxBdp (third.cc): the largest rtt x slowest rate of a pair.
int64_t max_bdp(const TopologyGraph& g, int64_t payload) {
  uint64_t best = 0;
  for_each_host_pair_rtt(g, payload, [&best](uint64_t rtt, uint64_t bw) {
    best =
        std::max(best, static_cast<uint64_t>(static_cast<uint128>(rtt) * bw / 1'000'000'000 / 8));
  });
  return static_cast<int64_t>(best);
}

}  // namespace

int64_t max_rtt_ns(const TopologyGraph& g, int64_t payload) {
  uint64_t best = 0;
  for_each_host_pair_rtt(g, payload,
                         [&best](uint64_t rtt, uint64_t /*bw*/) { best = std::max(best, rtt); });
  return static_cast<int64_t>(best);
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
    if (m.hpcc) m.set("cc.window", "false");
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
    // third.cc's VAR_WIN default is 0: HPCC then keeps only the fixed window.
    if (m.hpcc && m.config().find("VAR_WIN") == nullptr) m.set("cc.window", "false");
    if (const Ns3ConfigLine* l = m.take("VAR_WIN")) {
      auto v = m.flag(*l);
      if (!v) return v.status();
      if (m.hpcc) {
        // HPCC's window W (cc.window) is what VAR_WIN 1 shrinks with the rate; VAR_WIN
        // 0 keeps only the fixed BDP window.
        m.set("cc.window", *v ? "true" : "false");
      } else if (*v) {
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

}  // namespace aifabric::ns3cfg
