// faults.csv: one row per fault of the run's schedule (docs/faults.md): when and where it
// happened, when it was detected and when each recovery step had converged (µs after the
// fault; empty where the step did not happen), the frames its links blackholed and when
// the last was lost, and the
// flows it touched and failed.
#pragma once

#include <ostream>

#include "aifabric/fault/records.h"

namespace aifabric {

void write_faults_csv(std::ostream& out, const FaultRecord& f);

}  // namespace aifabric
