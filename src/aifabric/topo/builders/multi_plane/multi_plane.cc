#include "aifabric/topo/builders/multi_plane/multi_plane.h"

#include <string>

namespace aifabric {

Status MultiPlaneConfig::validate() const {
  if (Status s = plane.validate(); !s.is_ok()) return s.with_context("plane");
  if (plane.nodes * plane.gpus_per_node * planes > 1'000'000) {
    return Status::error("more than 1,000,000 NIC ports in all planes");
  }
  if (Status s = scale_up.validate(); !s.is_ok()) return s.with_context("scale_up");
  return scale_up.fits(plane.gpus_per_node, plane.nodes * plane.gpus_per_node);
}

TopologyGraph build_multi_plane(const MultiPlaneConfig& c) {
  const auto per_plane = static_cast<uint32_t>(c.plane.nodes * c.plane.gpus_per_node);
  TopologyGraph g;
  auto tag = [&](int64_t p) {
    return c.planes > 1 ? "p" + std::to_string(p) + "_" : std::string();
  };
  for (int64_t p = 0; p < c.planes; ++p) add_rail_optimized_hosts(g, c.plane, tag(p));
  for (int64_t p = 0; p < c.planes; ++p) {
    add_rail_optimized_plane(g, c.plane, static_cast<uint32_t>(p) * per_plane, tag(p));
  }
  g.set_planes(static_cast<uint32_t>(c.planes));
  c.scale_up.apply(g, per_plane);
  return g;
}

}  // namespace aifabric
