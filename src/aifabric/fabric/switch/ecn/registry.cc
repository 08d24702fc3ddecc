// Every ECN tuning policy, one line each.
#include "aifabric/fabric/switch/ecn/dynamic/dynamic.h"
#include "aifabric/fabric/switch/ecn/tuner.h"

namespace aifabric {
namespace {

template <class P, class Impl>
EcnTuning tuning_member(std::string_view name, std::string_view doc) {
  EcnTuning t;
  t.name = name;
  t.doc = doc;
  t.make_params = &make_params_of<P>;
  t.make = [](const Params& p) -> std::unique_ptr<EcnTuner> {
    return std::make_unique<Impl>(params_as<P>(p));
  };
  return t;
}

EcnTuning static_member() {
  EcnTuning t;
  t.name = "static";
  t.doc = "the configured thresholds, always";
  return t;
}

}  // namespace

const Registry<EcnTuning>& ecn_tunings() {
  static const Registry<EcnTuning> kAll(
      "ECN tuning",
      {
          static_member(),
          tuning_member<DynamicEcnParams, DynamicEcn>(
              "dynamic",
              "per-port thresholds retuned every period to hold target_delay at u_target "
              "utilisation (ACC's objective as a multiplicative controller)"),
      });
  return kAll;
}

}  // namespace aifabric
