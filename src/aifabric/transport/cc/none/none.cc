#include "aifabric/transport/cc/none/none.h"

namespace aifabric {

CcAlgorithm no_cc_algorithm() {
  return CcAlgorithm{"none", "line rate always; losslessness comes from PFC alone", nullptr,
                     [] { return std::unique_ptr<Params>(std::make_unique<NoCcParams>()); },
                     [](const Params&, BitRate line, CcContext&) {
                       return std::unique_ptr<CongestionControl>(std::make_unique<NoCc>(line));
                     }};
}

}  // namespace aifabric
