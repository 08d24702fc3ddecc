// No congestion control: every queue pair sends at line rate and relies on PFC.
#pragma once

#include "aifabric/transport/cc/congestion_control.h"

namespace aifabric {

struct NoCcParams final : ParamsOf<NoCcParams> {
  void visit(ParamVisitor& /*v*/) override {}
};

class NoCc final : public CongestionControl {
 public:
  explicit NoCc(BitRate line) : line_(line) {}
  BitRate rate() const override { return line_; }

 private:
  BitRate line_;
};

}  // namespace aifabric
