// The plain topology graph every builder produces and every consumer (device wiring,
// routing, planners, path controllers) reads: nodes are hosts or switches, links are
// full-duplex with a rate, a propagation delay and an error rate. A node's ports are
// numbered in the order its links were added.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "aifabric/core/params.h"
#include "aifabric/core/status.h"
#include "aifabric/net/link.h"

namespace aifabric {

enum class NodeKind { kHost, kSwitch };

struct TopoNode {
  NodeKind kind;
  std::string name;
  int tier;         // 0 = host, 1 = leaf/edge, 2 = spine/aggregation, 3 = core
  uint32_t ext_id;  // the node's number in an imported file (ns-3), else its index
};

struct TopoLink {
  uint32_t a, b;
  LinkParams params;
  bool up = true;  // a failed link is wired but carries nothing: routing avoids it
};

struct Adjacent {
  uint32_t link;
  uint32_t peer;
};

// Which hosts (GPUs) share a server's NVLink domain, when the topology file says so
// (SimAI's NVSwitches): workloads that take their cluster map from the topology put the
// ranks of one server on one node. Plain data; the fabric never reads it.
// A builder's scale-up domain (a super-node: NVL72, or NV576 as a 2-level NVLink Clos of
// `group`-GPU first-level domains) fills the same record: GPUs of one domain talk over
// NVLink, off the NIC fabric. With planes, server_of_host covers one plane's hosts (the
// GPUs).
struct NvlinkDomains {
  std::vector<uint32_t> server_of_host;  // per host index: its server, 0-based, dense
  uint32_t gpus_per_server = 0;
  BitRate rate;  // per GPU and direction: the sum of its NVSwitch links
  Time latency;  // GPU -> NVSwitch -> GPU: twice the link delay
  // A 2-level NVLink Clos: GPUs in the same first-level group of `group` GPUs (0 = the
  // whole domain is one level) see `latency`; across groups `cross_latency` (two more
  // NVSwitch hops) and `cross_rate` per GPU and direction (the second level's share).
  uint32_t group = 0;
  Time cross_latency;
  BitRate cross_rate;
};

class TopologyGraph;

// A builder's own routing (the topology family's routing hook): a rule that narrows
// shortest-path routing, e.g. dimension-order routing on a torus. compute_shortest_paths
// (topo/routing.h) honours it, and with it every consumer of the tables (the packet
// fabric, the flow engine that walks the fabric's tables, fault recovery, the ECMP
// predictor). Asked once per (switch, destination switch) when the tables are built,
// never per packet. A graph without one routes over every minimum-hop port.
class RoutePolicy {
 public:
  virtual ~RoutePolicy() = default;
  // Narrows `ports`, the minimum-hop ports of switch `node` towards the hosts that hang
  // off switch `dst` (node ids; failed links already excluded), in place, or replaces
  // them with the family's own minimal routes where those are not the fewest hops (a
  // dragonfly+ spine without a global link to the destination's group goes down to a
  // leaf rather than over two global links); the sets of all switches together must stay
  // loop-free. A policy that cannot route around a failure should leave the set as it
  // is rather than empty it.
  virtual void restrict(const TopologyGraph& /*g*/, uint32_t /*node*/, uint32_t /*dst*/,
                        std::vector<uint16_t>& /*ports*/) const {}
  // Appends to `out` the ports of `node` a non-minimal route towards the hosts of `dst`
  // may leave by (a Valiant choice; it may include some of `minimal`, the ports left
  // after restrict), for a non-minimal balancer (lb/valiant/).
  // The tables keep them apart (ForwardingTable::detours): other balancers never see them.
  virtual void detours(const TopologyGraph& /*g*/, uint32_t /*node*/, uint32_t /*dst*/,
                       const std::vector<uint16_t>& /*minimal*/,
                       std::vector<uint16_t>& /*out*/) const {}
};

class TopologyGraph {
 public:
  uint32_t add_node(NodeKind kind, std::string name, int tier, uint32_t ext_id);
  uint32_t add_node(NodeKind kind, std::string name, int tier) {
    return add_node(kind, std::move(name), tier, static_cast<uint32_t>(nodes_.size()));
  }
  void add_link(uint32_t a, uint32_t b, const LinkParams& params);
  void set_link_up(uint32_t link, bool up) { links_[link].up = up; }
  void set_link_rate(uint32_t link, BitRate rate) { links_[link].params.rate = rate; }
  void set_link_loss_rate(uint32_t link, double p) { links_[link].params.loss_rate = p; }
  // The link between two nodes (by id), or -1.
  int64_t find_link(uint32_t a, uint32_t b) const;

  const std::vector<TopoNode>& nodes() const { return nodes_; }
  const std::vector<TopoLink>& links() const { return links_; }
  const std::vector<Adjacent>& adjacent(uint32_t node) const { return adj_[node]; }
  // The index of link `link` among `node`'s adjacent links: the node's port on it (0
  // when the link does not touch the node).
  uint16_t port_of(uint32_t node, uint32_t link) const {
    const auto& adj = adj_[node];
    for (size_t i = 0; i < adj.size(); ++i) {
      if (adj[i].link == link) return static_cast<uint16_t>(i);
    }
    return 0;
  }
  // Host node ids in host-index order.
  const std::vector<uint32_t>& hosts() const { return hosts_; }
  // Host index of a node, or -1.
  int64_t host_index(uint32_t node) const { return host_index_[node]; }
  size_t switch_count() const { return nodes_.size() - hosts_.size(); }
  // Empty unless an importer found the servers' NVLink domains.
  const std::vector<NvlinkDomains>& nvlink() const { return nvlink_; }
  void set_nvlink(const NvlinkDomains& d) { nvlink_.assign(1, d); }
  // Multi-plane fabrics: `planes` independent fabrics, hosts numbered plane-major (host
  // index = plane * gpus() + GPU): a GPU's NIC has one port, a host, in every plane.
  uint32_t planes() const { return planes_; }
  size_t gpus() const { return hosts_.size() / planes_; }
  void set_planes(uint32_t planes) { planes_ = planes; }

  // The builder's routing rule, or null (every minimum-hop port). Shared by copies.
  const RoutePolicy* route_policy() const { return route_policy_.get(); }
  void set_route_policy(std::shared_ptr<const RoutePolicy> p) { route_policy_ = std::move(p); }

  // Structural checks: every host has exactly one link, no self loops, all hosts of a
  // plane reachable from each other.
  Status validate() const;

 private:
  std::vector<TopoNode> nodes_;
  std::vector<TopoLink> links_;
  std::vector<std::vector<Adjacent>> adj_;
  std::vector<uint32_t> hosts_;
  std::vector<int64_t> host_index_;
  std::vector<NvlinkDomains> nvlink_;  // at most one
  uint32_t planes_ = 1;
  std::shared_ptr<const RoutePolicy> route_policy_;
};

}  // namespace aifabric
