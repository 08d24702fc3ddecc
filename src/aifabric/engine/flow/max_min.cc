#include "aifabric/engine/flow/max_min.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <queue>
#include <utility>

namespace aifabric {
namespace {

// A rate moved if it differs by more than rounding: progressive filling subtracts rates
// from residuals in a different order when the set differs, so equal answers can differ
// in the last bits.
bool moved(double before, double after) {
  return std::abs(after - before) > 1e-9 * std::max(std::abs(before), std::abs(after));
}

}  // namespace

uint32_t MaxMinSolver::add_link(double capacity) {
  links_.push_back(Link{});
  links_.back().capacity = std::max(0.0, capacity);
  link_dirty_.push_back(0);
  return static_cast<uint32_t>(links_.size() - 1);
}

void MaxMinSolver::set_capacity(uint32_t link, double capacity) {
  links_[link].capacity = std::max(0.0, capacity);
  touch_link(link);
}

void MaxMinSolver::touch_link(uint32_t link) {
  if (link_dirty_[link] != 0) return;
  link_dirty_[link] = 1;
  dirty_links_.push_back(link);
}

uint32_t MaxMinSolver::add_flow(std::span<const Use> uses, double weight) {
  uint32_t id = 0;
  if (!free_.empty()) {
    id = free_.back();
    free_.pop_back();
  } else {
    id = static_cast<uint32_t>(flows_.size());
    flows_.emplace_back();
  }
  Flow& f = flows_[id];
  f.uses.assign(uses.begin(), uses.end());
  f.pos.resize(uses.size());
  f.weight = weight;
  f.rate = 0;
  f.old_rate = 0;
  f.stamp = 0;
  f.live = true;
  for (size_t i = 0; i < f.uses.size(); ++i) {
    Link& l = links_[f.uses[i].link];
    f.pos[i] = static_cast<uint32_t>(l.members.size());
    l.members.push_back(Member{id, static_cast<uint32_t>(i)});
    touch_link(f.uses[i].link);
  }
  return id;
}

void MaxMinSolver::remove_flow(uint32_t flow) {
  Flow& f = flows_[flow];
  for (size_t i = 0; i < f.uses.size(); ++i) {
    Link& l = links_[f.uses[i].link];
    const Member last = l.members.back();
    l.members[f.pos[i]] = last;
    flows_[last.flow].pos[last.use] = f.pos[i];
    l.members.pop_back();
    touch_link(f.uses[i].link);
  }
  f.uses.clear();
  f.pos.clear();
  f.rate = 0;
  f.live = false;
  free_.push_back(flow);
}

void MaxMinSolver::add_to_set(uint32_t flow) {
  Flow& f = flows_[flow];
  if (f.stamp == stamp_) return;
  f.stamp = stamp_;
  f.old_rate = f.rate;
  set_.push_back(flow);
  for (const Use& u : f.uses) {
    Link& l = links_[u.link];
    if (l.stamp != stamp_) {
      l.stamp = stamp_;
      set_links_.push_back(u.link);
    }
  }
}

void MaxMinSolver::fill() {
  flows_solved_ += set_.size();
  // Residual capacity and open weight of every link the set uses; flows outside keep
  // their rates.
  for (uint32_t id : set_links_) {
    Link& l = links_[id];
    l.residual = l.capacity;
    l.weight = 0;
    ++l.version;
    links_visited_ += l.members.size();
    for (const Member& m : l.members) {
      const Flow& f = flows_[m.flow];
      const double share = f.uses[m.use].share;
      if (f.stamp == stamp_) {
        l.weight += f.weight * share;
      } else {
        l.residual -= f.rate * share;
      }
    }
    l.residual = std::max(0.0, l.residual);
  }
  for (uint32_t id : set_) flows_[id].frozen = false;
  // Links by the level (rate per unit of weight) at which they saturate; an entry whose
  // version is old was superseded.
  using Entry = std::pair<double, uint64_t>;
  std::priority_queue<Entry, std::vector<Entry>, std::greater<>> heap;
  auto key = [](uint32_t link, uint32_t version) {
    return (static_cast<uint64_t>(link) << 32) | version;
  };
  for (uint32_t id : set_links_) {
    const Link& l = links_[id];
    if (l.weight > 0) heap.emplace(l.residual / l.weight, key(id, l.version));
  }
  size_t open = set_.size();
  while (!heap.empty() && open > 0) {
    const auto [level, k] = heap.top();
    heap.pop();
    const auto id = static_cast<uint32_t>(k >> 32);
    Link& bottleneck = links_[id];
    if (static_cast<uint32_t>(k) != bottleneck.version) continue;
    ++bottleneck.version;
    bool contested = false;
    for (const Member& m : bottleneck.members) {
      Flow& f = flows_[m.flow];
      if (f.stamp != stamp_) {
        // A flow left out has more per unit of weight on a link that now limits the
        // set: fair sharing would take from it, so it must be solved too.
        contested |= f.rate > f.weight * level * (1 + 1e-9);
        continue;
      }
      if (f.frozen) continue;
      f.frozen = true;
      --open;
      f.rate = f.weight * level;
      for (const Use& u : f.uses) {
        Link& l = links_[u.link];
        l.residual = std::max(0.0, l.residual - f.rate * u.share);
        l.weight -= f.weight * u.share;
        if (u.link == id) continue;
        ++l.version;
        // Any flow of the set still open on the link keeps it in the heap.
        if (l.weight > 1e-12 * f.weight) {
          heap.emplace(std::max(level, l.residual / l.weight), key(u.link, l.version));
        }
      }
    }
    if (contested) contested_.push_back(id);
  }
  // A flow left open had links only of zero open weight after rounding: it takes its
  // tightest remaining level.
  if (open > 0) {
    for (uint32_t id : set_) {
      Flow& f = flows_[id];
      if (f.frozen) continue;
      double level = -1;
      for (const Use& u : f.uses) {
        const Link& l = links_[u.link];
        const double lv = l.residual / (f.weight * u.share);
        level = level < 0 ? lv : std::min(level, lv);
      }
      f.rate = std::max(0.0, level) * f.weight;
      f.frozen = true;
    }
  }
}

std::span<const uint32_t> MaxMinSolver::solve() {
  changed_.clear();
  if (dirty_links_.empty()) return changed_;
  ++stamp_;
  set_.clear();
  set_links_.clear();
  for (uint32_t l : dirty_links_) {
    link_dirty_[l] = 0;
    for (const Member& m : links_[l].members) add_to_set(m.flow);
  }
  dirty_links_.clear();
  while (true) {
    fill();
    const size_t before = set_.size();
    // Grow across links where a solved flow's rate moved (flows there that were left
    // out may now be wrongly placed; a flow's links are scanned once per solve) and
    // across the contested bottlenecks.
    for (size_t i = 0; i < before; ++i) {
      Flow& f = flows_[set_[i]];
      if (f.expanded == stamp_ || !moved(f.old_rate, f.rate)) continue;
      f.expanded = stamp_;
      for (const Use& u : f.uses) {
        for (const Member& m : links_[u.link].members) add_to_set(m.flow);
      }
    }
    for (uint32_t l : contested_) {
      for (const Member& m : links_[l].members) add_to_set(m.flow);
    }
    contested_.clear();
    if (set_.size() == before) break;
  }
  for (uint32_t id : set_) {
    if (moved(flows_[id].old_rate, flows_[id].rate)) changed_.push_back(id);
  }
  return changed_;
}

void MaxMinSolver::solve_all() {
  for (uint32_t l = 0; l < links_.size(); ++l) touch_link(l);
  solve();
}

}  // namespace aifabric
