#include "aifabric/lb/flowlet/flowlet.h"

#include <algorithm>

namespace aifabric {

void FlowletParams::visit(ParamVisitor& v) {
  v.param("timeout", timeout,
          "idle gap that ends a flowlet: a flow's next packet after a longer gap may take "
          "another port. Set it above the largest delay difference between the equal-cost "
          "paths (queueing included), else packets arrive out of order; 0 = every packet "
          "chooses anew");
  v.param("table_size", table_size,
          "flowlet table entries per switch; flows hashing to one entry share its port and "
          "idle timer",
          Range{1, 1e6});
  visit_enum(v, "choice", choice, kFlowletChoiceNames,
             "port of a new flowlet: random (LetFlow) or least_queue (fewest bytes queued at "
             "the egress, ties random)");
}

Status FlowletParams::validate() const {
  if (timeout < Time::zero()) return Status::error("timeout must not be negative");
  if (table_size < 1) return Status::error("table_size must be at least 1");
  return Status::ok();
}

Flowlet::Flowlet(const FlowletParams& params, uint64_t seed)
    : timeout_(params.timeout),
      choice_(params.choice),
      seed_(seed),
      rng_(seed ^ hash_name("flowlet")),
      table_(static_cast<size_t>(std::max<int64_t>(params.table_size, 1))) {}

uint16_t Flowlet::pick_port(std::span<const uint16_t> candidates, const EgressView& view) {
  if (choice_ == FlowletChoice::kRandom) return candidates[rng_.below(candidates.size())];
  // Least queue, ties uniformly at random: one pass for the minimum and its multiplicity,
  // a second one only for a tie, to find the drawn one (a single random draw).
  int64_t best = view.queue_bytes(candidates[0]);
  size_t best_index = 0;
  uint64_t ties = 1;
  for (size_t i = 1; i < candidates.size(); ++i) {
    const int64_t q = view.queue_bytes(candidates[i]);
    if (q < best) {
      best = q;
      best_index = i;
      ties = 1;
    } else if (q == best) {
      ++ties;
    }
  }
  if (ties == 1) return candidates[best_index];
  uint64_t k = rng_.below(ties);
  for (uint16_t c : candidates) {
    if (view.queue_bytes(c) == best && k-- == 0) return c;
  }
  return candidates[0];  // not reached
}

uint16_t Flowlet::choose(const Packet& p, std::span<const uint16_t> candidates,
                         const EgressView& view, Time now) {
  ++counters_.packets;
  const uint64_t h = mix64(p.entropy ^ seed_);
  Entry& e = table_[static_cast<size_t>((static_cast<uint128>(h) * table_.size()) >> 64)];
  const auto tag = static_cast<uint32_t>(h);
  bool fresh = !e.valid;
  if (!fresh && now - e.last_seen > timeout_) {
    ++counters_.expired;
    fresh = true;
  }
  if (!fresh && e.tag != tag) ++counters_.collisions;
  if (!fresh && std::find(candidates.begin(), candidates.end(), e.port) == candidates.end()) {
    // Routes changed (a failed link) or a colliding flow to another destination.
    ++counters_.stale;
    fresh = true;
  }
  if (fresh) {
    ++counters_.flowlets;
    e.port = pick_port(candidates, view);
    e.valid = true;
  }
  e.last_seen = now;
  e.tag = tag;
  return e.port;
}

}  // namespace aifabric
