#include "aifabric/engine/packet/parallel_model.h"

#include <algorithm>
#include <cmath>
#include <deque>
#include <limits>
#include <numeric>

#include "aifabric/fabric/network.h"

namespace aifabric {

const char* placement_name(Placement p) {
  return p == Placement::kBlocks ? "blocks" : "strided";
}

Partitioning partition_fabric(const TopologyGraph& g, int parts, Placement placement) {
  Partitioning out;
  out.placement = placement;
  const size_t most =
      std::min<size_t>(std::max<size_t>(g.hosts().size(), 1), std::numeric_limits<uint16_t>::max());
  out.parts =
      static_cast<int>(std::clamp<size_t>(static_cast<size_t>(std::max(parts, 1)), 1, most));
  const size_t n = g.nodes().size();
  constexpr auto kUnplaced = std::numeric_limits<uint16_t>::max();
  out.part_of_node.assign(n, kUnplaced);
  const auto& hosts = g.hosts();
  const auto p = static_cast<uint64_t>(out.parts);
  for (size_t i = 0; i < hosts.size(); ++i) {
    out.part_of_node[hosts[i]] =
        static_cast<uint16_t>(placement == Placement::kBlocks ? i * p / hosts.size() : i % p);
  }
  // Switches nearest the hosts first (breadth-first distance, then id).
  std::vector<uint32_t> dist(n, std::numeric_limits<uint32_t>::max());
  std::deque<uint32_t> frontier;
  for (uint32_t h : hosts) {
    dist[h] = 0;
    frontier.push_back(h);
  }
  while (!frontier.empty()) {
    const uint32_t v = frontier.front();
    frontier.pop_front();
    for (const Adjacent& a : g.adjacent(v)) {
      if (dist[a.peer] != std::numeric_limits<uint32_t>::max()) continue;
      dist[a.peer] = dist[v] + 1;
      frontier.push_back(a.peer);
    }
  }
  std::vector<uint32_t> order;
  for (uint32_t v = 0; v < n; ++v) {
    if (out.part_of_node[v] == kUnplaced) order.push_back(v);
  }
  std::stable_sort(order.begin(), order.end(),
                   [&](uint32_t a, uint32_t b) { return dist[a] < dist[b]; });
  std::vector<uint64_t> ports(p, 0), tally(p, 0);
  for (uint32_t v : order) {
    std::fill(tally.begin(), tally.end(), 0);
    for (const Adjacent& a : g.adjacent(v)) {
      if (out.part_of_node[a.peer] != kUnplaced) ++tally[out.part_of_node[a.peer]];
    }
    size_t best = 0;
    for (size_t q = 1; q < p; ++q) {
      if (tally[q] > tally[best] || (tally[q] == tally[best] && ports[q] < ports[best])) best = q;
    }
    out.part_of_node[v] = static_cast<uint16_t>(best);
    ports[best] += g.adjacent(v).size();
  }
  for (uint32_t l = 0; l < g.links().size(); ++l) {
    const TopoLink& link = g.links()[l];
    if (out.part_of_node[link.a] == out.part_of_node[link.b]) continue;
    out.cut_links.push_back(l);
    out.lookahead = std::min(out.lookahead, link.params.delay);
  }
  return out;
}

ParallelModel::ParallelModel(const TopologyGraph& g, std::span<const int> parts) {
  for (int p : parts) {
    for (Placement pl : {Placement::kBlocks, Placement::kStrided}) {
      if (p <= 1 && pl == Placement::kStrided) continue;  // one partition: one placement
      Partitioning part = partition_fabric(g, p, pl);
      const int64_t lookahead = part.lookahead == Time::max() ? 0 : part.lookahead.ps();
      stats_.emplace_back(part.part_of_node, part.parts, lookahead);
      partitions_.push_back(std::move(part));
    }
  }
}

ParallelModel::~ParallelModel() {
  detach();
}

void ParallelModel::attach(Simulator& sim) {
  sim_ = &sim;
  sim.set_window_stats(&stats_);
}

void ParallelModel::detach() {
  if (sim_ != nullptr) sim_->set_window_stats(nullptr);
  sim_ = nullptr;
}

std::vector<ParallelEstimate> ParallelModel::estimates(const Network& net, double wall_seconds,
                                                       double barrier_seconds) {
  detach();
  if (!finished_) {
    for (WindowStats& w : stats_) w.finish();
    finished_ = true;
  }
  const TopologyGraph& g = net.graph();
  std::vector<ParallelEstimate> out;
  for (size_t i = 0; i < stats_.size(); ++i) {
    const WindowStats& w = stats_[i];
    const Partitioning& part = partitions_[i];
    ParallelEstimate e;
    e.parts = part.parts;
    e.placement = part.placement;
    e.lookahead = part.lookahead;
    e.cut_links = part.cut_links.size();
    e.windows = w.windows();
    e.events = w.events();
    e.critical_events = w.critical_events();
    e.serial_events = w.serial_events();
    e.early_starts = w.early_starts();
    const auto& per = w.partition_events();
    const uint64_t sum = std::accumulate(per.begin(), per.end(), uint64_t{0});
    const uint64_t most = per.empty() ? 0 : *std::max_element(per.begin(), per.end());
    e.imbalance = sum == 0 ? 1.0
                           : static_cast<double>(most) * static_cast<double>(per.size()) /
                                 static_cast<double>(sum);
    // Frames that crossed: what both ends of every cut link transmitted onto it.
    for (uint32_t l : part.cut_links) {
      const TopoLink& link = g.links()[l];
      for (uint32_t end : {link.a, link.b}) {
        const PortCounters& c = net.port(end, g.port_of(end, l)).counters();
        e.messages += c.deliveries + c.pause_tx + c.credit_tx + c.notices_tx;
      }
    }
    e.ideal_speedup = w.ideal_speedup();
    const double t_event = e.events == 0 ? 0 : wall_seconds / static_cast<double>(e.events);
    const double barrier = part.parts <= 1 ? 0 : barrier_seconds * std::log2(part.parts);
    e.projected_seconds = part.parts <= 1
                              ? wall_seconds
                              : t_event * (static_cast<double>(e.critical_events) +
                                           static_cast<double>(e.messages) / part.parts) +
                                    static_cast<double>(e.windows) * barrier;
    e.projected_speedup = e.projected_seconds > 0 ? wall_seconds / e.projected_seconds : 1.0;
    out.push_back(e);
  }
  return out;
}

}  // namespace aifabric
