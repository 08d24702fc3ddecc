// Weighted max-min fair sharing of links among flows (the fluid model's solver). A flow
// uses each of its links for a share of its rate (1 on a single path; a sprayed flow
// splits over several); a link's flows may not exceed its capacity. The max-min fair
// allocation gives every flow the largest rate it can have without taking from a flow
// that has less per unit of weight: found by progressive filling (water-filling), links
// kept in a heap by the level at which they saturate.
//
// Incremental: flows come and go between solves; solve() re-solves only the flows
// whose rates can change. It starts from the flows that share a link with a flow added
// or removed (or a link whose capacity changed) and grows that set across every link
// where a re-solved flow's rate moved or that limits the set while a flow left out has
// more there, until neither holds a flow outside the set; flows outside keep their
// rates, and the capacity they use is taken off their links first. The result equals a full
// re-solve (checked against one by max_min_test); its cost grows with the flows and links touched,
// not the fabric. Units are the caller's (the flow engine: payload bytes per picosecond).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace aifabric {

class MaxMinSolver {
 public:
  struct Use {
    uint32_t link = 0;
    double share = 1;  // of the flow's rate carried on this link, in (0, 1]
  };

  uint32_t add_link(double capacity);
  void set_capacity(uint32_t link, double capacity);
  double capacity(uint32_t link) const { return links_[link].capacity; }
  size_t link_count() const { return links_.size(); }

  // A flow on `uses` (distinct links) with `weight` > 0; its rate is 0 until solve().
  // Ids of removed flows are reused.
  uint32_t add_flow(std::span<const Use> uses, double weight = 1);
  void remove_flow(uint32_t flow);
  double rate(uint32_t flow) const { return flows_[flow].rate; }
  std::span<const Use> uses(uint32_t flow) const { return flows_[flow].uses; }
  size_t active_flows() const { return flows_.size() - free_.size(); }

  // Re-solves what the changes since the last call can affect; returns the flows whose
  // rate changed (new flows included), valid until the next call.
  std::span<const uint32_t> solve();
  // Re-solves every flow from scratch (what solve() must agree with).
  void solve_all();

  // Work done so far: flows re-solved and links visited, summed over solves.
  uint64_t flows_solved() const { return flows_solved_; }
  uint64_t links_visited() const { return links_visited_; }

 private:
  struct Member {
    uint32_t flow;
    uint32_t use;  // index into the flow's uses
  };
  struct Link {
    double capacity = 0;
    std::vector<Member> members;
    // Scratch of a solve, valid while `stamp` equals the solve's.
    uint64_t stamp = 0;
    double residual = 0;  // capacity left for the flows being solved
    double weight = 0;    // their summed weight x share not yet frozen
    uint32_t version = 0;
  };
  struct Flow {
    std::vector<Use> uses;
    std::vector<uint32_t> pos;  // per use: its index in the link's members
    double weight = 1;
    double rate = 0;
    double old_rate = 0;
    uint64_t stamp = 0;     // == the solve's: in the set being solved
    uint64_t expanded = 0;  // == the solve's: its links' flows joined the set
    bool frozen = false;
    bool live = false;
  };

  void touch_link(uint32_t link);
  void add_to_set(uint32_t flow);
  void fill();  // progressive filling of set_ over the links it uses

  std::vector<Link> links_;
  std::vector<Flow> flows_;
  std::vector<uint32_t> free_;
  std::vector<uint32_t> dirty_links_;
  std::vector<uint8_t> link_dirty_;
  uint64_t stamp_ = 0;
  std::vector<uint32_t> set_;        // flows being solved
  std::vector<uint32_t> set_links_;  // links they use
  std::vector<uint32_t> changed_;
  std::vector<uint32_t> contested_;  // bottlenecks where a flow left out had more
  uint64_t flows_solved_ = 0;
  uint64_t links_visited_ = 0;
};

}  // namespace aifabric
