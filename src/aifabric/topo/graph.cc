#include "aifabric/topo/graph.h"

#include <deque>

namespace aifabric {

uint32_t TopologyGraph::add_node(NodeKind kind, std::string name, int tier, uint32_t ext_id) {
  const auto id = static_cast<uint32_t>(nodes_.size());
  nodes_.push_back(TopoNode{kind, std::move(name), tier, ext_id});
  adj_.emplace_back();
  if (kind == NodeKind::kHost) {
    host_index_.push_back(static_cast<int64_t>(hosts_.size()));
    hosts_.push_back(id);
  } else {
    host_index_.push_back(-1);
  }
  return id;
}

void TopologyGraph::add_link(uint32_t a, uint32_t b, const LinkParams& params) {
  const auto id = static_cast<uint32_t>(links_.size());
  links_.push_back(TopoLink{a, b, params});
  adj_[a].push_back(Adjacent{id, b});
  adj_[b].push_back(Adjacent{id, a});
}

Status TopologyGraph::validate() const {
  if (hosts_.empty()) return Status::error("the topology has no hosts");
  for (const auto& l : links_) {
    if (l.a == l.b) return Status::error("link from " + nodes_[l.a].name + " to itself");
  }
  for (uint32_t h : hosts_) {
    if (adj_[h].size() != 1) {
      return Status::error("host " + nodes_[h].name + " has " + std::to_string(adj_[h].size()) +
                           " links; each host needs exactly one (one NIC port)");
    }
  }
  if (planes_ == 0 || hosts_.size() % planes_ != 0) {
    return Status::error(std::to_string(hosts_.size()) + " hosts do not split into " +
                         std::to_string(planes_) + " planes");
  }
  // Every host must reach every other of its plane: BFS from the plane's first host
  // through switches only.
  const size_t per_plane = gpus();
  std::vector<char> seen(nodes_.size(), 0);
  for (size_t first = 0; first < hosts_.size(); first += per_plane) {
    const uint32_t root = hosts_[first];
    std::deque<uint32_t> q{root};
    seen[root] = 1;
    while (!q.empty()) {
      const uint32_t u = q.front();
      q.pop_front();
      if (nodes_[u].kind == NodeKind::kHost && u != root) continue;
      for (const auto& a : adj_[u]) {
        if (links_[a.link].up && !seen[a.peer]) {
          seen[a.peer] = 1;
          q.push_back(a.peer);
        }
      }
    }
    for (size_t i = first; i < first + per_plane; ++i) {
      const uint32_t h = hosts_[i];
      if (!seen[h]) {
        return Status::error("host " + nodes_[h].name + " cannot reach host " + nodes_[root].name +
                             " (the topology is disconnected, failed links excluded)");
      }
    }
  }
  return Status::ok();
}

int64_t TopologyGraph::find_link(uint32_t a, uint32_t b) const {
  for (const auto& adj : adj_[a]) {
    if (adj.peer == b) return adj.link;
  }
  return -1;
}

}  // namespace aifabric
