// A 3-tier Clos as in the HPCC paper's evaluation (320 hosts at 100 Gb/s, 20 ToRs, 20
// aggregation and 16 core switches, 400 Gb/s fabric links): `pods` pods, each of
// T = tors/pods ToRs and A = aggs/pods aggregation switches fully meshed; aggregation
// switch i of every pod connects to core group i, cores i*G .. i*G + G - 1 with
// G = cores/A. Hosts first (host index = node id), then ToRs, aggs, cores.
//
//   links = hosts + pods*T*A + aggs*G;   equal-cost paths between hosts: 1 under one
//   ToR, A within a pod, A*G = cores across pods.
#pragma once

#include "aifabric/core/params.h"
#include "aifabric/net/link.h"
#include "aifabric/topo/builder.h"
#include "aifabric/topo/graph.h"

namespace aifabric {

// A link of rate `rate` and the default 1 us delay (the paper's links).
inline LinkSpec clos3_link(BitRate rate) {
  LinkSpec l;
  l.rate = rate;
  return l;
}

struct Clos3Config final : ParamsOf<Clos3Config> {
  int64_t tors = 20;
  int64_t aggs = 20;
  int64_t cores = 16;
  int64_t hosts_per_tor = 16;
  int64_t pods = 10;
  LinkSpec host_link = clos3_link(BitRate::gbps(100));
  LinkSpec fabric_link = clos3_link(BitRate::gbps(400));
  void visit(ParamVisitor& v) override {
    v.param("tors", tors, "top-of-rack switches in all, tors/pods per pod", Range{1, 100000});
    v.param("aggs", aggs, "aggregation switches in all, aggs/pods per pod", Range{1, 100000});
    v.param("cores", cores,
            "core switches; a multiple of aggs/pods: aggregation switch i of each pod "
            "connects to the i-th group of cores/(aggs/pods)",
            Range{1, 100000});
    v.param("hosts_per_tor", hosts_per_tor, "hosts attached to each ToR", Range{1, 100000});
    v.param("pods", pods, "pods; each ToR connects to every aggregation switch of its pod",
            Range{1, 100000});
    v.section("host_link", host_link, "host-to-ToR links");
    v.section("fabric_link", fabric_link, "ToR-to-aggregation and aggregation-to-core links");
  }
  Status validate() const override;
  int64_t tors_per_pod() const { return tors / pods; }
  int64_t aggs_per_pod() const { return aggs / pods; }
  int64_t core_group() const { return cores / aggs_per_pod(); }
};

TopologyGraph build_clos3(const Clos3Config& c);
inline TopologySize clos3_size(const Clos3Config& c) {
  const auto hosts = static_cast<uint64_t>(c.tors * c.hosts_per_tor);
  const auto fabric = static_cast<uint64_t>(c.tors * c.aggs_per_pod() + c.aggs * c.core_group());
  return {hosts, static_cast<uint64_t>(c.tors + c.aggs + c.cores), hosts + fabric,
          static_cast<uint64_t>(c.tors)};
}

}  // namespace aifabric
