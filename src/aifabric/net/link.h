// A link's physical parameters: bit rate, one-way propagation delay and the
// probability that a frame is corrupted (bit errors). Plain data: the topology graph
// stores it per link, ports serialize and deliver by it. LinkSpec is the same as a
// scenario section.
#pragma once

#include "aifabric/core/params.h"
#include "aifabric/core/units.h"

namespace aifabric {

struct LinkParams {
  BitRate rate = BitRate::gbps(400);
  Time delay = Time::us(1);
  double loss_rate = 0;  // probability a frame is corrupted and dropped on this link
};

struct LinkSpec final : ParamsOf<LinkSpec> {
  BitRate rate = BitRate::gbps(400);
  Time delay = Time::us(1);
  double loss_rate = 0;
  void visit(ParamVisitor& v) override {
    v.param("rate", rate, "link bit rate");
    v.param("delay", delay, "one-way propagation delay");
    v.param("loss_rate", loss_rate, "probability that a frame is corrupted (bit errors)",
            Range{0, 1});
  }
  LinkParams link() const { return LinkParams{rate, delay, loss_rate}; }
};

}  // namespace aifabric
