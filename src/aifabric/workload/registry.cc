// Every workload type, one line each (`workload.type`).
#include "aifabric/workload/chakra/chakra_workload.h"
#include "aifabric/workload/collectives/collective_workload.h"
#include "aifabric/workload/job.h"
#include "aifabric/workload/llm/llm_workload.h"
#include "aifabric/workload/simai/simai_workload.h"

namespace aifabric {

const Registry<WorkloadType>& workload_types() {
  static const Registry<WorkloadType> kAll(
      "workload",
      {
          WorkloadType{{"none", "no training job: the traffic list is the workload"}},
          workload_member<LlmWorkloadSpec, &prepare_llm, &report_llm>(
              "llm", "one training iteration of a large language model"),
          workload_member<CollectiveWorkloadSpec, &prepare_collective, &report_collective>(
              "collective", "one collective (e.g. a ring all-reduce) on the packet-level fabric"),
          workload_member<SimaiWorkloadSpec, &prepare_simai, &report_simai>(
              "simai", "one iteration of a SimAI/AICB workload file"),
          workload_member<ChakraWorkloadSpec, &prepare_chakra, &report_chakra>(
              "chakra", "Chakra execution traces, one file per rank"),
      });
  return kAll;
}

}  // namespace aifabric
