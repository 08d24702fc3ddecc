// The 2-tier rail-optimized fabric of GPU clusters: NIC g of every server in a leaf
// group plugs into that group's rail-g leaf; every leaf connects to every spine.
#pragma once

#include <string>

#include "aifabric/core/params.h"
#include "aifabric/net/link.h"
#include "aifabric/topo/builder.h"
#include "aifabric/topo/graph.h"

namespace aifabric {

// Rail-optimized (NVIDIA DGX SuperPOD style): each GPU has its own NIC, and NIC g of
// every node in a group of `nodes_per_leaf` nodes plugs into that group's rail-g leaf,
// so that ranks of the same local index talk in one hop; every leaf connects to every
// spine. Host index = node * gpus_per_node + gpu (ClusterMap::linear's placement).
struct RailOptimizedConfig final : ParamsOf<RailOptimizedConfig> {
  int64_t nodes = 4;           // servers
  int64_t gpus_per_node = 8;   // GPUs (and NICs, and rails) per server
  int64_t nodes_per_leaf = 4;  // nodes whose GPU g share the rail-g leaf (the last group
                               // may be smaller)
  int64_t spines = 4;
  // 3 tiers: leaf groups per pod (0 = 2 tiers, every leaf to every spine). Each pod has
  // its own `spines`; spine i of every pod links to the cores_per_spine cores of core
  // group i.
  int64_t groups_per_pod = 0;
  int64_t cores_per_spine = 1;
  int64_t links_per_core = 1;  // parallel links between a spine and each core of its group
  LinkSpec host_link;
  LinkSpec fabric_link;
  LinkSpec core_link;
  void visit(ParamVisitor& v) override {
    v.param("nodes", nodes, "servers", Range{1, 100000});
    v.param("gpus_per_node", gpus_per_node, "GPUs per server, each with its own NIC and rail",
            Range{1, 64});
    v.param("nodes_per_leaf", nodes_per_leaf,
            "servers whose GPU g share one rail-g leaf switch (a leaf group)", Range{1, 100000});
    v.param("spines", spines, "spine switches; every leaf connects to every spine",
            Range{1, 100000});
    v.param("groups_per_pod", groups_per_pod,
            "3 tiers: leaf groups per pod, each pod with its own spines under a core layer; 0 "
            "= 2 tiers",
            Range{0, 100000});
    v.param("cores_per_spine", cores_per_spine,
            "3 tiers: cores in each core group; spine i of every pod links to every core of "
            "group i (cores = spines x cores_per_spine)",
            Range{1, 65535});
    v.param("links_per_core", links_per_core,
            "3 tiers: parallel links from a spine to each core of its group", Range{1, 65535});
    v.section("host_link", host_link, "NIC-to-leaf links");
    v.section("fabric_link", fabric_link, "leaf-to-spine links");
    v.section("core_link", core_link, "3 tiers: spine-to-core links");
  }
  Status validate() const override;
  int64_t leaf_groups() const { return (nodes + nodes_per_leaf - 1) / nodes_per_leaf; }
  // Pods (1 with 2 tiers; the last pod may hold fewer groups).
  int64_t pods() const {
    return groups_per_pod == 0 ? 1 : (leaf_groups() + groups_per_pod - 1) / groups_per_pod;
  }
  int64_t cores() const { return groups_per_pod == 0 ? 0 : spines * cores_per_spine; }
};

// Node ids: hosts first (id = host index), then leaves by (group, rail), then spines
// (pod-major: pod p's spine i = p * spines + i), then cores (group i's core j = i *
// cores_per_spine + j). 3 tiers: hosts = nodes * gpus; switches = leaves + pods * spines
// + spines * cores_per_spine; links = hosts + leaves * spines + pods * spines *
// cores_per_spine * links_per_core; host diameter 6 links across pods (host, leaf, spine, core,
// spine, leaf, host), 4 within one.
TopologyGraph build_rail_optimized(const RailOptimizedConfig& c);
// The parts, for builders that repeat the fabric (multi-plane): the hosts of one plane
// (names prefixed by `tag`), then one plane's leaves, spines and links over the hosts
// from host index `first_host` on.
void add_rail_optimized_hosts(TopologyGraph& g, const RailOptimizedConfig& c,
                              const std::string& tag);
void add_rail_optimized_plane(TopologyGraph& g, const RailOptimizedConfig& c, uint32_t first_host,
                              const std::string& tag);
inline TopologySize rail_optimized_size(const RailOptimizedConfig& c) {
  const auto hosts = static_cast<uint64_t>(c.nodes * c.gpus_per_node);
  const auto leaves = static_cast<uint64_t>(c.leaf_groups() * c.gpus_per_node);
  const auto spines = static_cast<uint64_t>(c.pods() * c.spines);
  const auto cores = static_cast<uint64_t>(c.cores());
  return {
      hosts, leaves + spines + cores,
      hosts + leaves * static_cast<uint64_t>(c.spines) +
          (cores == 0 ? 0 : spines * static_cast<uint64_t>(c.cores_per_spine * c.links_per_core)),
      leaves};
}

}  // namespace aifabric
