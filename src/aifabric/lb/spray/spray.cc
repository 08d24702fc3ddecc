#include "aifabric/lb/spray/spray.h"

namespace aifabric {

void SprayParams::visit(ParamVisitor& v) {
  v.choice("mode", mode, sender_modes().names(),
           "per-packet source port: random, round_robin (one port per distinct path, in "
           "turn) or adaptive (reuse ports whose ACK carried no ECN echo, else random); off "
           "= one port per flow");
  v.param("recycle", recycle, "adaptive: good source ports remembered for reuse",
          Range{1, 1 << 16});
  v.param("rtt_threshold", rtt_threshold,
          "adaptive: an ACK slower than this marks its port congested too; 0 = ECN only");
}

Status SprayParams::validate() const {
  if (rtt_threshold < Time::zero()) return Status::error("rtt_threshold must not be negative");
  return Status::ok();
}

void spray_sender(const SprayParams& p, PathSelection& out) {
  out.mode = sender_modes().at(static_cast<size_t>(p.mode)).name;
  out.recycle = p.recycle;
  out.rtt_threshold = p.rtt_threshold;
}

}  // namespace aifabric
