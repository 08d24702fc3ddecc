// Every loss-recovery mode, one line each (`transport.recovery`).
#include "aifabric/transport/reliability/go_back_n/go_back_n.h"
#include "aifabric/transport/reliability/reliability.h"
#include "aifabric/transport/reliability/selective/selective.h"

namespace aifabric {

const Registry<RecoveryMode>& recovery_modes() {
  static const Registry<RecoveryMode> kAll(
      "recovery",
      {
          recovery_member<GoBackNParams, GoBackNSender, GoBackNReceiver>(
              "go_back_n",
              "RoCE: the receiver drops out-of-order packets and NACKs (or, nack: false, "
              "stays silent until the timeout); the sender resends from the gap",
              false),
          recovery_member<SelectiveParams, SelectiveSender, SelectiveReceiver>(
              "selective",
              "the receiver keeps out-of-order packets in a reorder buffer and acknowledges "
              "each one; the sender retransmits only packets RACK declares lost (IRN-like; "
              "bdp_cap: IRN's BDP-FC)",
              true),
      });
  return kAll;
}

}  // namespace aifabric
