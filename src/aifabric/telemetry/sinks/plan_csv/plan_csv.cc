#include "aifabric/telemetry/sinks/plan_csv/plan_csv.h"

#include <fmt/format.h>

namespace aifabric {

void write_plan_csv(std::ostream& out, const PlanReport& p, const TopologyGraph& g) {
  out << "src,dst,priority,bytes,sport,dport,path\n";
  for (const PlannedDemand& d : p.assignment) {
    out << fmt::format("{},{},{},{},{},{},{}\n", g.nodes()[g.hosts()[d.src]].name,
                       g.nodes()[g.hosts()[d.dst]].name, d.priority, d.bytes, d.sport, kRoceUdpPort,
                       d.path);
  }
}

}  // namespace aifabric
