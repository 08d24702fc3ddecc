#include "aifabric/lb/spray/spray.h"

#include "aifabric/lb/ecmp/ecmp.h"

namespace aifabric {

void SprayParams::visit(ParamVisitor& v) {
  visit_enum(v, "mode", mode, kSprayModeNames,
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

LbAlgorithm spray_algorithm() {
  LbAlgorithm a{
      "spray",
      "packet spraying: the sender varies the UDP source port per packet, switches hash it "
      "(ECMP); needs transport.recovery: selective to reorder",
      [] { return std::unique_ptr<Params>(std::make_unique<SprayParams>()); },
      [](const Params&, uint64_t seed) {
        return std::unique_ptr<LoadBalancer>(std::make_unique<Ecmp>(seed));
      }};
  a.reorders = true;
  a.sender = [](const Params& params, PathSelection& out) {
    const auto& p = static_cast<const SprayParams&>(params);
    out.mode = p.mode;
    out.recycle = p.recycle;
    out.rtt_threshold = p.rtt_threshold;
  };
  return a;
}

}  // namespace aifabric
