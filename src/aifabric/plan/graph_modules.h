// Optical modules of a built fabric (a TopologyGraph), by the planner's cage rule
// (bom.h), so that a topology sweep can put them beside its switch and link counts:
//  * every GPU-to-switch and switch-to-switch link is optical (rail leaves serve
//    servers across racks; the graph does not say which leaves share a rack);
//  * a GPU's NIC port holds one module at its link's rate;
//  * on a switch, links of one rate r <= the cage rate share cages: ceil(n r / cage)
//    modules (a twin-port 800G OSFP carries two 400G links); a link faster than the
//    cage takes one module of its own;
//  * links to in-switch devices (the aggregation engines, is_aggregation_engine) are
//    internal: no module.
#pragma once

#include <cstdint>

#include "aifabric/core/units.h"
#include "aifabric/topo/graph.h"

namespace aifabric {

int64_t fabric_modules(const TopologyGraph& g, BitRate cage = BitRate::gbps(800));

}  // namespace aifabric
