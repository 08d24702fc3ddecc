#include "aifabric/telemetry/run_record.h"

namespace aifabric {

const char* Verdict::name() const {
  switch (status) {
    case Status::kCompleted:
      return "completed";
    case Status::kStopTime:
      return "stop_time";
    default:
      return "failed";
  }
}

}  // namespace aifabric
