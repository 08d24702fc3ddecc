#include "aifabric/topo/builders/dragonfly_plus/dragonfly_plus.h"

#include <algorithm>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace aifabric {
namespace {

// Offers the ports of a non-minimal route towards other groups (dragonfly_plus.h).
class DragonflyDetours final : public RoutePolicy {
 public:
  DragonflyDetours(uint32_t hosts, uint32_t leaves_per_group, uint32_t groups,
                   uint32_t spines_per_group)
      : hosts_(hosts), lg_(leaves_per_group), sg_(spines_per_group), groups_(groups) {}

  // Minimal dragonfly routing uses at most one global link. A spine of another group
  // than the destination's whose own global links do not reach that group has shorter
  // (hop-count) paths over two global links; minimal routing instead goes down to a leaf
  // of its own group, which goes up to a spine that has the global link. So: a spine's
  // up global links to the destination group if it has any, else (while some spine of
  // its group still has one) its up leaf ports; otherwise (failures cut every global
  // link of the group to that group) the shortest paths stay.
  void restrict(const TopologyGraph& g, uint32_t node, uint32_t dst,
                std::vector<uint16_t>& ports) const override {
    if (!is_spine(node)) return;
    const uint32_t at = group(node);
    const uint32_t to = group(dst);
    if (at == to) return;
    std::vector<uint16_t> direct;
    std::vector<uint16_t> down;
    const auto& adj = g.adjacent(node);
    for (size_t i = 0; i < adj.size(); ++i) {
      const uint32_t peer = adj[i].peer;
      if (!g.links()[adj[i].link].up || g.nodes()[peer].kind != NodeKind::kSwitch) continue;
      if (!is_spine(peer)) {
        down.push_back(static_cast<uint16_t>(i));
      } else if (group(peer) == to) {
        direct.push_back(static_cast<uint16_t>(i));
      }
    }
    if (!direct.empty()) {
      ports = std::move(direct);
    } else if (!down.empty() && group_reaches(g, at, to)) {
      ports = std::move(down);
    }
  }

  void detours(const TopologyGraph& g, uint32_t node, uint32_t dst,
               const std::vector<uint16_t>& /*minimal*/,
               std::vector<uint16_t>& out) const override {
    const uint32_t at = group(node);
    if (at == group(dst)) return;
    const bool spine = is_spine(node);
    const auto& adj = g.adjacent(node);
    for (size_t i = 0; i < adj.size(); ++i) {
      const uint32_t peer = adj[i].peer;
      if (!g.links()[adj[i].link].up || g.nodes()[peer].kind != NodeKind::kSwitch) continue;
      // A leaf's uplinks; a spine's global links (peer spine of another group).
      const bool take = spine ? is_spine(peer) && group(peer) != at : is_spine(peer);
      if (take) out.push_back(static_cast<uint16_t>(i));
    }
  }

 private:
  // Whether some spine of group `at` has an up global link to group `to`.
  bool group_reaches(const TopologyGraph& g, uint32_t at, uint32_t to) const {
    for (uint32_t s = 0; s < sg_; ++s) {
      const uint32_t spine = hosts_ + groups_ * lg_ + at * sg_ + s;
      for (const auto& a : g.adjacent(spine)) {
        if (g.links()[a.link].up && is_spine(a.peer) && group(a.peer) == to) return true;
      }
    }
    return false;
  }
  bool is_spine(uint32_t node) const { return node >= hosts_ + groups_ * lg_; }
  uint32_t group(uint32_t node) const {
    return is_spine(node) ? (node - hosts_ - groups_ * lg_) / sg_ : (node - hosts_) / lg_;
  }

  uint32_t hosts_, lg_, sg_, groups_;
};

}  // namespace

