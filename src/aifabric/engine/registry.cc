// Every engine, one line each (`workload.backend`, `aifabric collective --backend`).
#include "aifabric/engine/analytic/analytic_engine.h"
#include "aifabric/engine/flow/flow_engine.h"
#include "aifabric/engine/packet/packet_engine.h"
#include "aifabric/engine/transfer_engine.h"

namespace aifabric {

const Registry<EngineKind>& engines() {
  static const Registry<EngineKind> kAll(
      "engine",
      {
          engine_member<AnalyticEngine>("analytic", "alpha-beta per transfer, instant", false),
          engine_member<PacketEngine>("packet", "the packet-level fabric", true),
          engine_member<FlowEngine>("flow",
                                    "flow level: max-min fair fluid flows on the packet level's "
                                    "paths (docs/flow-level.md)",
                                    false, true),
      });
  return kAll;
}

}  // namespace aifabric
