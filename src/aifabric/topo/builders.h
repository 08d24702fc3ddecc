// Topology builders: 2-tier leaf-spine (any oversubscription), the 3-tier k-ary
// fat-tree of Al-Fares et al. (SIGCOMM 2008) and the 2-tier rail-optimized fabric of
// GPU clusters, each with per-tier link rate and delay.
#pragma once

#include "aifabric/core/params.h"
#include "aifabric/topo/graph.h"

namespace aifabric {

struct LeafSpineConfig final : Params {
  int64_t leaves = 4;
  int64_t spines = 4;
  int64_t hosts_per_leaf = 8;
  int64_t links_per_spine = 1;  // parallel links between each leaf and each spine
  LinkSpec host_link;
  LinkSpec fabric_link;
  void visit(ParamVisitor& v) override {
    v.param("leaves", leaves, "leaf (top-of-rack) switches", Range{1, 100000});
    v.param("spines", spines, "spine switches", Range{1, 100000});
    v.param("hosts_per_leaf", hosts_per_leaf, "hosts attached to each leaf", Range{1, 100000});
    v.param("links_per_spine", links_per_spine, "parallel links from each leaf to each spine",
            Range{1, 64});
    v.section("host_link", host_link, "host-to-leaf links");
    v.section("fabric_link", fabric_link, "leaf-to-spine links");
  }
  Status validate() const override;
  // Host bandwidth of a leaf over its uplink bandwidth (1 = non-blocking).
  double oversubscription() const;
};

struct FatTreeConfig final : Params {
  int64_t k = 4;               // switch radix: k pods, k^3/4 hosts at full size
  int64_t hosts_per_edge = 0;  // 0 = k/2 (non-blocking); more oversubscribes the edge
  LinkSpec host_link;
  LinkSpec edge_agg_link;
  LinkSpec agg_core_link;
  void visit(ParamVisitor& v) override {
    v.param("k", k, "switch radix (even): k pods of k/2 edge and k/2 aggregation switches",
            Range{2, 256});
    v.param("hosts_per_edge", hosts_per_edge, "hosts per edge switch; 0 = k/2", Range{0, 100000});
    v.section("host_link", host_link, "host-to-edge links");
    v.section("edge_agg_link", edge_agg_link, "edge-to-aggregation links");
    v.section("agg_core_link", agg_core_link, "aggregation-to-core links");
  }
  Status validate() const override;
};

// Rail-optimized (NVIDIA DGX SuperPOD style): each GPU has its own NIC, and NIC g of
// every node in a group of `nodes_per_leaf` nodes plugs into that group's rail-g leaf,
// so that ranks of the same local index talk in one hop; every leaf connects to every
// spine. Host index = node * gpus_per_node + gpu (ClusterMap::linear's placement).
struct RailOptimizedConfig final : Params {
  int64_t nodes = 4;           // servers
  int64_t gpus_per_node = 8;   // GPUs (and NICs, and rails) per server
  int64_t nodes_per_leaf = 4;  // nodes whose GPU g share the rail-g leaf (the last group
                               // may be smaller)
  int64_t spines = 4;
  LinkSpec host_link;
  LinkSpec fabric_link;
  void visit(ParamVisitor& v) override {
    v.param("nodes", nodes, "servers", Range{1, 100000});
    v.param("gpus_per_node", gpus_per_node, "GPUs per server, each with its own NIC and rail",
            Range{1, 64});
    v.param("nodes_per_leaf", nodes_per_leaf,
            "servers whose GPU g share one rail-g leaf switch (a leaf group)", Range{1, 100000});
    v.param("spines", spines, "spine switches; every leaf connects to every spine",
            Range{1, 100000});
    v.section("host_link", host_link, "NIC-to-leaf links");
    v.section("fabric_link", fabric_link, "leaf-to-spine links");
  }
  Status validate() const override;
  int64_t leaf_groups() const { return (nodes + nodes_per_leaf - 1) / nodes_per_leaf; }
};

TopologyGraph build_leaf_spine(const LeafSpineConfig& c);
TopologyGraph build_fat_tree(const FatTreeConfig& c);
// Node ids: hosts first (id = host index), then leaves by (group, rail), then spines.
TopologyGraph build_rail_optimized(const RailOptimizedConfig& c);

}  // namespace aifabric
