// Every traffic generator, one line each (`traffic[].type`).
#include "aifabric/workload/traffic/all_to_all/all_to_all.h"
#include "aifabric/workload/traffic/csv/flow_file.h"
#include "aifabric/workload/traffic/generator.h"
#include "aifabric/workload/traffic/incast/incast.h"
#include "aifabric/workload/traffic/ns3/ns3_flows.h"
#include "aifabric/workload/traffic/permutation/permutation.h"
#include "aifabric/workload/traffic/poisson/poisson.h"

namespace aifabric {

const Registry<TrafficGenerator>& traffic_generators() {
  static const Registry<TrafficGenerator> kAll(
      "traffic",
      {
          traffic_member<PermutationTraffic, &generate_permutation, &permutation_count>(
              "permutation", "every host sends one flow to another, no host receiving twice"),
          traffic_member<IncastTraffic, &generate_incast, &incast_count>(
              "incast", "N hosts send to one receiver at once"),
          traffic_member<AllToAllTraffic, &generate_all_to_all, &all_to_all_count>(
              "all_to_all", "every host sends one flow to every other"),
          traffic_member<FileTraffic, &generate_file>("file", "flows from a CSV file"),
          traffic_member<Ns3FlowTraffic, &generate_ns3>("ns3", "flows from an ns-3 RDMA flow file"),
          traffic_member<PoissonTraffic, &generate_poisson>(
              "poisson", "Poisson arrivals at a fraction of each host's rate, sizes from a CDF"),
      });
  return kAll;
}

}  // namespace aifabric
