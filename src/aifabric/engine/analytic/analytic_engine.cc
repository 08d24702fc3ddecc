#include "aifabric/engine/analytic/analytic_engine.h"

#include <string>

#include "aifabric/topo/routing.h"
#include "aifabric/transport/ideal_fct.h"

namespace aifabric {
namespace {
// Dispatch runs after every event of its instant (finishes are timers) and after the
// executor's dispatch (application kind 0), so that all the instant's frees and new
// transfers compete together.
enum Kind : uint32_t { kDispatch = 1, kFinish = 2 };
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
      nics_(2 * hosts, capacity) {}

Status AnalyticEngine::start(std::span<const Transfer> transfers) {
  for (const Transfer& t : transfers) {
    if (t.src >= hosts_ || t.dst >= hosts_) {
      return Status::error("transfer " + std::to_string(t.id) + ": host out of range");
    }
    nics_.enqueue(t.id, next_seq_++, 2 * t.src, 2 * t.dst + 1,
                  alpha_ + goodput_.transmit_time(t.bytes));
  }
  request_dispatch();
  return Status::ok();
}

void AnalyticEngine::request_dispatch() {
  if (dispatch_at_ == sim_.now()) return;
  dispatch_at_ = sim_.now();
  sim_.schedule_at(sim_.now(), EventPriority::kApplication, this, kDispatch);
}

void AnalyticEngine::handle_event(uint32_t kind, uint64_t arg) {
  if (kind == kFinish) {
    const auto id = static_cast<uint32_t>(arg);
    nics_.freed(id);
    request_dispatch();
    listener_.transfer_done(id, true);
    return;
  }
  dispatch_at_ = Time::max();
  nics_.dispatch(sim_.now(), [this](uint32_t job, Time end) {
    listener_.transfer_started(job);
    sim_.schedule_at(end, EventPriority::kTimer, this, kFinish, job);
  });
}

}  // namespace aifabric
