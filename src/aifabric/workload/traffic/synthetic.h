// Synthetic traffic: permutation, N-to-1 incast and all-to-all, each with a message
// size, a start time, an optional start jitter and a priority. Generators are
// deterministic for a given random stream.
#pragma once

#include <cstdint>
#include <vector>

#include "aifabric/core/params.h"
#include "aifabric/core/random.h"
#include "aifabric/transport/flow_spec.h"

namespace aifabric {

struct TrafficCommon {
  Bytes size = Bytes::mib(16);
  Time start = Time::zero();
  Time start_jitter = Time::zero();  // each flow starts at start + U[0, jitter)
  int64_t priority = -1;             // -1 = transport.data_priority
  void visit(ParamVisitor& v, bool with_size = true);
};

struct PermutationTraffic final : Params {
  TrafficCommon common;
  int64_t shift = 0;  // 0 = random derangement; N = host i sends to host (i + N) mod hosts
  void visit(ParamVisitor& v) override {
    common.visit(v);
    v.param("shift", shift,
            "0 = a random permutation without fixed points; N = host i sends to host "
            "(i + N) mod hosts (N = hosts per leaf makes every flow cross the fabric)",
            Range{0, 1e9});
  }
};

struct IncastTraffic final : Params {
  TrafficCommon common;
  int64_t receiver = 0;
  int64_t fan_in = 16;
  std::vector<int64_t> senders;  // explicit sender hosts; empty = fan_in random hosts
  void visit(ParamVisitor& v) override {
    common.visit(v);
    v.param("receiver", receiver, "host index that receives", Range{0, 1e9});
    v.param("fan_in", fan_in, "number of senders, drawn at random from the other hosts",
            Range{1, 1e9});
    v.param("senders", senders, "explicit sender host indices (overrides fan_in)", Range{0, 1e9});
  }
};

struct AllToAllTraffic final : Params {
  TrafficCommon common;
  int64_t hosts = 0;  // the first N hosts take part; 0 = all
  void visit(ParamVisitor& v) override {
    common.visit(v);
    v.param("hosts", hosts, "the first N hosts exchange with each other; 0 = all", Range{0, 1e9});
  }
};

// Flow generators. `hosts` is the number of hosts in the topology; errors name the
// offending field.
Result<std::vector<FlowSpec>> permutation_flows(const PermutationTraffic& t, uint32_t hosts,
                                                uint8_t default_priority, RandomStream& rng);
Result<std::vector<FlowSpec>> incast_flows(const IncastTraffic& t, uint32_t hosts,
                                           uint8_t default_priority, RandomStream& rng);
Result<std::vector<FlowSpec>> all_to_all_flows(const AllToAllTraffic& t, uint32_t hosts,
                                               uint8_t default_priority, RandomStream& rng);

}  // namespace aifabric
