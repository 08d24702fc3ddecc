#include "aifabric/topo/builders/clos3/clos3.h"

#include <string>
#include <vector>

namespace aifabric {

Status Clos3Config::validate() const {
  const auto n = [](int64_t v) { return std::to_string(v); };
  if (tors % pods != 0) {
    return Status::error("tors: " + n(tors) + " ToRs do not split evenly into " + n(pods) +
                         " pods");
  }
  if (aggs % pods != 0) {
    return Status::error("aggs: " + n(aggs) + " aggregation switches do not split evenly into " +
                         n(pods) + " pods");
  }
  if (cores % aggs_per_pod() != 0) {
    return Status::error("cores: " + n(cores) + " cores do not split into " + n(aggs_per_pod()) +
                         " equal groups (one per aggregation switch of a pod)");
  }
  if (tors * hosts_per_tor < 2) return Status::error("hosts_per_tor: needs at least 2 hosts");
  if (hosts_per_tor + aggs_per_pod() > 65535) {
    return Status::error("hosts_per_tor: a ToR would need more than 65535 ports");
  }
  if (tors_per_pod() + core_group() > 65535 || pods > 65535) {
    return Status::error("pods: a switch would need more than 65535 ports");
  }
  return Status::ok();
}

TopologyGraph build_clos3(const Clos3Config& c) {
  TopologyGraph g;
  const int64_t t = c.tors_per_pod();
  const int64_t a = c.aggs_per_pod();
  const int64_t group = c.core_group();
  std::vector<uint32_t> hosts;
  for (int64_t i = 0; i < c.tors * c.hosts_per_tor; ++i) {
    hosts.push_back(g.add_node(NodeKind::kHost, "host" + std::to_string(i), 0));
  }
  std::vector<uint32_t> tor;
  std::vector<uint32_t> agg;
  std::vector<uint32_t> core;
  for (int64_t p = 0; p < c.pods; ++p) {
    for (int64_t i = 0; i < t; ++i) {
      tor.push_back(
          g.add_node(NodeKind::kSwitch, "tor" + std::to_string(p) + "_" + std::to_string(i), 1));
    }
  }
  for (int64_t p = 0; p < c.pods; ++p) {
    for (int64_t i = 0; i < a; ++i) {
      agg.push_back(
          g.add_node(NodeKind::kSwitch, "agg" + std::to_string(p) + "_" + std::to_string(i), 2));
    }
  }
  for (int64_t i = 0; i < c.cores; ++i) {
    core.push_back(g.add_node(NodeKind::kSwitch, "core" + std::to_string(i), 3));
  }
  for (int64_t r = 0; r < c.tors; ++r) {
    for (int64_t h = 0; h < c.hosts_per_tor; ++h) {
      g.add_link(hosts[static_cast<size_t>(r * c.hosts_per_tor + h)], tor[r], c.host_link.link());
    }
  }
  for (int64_t p = 0; p < c.pods; ++p) {
    for (int64_t r = 0; r < t; ++r) {
      for (int64_t i = 0; i < a; ++i) {
        g.add_link(tor[p * t + r], agg[p * a + i], c.fabric_link.link());
      }
    }
  }
  for (int64_t p = 0; p < c.pods; ++p) {
    for (int64_t i = 0; i < a; ++i) {
      for (int64_t j = 0; j < group; ++j) {
        g.add_link(agg[p * a + i], core[i * group + j], c.fabric_link.link());
      }
    }
  }
  return g;
}

}  // namespace aifabric
