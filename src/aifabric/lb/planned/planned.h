// Planned paths: before the run a controller with the global view assigns every flow a
// path (lb/planner.h) and sets its UDP source port so that the switches' ECMP hash
// takes that path. Switches run plain ECMP; only the NIC's source port changes.
#pragma once

#include "aifabric/lb/load_balancer.h"

namespace aifabric {

struct PlannedParams final : ParamsOf<PlannedParams> {
  void visit(ParamVisitor& /*v*/) override {}
};

}  // namespace aifabric
