// Every topology builder, one line each (`topology.type`).
#include "aifabric/topo/builder.h"
#include "aifabric/topo/builders/clos/clos.h"
#include "aifabric/topo/builders/clos3/clos3.h"
#include "aifabric/topo/builders/dragonfly_plus/dragonfly_plus.h"
#include "aifabric/topo/builders/fat_tree/fat_tree.h"
#include "aifabric/topo/builders/leaf_spine/leaf_spine.h"
#include "aifabric/topo/builders/multi_plane/multi_plane.h"
#include "aifabric/topo/builders/rail_optimized/rail_optimized.h"
#include "aifabric/topo/builders/torus/torus.h"
#include "aifabric/topo/import/ns3_topology.h"
#include "aifabric/topo/import/simai_topology.h"

namespace aifabric {

const Registry<TopologyBuilder>& topology_builders() {
  static const Registry<TopologyBuilder> kAll(
      "topology",
      {
          topology_member<LeafSpineConfig, &build_leaf_spine, &leaf_spine_size>(
              "leaf_spine", "2-tier leaf-spine (CLOS) with any oversubscription"),
          topology_member<FatTreeConfig, &build_fat_tree, &fat_tree_size>("fat_tree",
                                                                          "3-tier k-ary fat-tree"),
          topology_member<Ns3TopologySpec, &import_ns3_topology>(
              "ns3", "a topology file in the ns-3 RDMA format"),
          topology_member<SimaiTopologySpec, &import_simai_topology>(
              "simai", "a topology file of SimAI's ns-3 backend (NVSwitch links: NVLink)"),
          topology_member<RailOptimizedConfig, &build_rail_optimized, &rail_optimized_size>(
              "rail_optimized",
              "GPU servers whose GPU g connects to the rail-g leaf; leaves to spines"),
          topology_member<Clos3Config, &build_clos3, &clos3_size>(
              "clos3",
              "3-tier Clos of pods (ToRs meshed with aggs) under core groups (HPCC paper)"),
          topology_member<MultiPlaneConfig, &build_multi_plane, &multi_plane_size>(
              "multi_plane",
              "independent rail-optimized planes, a NIC port per plane per GPU, with an "
              "optional scale-up (NVLink) domain: a super-node such as NVL72 or NV576"),
          topology_member<ClosConfig, &build_clos, &clos_size>(
              "clos",
              "2- or 3-tier CLOS/fat-tree sized from the host count: any radix, per-tier "
              "oversubscription and link rates, leaf port breakout"),
          topology_member<TorusConfig, &build_torus, &torus_size>(
              "torus", "2D/3D torus, one switch per coordinate, dimension-order routing"),
          topology_member<DragonflyPlusConfig, &build_dragonfly_plus, &dragonfly_plus_size>(
              "dragonfly_plus",
              "groups of leaf-spine; spines carry global links to the other groups"),
      });
  return kAll;
}

}  // namespace aifabric
