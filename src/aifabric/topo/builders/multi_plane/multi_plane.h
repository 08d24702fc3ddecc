// A multi-plane fabric: `planes` independent 2-tier rail-optimized fabrics, every GPU's
// NIC with one port (or one breakout lane) in each. A port is a host of its plane, so
// host index = plane * gpus + node * gpus_per_node + gpu; the planes share no switch.
// Workloads spread each connection's bytes evenly over the planes (one queue pair per
// port, as NCCL uses a multi-port NIC); per-packet spraying across planes (one queue
// pair over several ports) is not modelled. With planes 1 this is the rail-optimized
// fabric plus an optional scale-up (NVLink) domain.
//
// Node ids: every plane's hosts first (id = host index), then plane 0's leaves by
// (group, rail), plane 0's spines, then plane 1's, ...
#pragma once

#include "aifabric/core/params.h"
#include "aifabric/net/link.h"
#include "aifabric/topo/builder.h"
#include "aifabric/topo/builders/rail_optimized/rail_optimized.h"
#include "aifabric/topo/graph.h"
#include "aifabric/topo/scale_up.h"

namespace aifabric {

struct MultiPlaneConfig final : ParamsOf<MultiPlaneConfig> {
  int64_t planes = 2;
  RailOptimizedConfig plane;  // each plane's fabric; its host_link is one NIC port
  ScaleUpConfig scale_up;
  void visit(ParamVisitor& v) override {
    v.param("planes", planes,
            "independent fabrics; each GPU's NIC has one port (or breakout lane) in each",
            Range{1, 16});
    v.section("plane", plane, "every plane's rail-optimized fabric (host_link: one NIC port)");
    v.section("scale_up", scale_up, "the scale-up (NVLink) domain beside the NIC fabric");
  }
  Status validate() const override;
};

TopologyGraph build_multi_plane(const MultiPlaneConfig& c);
inline TopologySize multi_plane_size(const MultiPlaneConfig& c) {
  TopologySize one = rail_optimized_size(c.plane);
  const auto p = static_cast<uint64_t>(c.planes);
  return {one.hosts * p, one.switches * p, one.links * p, one.attachments * p};
}

}  // namespace aifabric
