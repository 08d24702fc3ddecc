// Every load-balancing algorithm, one line each. Switch-side schemes act at every
// switch with several equal-cost ports; `spray` acts at the sender (the switches hash
// its per-packet source ports); `planned` is a controller's choice of each flow's source
// port (control/planner/), with the switches on ECMP.
#include "aifabric/lb/adaptive/adaptive.h"
#include "aifabric/lb/ecmp/ecmp.h"
#include "aifabric/lb/flowlet/flowlet.h"
#include "aifabric/lb/load_balancer.h"
#include "aifabric/lb/planned/planned.h"
#include "aifabric/lb/spray/spray.h"
#include "aifabric/lb/valiant/valiant.h"
#include "aifabric/lb/wcmp/wcmp.h"

namespace aifabric {

const Registry<LbAlgorithm>& lb_algorithms() {
  static const Registry<LbAlgorithm> kAll(
      "load balancing",
      {
          lb_member<EcmpParams, Ecmp>(
              "ecmp",
              "per-flow hash of the 5-tuple (UDP source port carries the entropy), seeded per "
              "switch"),
          lb_member<SprayParams, Ecmp, &spray_sender>(
              "spray",
              "packet spraying: the sender varies the UDP source port per packet, switches hash "
              "it (ECMP); needs transport.recovery: selective to reorder",
              {.reorders = true}),
          lb_member<PlannedParams, Ecmp>(
              "planned",
              "a controller assigns each flow a path minimizing the busiest link and sets its "
              "UDP source port so that the switches' ECMP hash takes it (switches run ECMP)",
              {.planned = true}),
          lb_member<WcmpParams, Wcmp>(
              "wcmp",
              "weighted per-flow hash (WCMP/UCMP): a flow keeps one port; each equal-cost port "
              "gets a share of the flows proportional to its weight, by default its link rate "
              "(bit/s), so a degraded link carries fewer flows; equal weights = ECMP"),
          lb_member<FlowletParams, Flowlet>(
              "flowlet",
              "flowlet switching (CONGA/LetFlow): a flow keeps its port while its packets are "
              "closer than timeout; after a longer idle gap its next burst (flowlet) picks a "
              "port anew",
              {.reorders = true}),
          lb_member<AdaptiveParams, Adaptive>(
              "adaptive",
              "switch adaptive routing (Spectrum-X/DLB style): each packet takes the "
              "equal-cost egress with the least queueing delay (queued bytes / link rate), "
              "ties random; per-packet, so a flow's packets can arrive out of order",
              {.reorders = true}),
          lb_member<ValiantParams, Valiant>(
              "valiant",
              "non-minimal routing on dragonfly+ (Valiant / UGAL, per packet): in the source "
              "group a packet may leave on a random global link to an intermediate group, "
              "then goes minimally; elsewhere the least-loaded minimal port",
              {.reorders = true}),
      });
  return kAll;
}

}  // namespace aifabric
