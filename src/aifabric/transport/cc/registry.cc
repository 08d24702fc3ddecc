// Every congestion-control algorithm, one line each.
#include "aifabric/transport/cc/congestion_control.h"
#include "aifabric/transport/cc/dcqcn/dcqcn.h"
#include "aifabric/transport/cc/hpcc/hpcc.h"
#include "aifabric/transport/cc/none/none.h"

namespace aifabric {

const Registry<CcAlgorithm>& cc_algorithms() {
  static const Registry<CcAlgorithm> kAll(
      "congestion control",
      {
          cc_member<DcqcnParams, Dcqcn, &DcqcnParams::cnp_interval>(
              "dcqcn",
              "ECN marks -> CNPs -> rate cuts by alpha/2, timer and byte-counter recovery"),
          cc_member<HpccParams, Hpcc>("hpcc",
                                      "INT per hop -> window W_c / (U / eta) + W_AI, rate W / T"),
          cc_member<NoCcParams, NoCc>("none",
                                      "line rate always; losslessness comes from PFC alone"),
      });
  return kAll;
}

}  // namespace aifabric
