#include "aifabric/engine/analytic/analytic_engine.h"

#include <algorithm>
#include <string>

#include "aifabric/topo/routing.h"
#include "aifabric/transport/ideal_fct.h"

namespace aifabric {
namespace {
// kSent: a transfer's last byte may have left its NIC (arg = id; ignored unless it is
// the transfer's pending event); kDelivered: alpha later, its data arrived (arg = id).
enum Kind : uint32_t { kSent = 1, kDelivered = 2 };
constexpr int128 kPsPerSecond = 1'000'000'000'000LL;
}  // namespace

AlphaBeta alpha_beta(const Network& net, uint32_t src) {
  AlphaBeta ab;
  FlowSpec probe;
  probe.src = src;
  probe.dst = src == 0 ? 1 : 0;
  probe.size = 1;
  ab.net_alpha = net.ideal_fct(probe);
  ab.net_beta = net.hosts()[src]->port().link().rate;
  const double mtu = static_cast<double>(net.config().transport.mtu.count());
  ab.net_efficiency = mtu / (mtu + kRoceHeaderBytes + kL1OverheadBytes + kAckWireBytes);
  return ab;
}

AlphaBeta alpha_beta(const TopologyGraph& g, const TransportConfig& transport, uint32_t src) {
  AlphaBeta ab;
  const uint32_t dst = src == 0 ? 1 : 0;
  const std::vector<LinkParams> path = first_shortest_path(g, src, dst);
  ab.net_alpha = path.empty() ? Time::max() : ideal_fct(path, 1, transport.mtu.count());
  ab.net_beta = g.links()[g.adjacent(g.hosts()[src])[0].link].params.rate;
  const double mtu = static_cast<double>(transport.mtu.count());
  ab.net_efficiency = mtu / (mtu + kRoceHeaderBytes + kL1OverheadBytes + kAckWireBytes);
  return ab;
}

Status check_alpha_beta(const AlphaBeta& ab) {
  if (ab.net_alpha < Time::zero()) return Status::error("alpha-beta: alpha must be >= 0");
  if (!(ab.net_efficiency > 0 && ab.net_efficiency <= 1)) {
    return Status::error("alpha-beta: efficiency must be in (0, 1]");
  }
  if (ab.net_beta.scaled(ab.net_efficiency).bits_per_second() <= 0) {
    return Status::error("alpha-beta: beta must be positive");
  }
  return Status::ok();
}

AnalyticEngine::AnalyticEngine(EngineContext& ctx)
    : AnalyticEngine(ctx.sim, ctx.listener, alpha_beta(ctx.net, ctx.probe_host),
                     ctx.net.hosts().size(), ctx.capacity) {}

AnalyticEngine::AnalyticEngine(Simulator& sim, TransferListener& listener, const AlphaBeta& ab,
                               size_t hosts, size_t capacity)
    : sim_(sim),
      listener_(listener),
      goodput_(ab.net_beta.scaled(ab.net_efficiency)),
      alpha_(ab.net_alpha),
      hosts_(hosts),
      active_(capacity),
      tx_(hosts),
      rx_(hosts) {}

Status AnalyticEngine::start(std::span<const Transfer> transfers) {
  for (const Transfer& t : transfers) {
    if (t.src >= hosts_ || t.dst >= hosts_) {
      return Status::error("transfer " + std::to_string(t.id) + ": host out of range");
    }
  }
  // Join every NIC side first, then re-time each touched side once.
  const Time now = sim_.now();
  for (const Transfer& t : transfers) {
    Active& a = active_[t.id];
    a.src = t.src;
    a.dst = t.dst;
    a.work = static_cast<int128>(t.bytes) * 8 * kPsPerSecond;
    a.since = now;
    a.share = 0;
    a.finish = Time::max();
    a.due = Time::max();
    a.live = true;
    tx_[t.src].push_back(t.id);
    rx_[t.dst].push_back(t.id);
    listener_.transfer_started(t.id);
  }
  for (const Transfer& t : transfers) reshare(t.src, t.dst);
  return Status::ok();
}

void AnalyticEngine::erase(std::vector<uint32_t>& v, uint32_t id) {
  for (size_t i = 0; i < v.size(); ++i) {
    if (v[i] == id) {
      v.erase(v.begin() + static_cast<std::ptrdiff_t>(i));
      return;
    }
  }
}

void AnalyticEngine::reshare(uint32_t tx_host, uint32_t rx_host) {
  for (uint32_t id : tx_[tx_host]) retime(id);
  for (uint32_t id : rx_[rx_host]) {
    if (active_[id].src != tx_host) retime(id);
  }
}

void AnalyticEngine::retime(uint32_t id) {
  Active& a = active_[id];
  const auto share = static_cast<uint32_t>(std::max(tx_[a.src].size(), rx_[a.dst].size()));
  if (share == a.share) return;  // its finish stands
  const Time now = sim_.now();
  const int128 rate = goodput_.bits_per_second();
  // Progress at the old share since the last settlement.
  if (a.share != 0) {
    const int128 done = static_cast<int128>((now - a.since).ps()) * rate / a.share;
    a.work = done >= a.work ? 0 : a.work - done;
  }
  a.since = now;
  a.share = share;
  // Same rounding as BitRate::transmit_time, so an unshared transfer takes exactly it.
  const int128 ps = (a.work * share + rate / 2) / rate;
  a.finish = now + Time::ps(static_cast<int64_t>(ps));
  if (a.finish < a.due) {
    a.due = a.finish;
    sim_.schedule_at(a.due, EventPriority::kTimer, this, kSent, id);
  }
}

void AnalyticEngine::handle_event(uint32_t kind, uint64_t arg) {
  const auto id = static_cast<uint32_t>(arg);
  if (kind == kDelivered) {
    listener_.transfer_done(id, true);
    return;
  }
  Active& a = active_[id];
  const Time now = sim_.now();
  if (!a.live || now != a.due) return;  // stale: a later share moved it earlier
  if (a.finish > now) {                 // moved later since: wait for it
    a.due = a.finish;
    sim_.schedule_at(a.due, EventPriority::kTimer, this, kSent, id);
    return;
  }
  a.live = false;
  a.due = Time::max();
  erase(tx_[a.src], id);
  erase(rx_[a.dst], id);
  reshare(a.src, a.dst);
  sim_.schedule_at(now + alpha_, EventPriority::kTimer, this, kDelivered, id);
}

}  // namespace aifabric
