// The scenario: everything a run needs, as one tree of self-describing Params. It is
// filled from a YAML file (or the built-in defaults) plus --set overrides, validated
// as a whole, and only then turned into a topology, a fabric and a workload.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "aifabric/core/params.h"
#include "aifabric/fabric/switch/switch_config.h"
#include "aifabric/telemetry/probes/sampler.h"
#include "aifabric/topo/builders.h"
#include "aifabric/transport/transport_config.h"
#include "aifabric/workload/collectives/collectives.h"
#include "aifabric/workload/llm/model.h"
#include "aifabric/workload/traffic/synthetic.h"

namespace aifabric {

struct Ns3TopologySpec final : Params {
  std::string file;
  void visit(ParamVisitor& v) override {
    v.param("file", file, "topology file in the ns-3 RDMA (HPCC) format, relative to the scenario");
  }
  Status validate() const override {
    if (file.empty()) return Status::error("file: a topology file is required for type ns3");
    return Status::ok();
  }
};

struct TopologySpec final : Params {
  int type = 0;
  LeafSpineConfig leaf_spine;
  FatTreeConfig fat_tree;
  Ns3TopologySpec ns3;
  RailOptimizedConfig rail_optimized;
  // Links named "nodeA-nodeB", separated by commas or spaces.
  std::string failed_links;    // down for the whole run: routing avoids them
  std::string degraded_links;  // "leaf0-spine1=100Gbps": the link runs at a lower rate
  void visit(ParamVisitor& v) override;
};

struct FileTraffic final : Params {
  std::string file;
  int64_t priority = -1;
  void visit(ParamVisitor& v) override {
    v.param("file", file,
            "CSV flow list (src,dst,bytes,start[,priority]), relative to the scenario");
    v.param("priority", priority, "priority for rows without one; -1 = transport.data_priority",
            Range{-1, 7});
  }
  Status validate() const override {
    if (file.empty()) return Status::error("file: a flow file is required");
    return Status::ok();
  }
};

struct Ns3FlowTraffic final : Params {
  std::string file;
  void visit(ParamVisitor& v) override {
    v.param("file", file, "flow file in the ns-3 RDMA (HPCC) format, relative to the scenario");
  }
  Status validate() const override {
    if (file.empty()) return Status::error("file: a flow file is required");
    return Status::ok();
  }
};

struct TrafficSpec final : Params {
  int type = 0;
  PermutationTraffic permutation;
  IncastTraffic incast;
  AllToAllTraffic all_to_all;
  FileTraffic file;
  Ns3FlowTraffic ns3;
  void visit(ParamVisitor& v) override;
};

enum class Backend { kAnalytic = 0, kPacket = 1 };
inline constexpr std::string_view kBackendNames[] = {"analytic", "packet"};
enum class TraceScope { kReplica = 0, kAll = 1, kNone = 2 };
inline constexpr std::string_view kTraceScopeNames[] = {"replica", "all", "none"};

struct LlmWorkloadSpec final : Params {
  ModelConfig model;
  ParallelConfig parallel;
  ClusterConfig cluster;
  Backend backend = Backend::kAnalytic;
  TraceScope trace = TraceScope::kReplica;
  void visit(ParamVisitor& v) override {
    v.section("model", model, "the model (defaults: GPT-3 175B)");
    v.section("parallel", parallel, "the parallel layout (defaults: TP 8, PP 8, DP 16)");
    v.section("cluster", cluster, "servers and GPUs");
    visit_enum(v, "backend", backend, kBackendNames,
               "analytic (alpha-beta, instant) or packet (the packet-level fabric)");
    visit_enum(v, "trace", trace, kTraceScopeNames,
               "trace.json timeline: replica (the GPUs of data-parallel rank 0: every stage "
               "and tensor rank), all GPUs, or none");
  }
};

inline constexpr std::string_view kCollectiveOpNames[] = {"all_reduce", "reduce_scatter",
                                                          "all_gather", "all_to_all"};
inline constexpr std::string_view kCollectiveAlgoNames[] = {"ring", "tree", "halving_doubling",
                                                            "pairwise", "direct"};
enum class RankPlacement { kLinear = 0, kAcrossLeaves = 1 };
inline constexpr std::string_view kRankPlacementNames[] = {"linear", "across_leaves"};

// One collective on the packet-level fabric, one rank per host (NIC): the job whose
// bus bandwidth and completion time load-balancing schemes are compared on.
struct CollectiveWorkloadSpec final : Params {
  CollectiveOp op = CollectiveOp::kAllReduce;
  CollectiveAlgo algorithm = CollectiveAlgo::kRing;
  Bytes size = Bytes::mib(64);
  int64_t ranks = 0;
  RankPlacement placement = RankPlacement::kLinear;
  void visit(ParamVisitor& v) override {
    visit_enum(v, "op", op, kCollectiveOpNames, "the collective");
    visit_enum(v, "algorithm", algorithm, kCollectiveAlgoNames,
               "ring, tree (double binary tree), halving_doubling (power-of-2 ranks), "
               "pairwise or direct (all-to-all)");
    v.param("size", size, "per-rank buffer in nccl-tests terms (all-reduce input)");
    v.param("ranks", ranks, "participating hosts, one rank each; 0 = every host", Range{0, 1e9});
    visit_enum(v, "placement", placement, kRankPlacementNames,
               "rank order: linear (rank r on host r) or across_leaves (consecutive ranks on "
               "different leaves, so every ring hop crosses the fabric)");
  }
  Status validate() const override {
    if (size.count() <= 0) return Status::error("size must be positive");
    return Status::ok();
  }
};

struct WorkloadSpec final : Params {
  int type = 0;
  LlmWorkloadSpec llm;
  CollectiveWorkloadSpec collective;
  void visit(ParamVisitor& v) override {
    const VariantOption options[] = {
        {"none", "no training job: the traffic list is the workload", nullptr},
        {"llm", "one training iteration of a large language model", &llm},
        {"collective", "one collective (e.g. a ring all-reduce) on the packet-level fabric",
         &collective},
    };
    v.variant("type", type, options, "a training job to simulate");
  }
  bool is_llm() const { return type == 1; }
  bool is_collective() const { return type == 2; }
  bool is_job() const { return type != 0; }
};

// An algorithm family chosen by name from a registry; each algorithm's parameters
// sit beside `algorithm:` in the same map.
struct AlgorithmChoice final : Params {
  enum Family { kCc, kLb };
  explicit AlgorithmChoice(Family f = kCc);
  Family family;
  int index = 0;
  std::vector<std::unique_ptr<Params>> params;  // one per registered algorithm
  void visit(ParamVisitor& v) override;
  const Params& selected() const { return *params[static_cast<size_t>(index)]; }
};

// A load-balancing scheme for one traffic class (802.1p priority), overriding `lb`.
struct LbClassSpec final : Params {
  int64_t priority = 0;
  AlgorithmChoice lb{AlgorithmChoice::kLb};
  void visit(ParamVisitor& v) override {
    v.param("priority", priority, "the 802.1p priority (traffic class) this entry applies to",
            Range{0, 7});
    lb.visit(v);
  }
};

struct Scenario final : Params {
  Scenario();
  std::string name = "default";
  int64_t seed = 1;
  Time stop_time = Time::sec(1);
  TopologySpec topology;
  SwitchConfig switch_config;
  TransportConfig transport;
  AlgorithmChoice cc{AlgorithmChoice::kCc};
  AlgorithmChoice lb{AlgorithmChoice::kLb};
  std::vector<LbClassSpec> lb_classes;
  std::vector<TrafficSpec> traffic;
  WorkloadSpec workload;
  TelemetryConfig telemetry;
  std::string base_dir = ".";  // where relative file names are resolved (not a key)
  void visit(ParamVisitor& v) override;
  Status validate() const override;
};

// Loads a scenario: `path` empty means the built-in default (examples/default.yaml). Overrides are
// applied before reading, so they are validated like file contents.
Result<std::unique_ptr<Scenario>> load_scenario(const std::string& path,
                                                const std::vector<std::string>& overrides);
// The same from YAML text (tests, the built-in default).
Result<std::unique_ptr<Scenario>> load_scenario_text(const std::string& yaml,
                                                     const std::string& source,
                                                     const std::vector<std::string>& overrides);

}  // namespace aifabric
