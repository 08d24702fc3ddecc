// Every congestion-control algorithm, one line each.
#include "aifabric/transport/cc/congestion_control.h"
#include "aifabric/transport/cc/dcqcn/dcqcn.h"
#include "aifabric/transport/cc/none/none.h"

namespace aifabric {

const Registry<CcAlgorithm>& cc_algorithms() {
  static const Registry<CcAlgorithm> kAll(
      "congestion control",
      {
          dcqcn_algorithm(),
          dcqcn_paper_algorithm(),
          cc_member<NoCcParams, NoCc>("none",
                                      "line rate always; losslessness comes from PFC alone"),
      });
  return kAll;
}

}  // namespace aifabric