Status DragonflyPlusConfig::validate() const {
  const auto n = [](int64_t v) { return std::to_string(v); };
  if (groups < 2) return Status::error("groups: needs at least 2 groups, got " + n(groups));
  if (hosts() < 2) return Status::error("hosts_per_leaf: needs at least 2 hosts in all");
  if (hosts() > 10'000'000) return Status::error("groups: more than 10,000,000 hosts");
  if (leaves_per_group + globals_per_spine() > 65535) {
    return Status::error("global_links_per_pair: a spine would need more than 65535 ports (" +
                         n(leaves_per_group) + " leaves + " + n(globals_per_spine()) +
                         " global links)");
  }
  if (hosts_per_leaf + spines_per_group > 65535) {
    return Status::error("hosts_per_leaf: a leaf would need more than 65535 ports");
  }
  return Status::ok();
}

TopologySize dragonfly_plus_size(const DragonflyPlusConfig& c) {
  const auto g = static_cast<uint64_t>(c.groups);
  const auto hosts = static_cast<uint64_t>(c.hosts());
  const auto l = static_cast<uint64_t>(c.leaves_per_group);
  const auto s = static_cast<uint64_t>(c.spines_per_group);
  const auto m = static_cast<uint64_t>(c.global_links_per_pair);
  return {hosts, g * (l + s), hosts + g * l * s + m * g * (g - 1) / 2, g * l};
}

TopologyGraph build_dragonfly_plus(const DragonflyPlusConfig& c) {
  TopologyGraph g;
  const int64_t groups = c.groups;
  const int64_t lg = c.leaves_per_group;
  const int64_t sg = c.spines_per_group;
  const int64_t m = c.global_links_per_pair;
  const std::string sep = "_";
  for (int64_t h = 0; h < c.hosts(); ++h)
    g.add_node(NodeKind::kHost, "host" + std::to_string(h), 0);
  std::vector<uint32_t> leaf;
  std::vector<uint32_t> spine;
  for (int64_t grp = 0; grp < groups; ++grp) {
    for (int64_t l = 0; l < lg; ++l) {
      leaf.push_back(
          g.add_node(NodeKind::kSwitch, "leaf" + std::to_string(grp) + sep + std::to_string(l), 1));
    }
  }
  for (int64_t grp = 0; grp < groups; ++grp) {
    for (int64_t s = 0; s < sg; ++s) {
      spine.push_back(g.add_node(NodeKind::kSwitch,
                                 "spine" + std::to_string(grp) + sep + std::to_string(s), 2));
    }
  }
  for (int64_t h = 0; h < c.hosts(); ++h) {
    g.add_link(g.hosts()[static_cast<size_t>(h)], leaf[static_cast<size_t>(h / c.hosts_per_leaf)],
               c.host_link.link());
  }
  for (int64_t grp = 0; grp < groups; ++grp) {
    for (int64_t l = 0; l < lg; ++l) {
      for (int64_t s = 0; s < sg; ++s) {
        g.add_link(leaf[static_cast<size_t>(grp * lg + l)],
                   spine[static_cast<size_t>(grp * sg + s)], c.local_link.link());
      }
    }
  }
  // Group a's list of global links: peer groups increasing (a skipped), m copies each;
  // entry j ends on spine j mod S. Peer b > a is entry (b - 1) * m + k of a's list, and
  // a is entry a * m + k of b's.
  for (int64_t a = 0; a < groups; ++a) {
    for (int64_t b = a + 1; b < groups; ++b) {
      for (int64_t k = 0; k < m; ++k) {
        const int64_t sa = ((b - 1) * m + k) % sg;
        const int64_t sb = (a * m + k) % sg;
        g.add_link(spine[static_cast<size_t>(a * sg + sa)], spine[static_cast<size_t>(b * sg + sb)],
                   c.global_link.link());
      }
    }
  }
  g.set_route_policy(std::make_shared<DragonflyDetours>(
      static_cast<uint32_t>(c.hosts()), static_cast<uint32_t>(lg), static_cast<uint32_t>(groups),
      static_cast<uint32_t>(sg)));
  return g;
}

}  // namespace aifabric
