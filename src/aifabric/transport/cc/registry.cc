// Every congestion-control algorithm, one line each.
#include "aifabric/transport/cc/congestion_control.h"
#include "aifabric/transport/cc/dcqcn/dcqcn.h"
#include "aifabric/transport/cc/dctcp/dctcp.h"
#include "aifabric/transport/cc/eqds/eqds.h"
#include "aifabric/transport/cc/hpcc/hpcc.h"
#include "aifabric/transport/cc/none/none.h"
#include "aifabric/transport/cc/swift/swift.h"
#include "aifabric/transport/cc/timely/timely.h"
#include "aifabric/transport/cc/xcp/xcp.h"

namespace aifabric {

const Registry<CcAlgorithm>& cc_algorithms() {
  static const Registry<CcAlgorithm> kAll(
      "congestion control",
      {
          dcqcn_algorithm(),
          dcqcn_paper_algorithm(),
          cc_member<DctcpParams, Dctcp>(
              "dctcp", "ECN echoes -> marked fraction alpha per RTT -> cut by alpha/2, else +AI"),
          cc_member<EqdsParams, Eqds>(
              "eqds",
              "receiver-driven credits: 1 BDP initial window, then one packet per pull paced "
              "at the receiver's line rate; switches trim (needs switch.trimming, selective)"),
          cc_member<HpccParams, Hpcc>("hpcc",
                                      "INT per hop -> window W_c / (U / eta) + W_AI, rate W / T"),
          cc_member<NoCcParams, NoCc>("none",
                                      "line rate always; losslessness comes from PFC alone"),
          cc_member<TimelyParams, Timely>(
              "timely", "RTT gradient -> rate: additive / hyperactive increase, cut by beta"),
          cc_member<SwiftParams, Swift>(
              "swift", "RTT vs a hop- and window-scaled target -> window: AIMD, one cut per RTT"),
          cc_member<XcpParams, Xcp>("xcp",
                                    "zero-queue: every switch port grants window increments from "
                                    "its idle bandwidth and takes back its standing queue (XCP)"),
      });
  return kAll;
}

}  // namespace aifabric
