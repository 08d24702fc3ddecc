#include "aifabric/topo/builders/clos/clos.h"

#include <cmath>
#include <string>
#include <vector>

namespace aifabric {
namespace {

int64_t ceil_div(int64_t a, int64_t b) {
  return (a + b - 1) / b;
}

// The smallest divisor of `n` that is at least `at_least` (n itself at worst).
int64_t divisor_at_least(int64_t n, int64_t at_least) {
  for (int64_t d = std::max<int64_t>(at_least, 1); d < n; ++d) {
    if (n % d == 0) return d;
  }
  return n;
}

int64_t uplinks(int64_t radix, double ratio) {
  return static_cast<int64_t>(std::floor(static_cast<double>(radix) / (ratio + 1.0) + 1e-9));
}

}  // namespace

ClosConfig::Shape ClosConfig::shape() const {
  Shape s;
  s.leaf_up = uplinks(radix, leaf_oversubscription);
  s.leaf_down = radix - s.leaf_up;
  s.hosts_per_leaf = s.leaf_down * breakout;
  if (s.leaf_up < 1 || s.hosts_per_leaf < 1) return s;
  s.leaves = ceil_div(hosts, s.hosts_per_leaf);
  if (tiers == 2) {
    s.max_hosts = radix * s.hosts_per_leaf;
    s.spines = divisor_at_least(s.leaf_up, ceil_div(s.leaves * s.leaf_up, radix));
    s.leaf_spine_links = s.leaf_up / s.spines;
    return s;
  }
  s.spine_up = uplinks(radix, spine_oversubscription);
  s.spine_down = radix - s.spine_up;
  if (s.spine_up < 1) return s;
  s.leaves_per_pod = s.spine_down;
  s.spines_per_pod = s.leaf_up;
  s.leaf_spine_links = 1;
  s.pods = ceil_div(s.leaves, s.leaves_per_pod);
  s.spines = s.pods * s.spines_per_pod;
  s.cores_per_plane = divisor_at_least(s.spine_up, ceil_div(s.pods * s.spine_up, radix));
  s.spine_core_links = s.spine_up / s.cores_per_plane;
  s.cores = s.spines_per_pod * s.cores_per_plane;
  s.max_hosts = radix * s.leaves_per_pod * s.hosts_per_leaf;
  return s;
}

Status ClosConfig::validate() const {
  const auto n = [](int64_t v) { return std::to_string(v); };
  if (tiers != 2 && tiers != 3) return Status::error("tiers: must be 2 or 3, got " + n(tiers));
  const Shape s = shape();
  if (s.leaf_up < 1) {
    return Status::error("leaf_oversubscription: " + std::to_string(leaf_oversubscription) +
                         " leaves a radix-" + n(radix) + " leaf no uplink");
  }
  if (tiers == 3 && s.spine_up < 1) {
    return Status::error("spine_oversubscription: " + std::to_string(spine_oversubscription) +
                         " leaves a radix-" + n(radix) + " spine no uplink");
  }
  if (hosts > s.max_hosts) {
    return Status::error("hosts: " + n(hosts) + " hosts exceed the " + n(s.max_hosts) + " a " +
                         n(tiers) + "-tier CLOS of radix " + n(radix) + " holds" +
                         (tiers == 2 ? " (use tiers: 3 or a larger radix)" : ""));
  }
  if (breakout > 1 &&
      host_link.rate.bits_per_second() * breakout > leaf_uplink.rate.bits_per_second()) {
    return Status::error("breakout: " + n(breakout) + " host links of " +
                         std::to_string(host_link.rate.to_gbps()) +
                         " Gb/s do not fit in one leaf port of leaf_uplink.rate " +
                         std::to_string(leaf_uplink.rate.to_gbps()) + " Gb/s");
  }
  if (s.hosts_per_leaf + s.leaf_up > 65535) {
    return Status::error("breakout: a leaf would need more than 65535 ports");
  }
  return Status::ok();
}

TopologySize clos_size(const ClosConfig& c) {
  const ClosConfig::Shape s = c.shape();
  const auto h = static_cast<uint64_t>(c.hosts);
  TopologySize z;
  z.hosts = h;
  z.switches = static_cast<uint64_t>(s.leaves + s.spines + s.cores);
  z.links = h + static_cast<uint64_t>(s.leaves * s.leaf_up + s.spines * s.spine_up);
  z.attachments = static_cast<uint64_t>(s.leaves);
  return z;
}

TopologyGraph build_clos(const ClosConfig& c) {
  const ClosConfig::Shape s = c.shape();
  TopologyGraph g;
  for (int64_t h = 0; h < c.hosts; ++h) {
    g.add_node(NodeKind::kHost, "host" + std::to_string(h), 0);
  }
  std::vector<uint32_t> leaf;
  std::vector<uint32_t> spine;
  std::vector<uint32_t> core;
  for (int64_t l = 0; l < s.leaves; ++l) {
    leaf.push_back(g.add_node(NodeKind::kSwitch, "leaf" + std::to_string(l), 1));
  }
  for (int64_t i = 0; i < s.spines; ++i) {
    spine.push_back(g.add_node(NodeKind::kSwitch, "spine" + std::to_string(i), 2));
  }
  for (int64_t i = 0; i < s.cores; ++i) {
    core.push_back(g.add_node(NodeKind::kSwitch, "core" + std::to_string(i), 3));
  }
  for (int64_t h = 0; h < c.hosts; ++h) {
    g.add_link(g.hosts()[static_cast<size_t>(h)], leaf[static_cast<size_t>(h / s.hosts_per_leaf)],
               c.host_link.link());
  }
  if (c.tiers == 2) {
    for (uint32_t l : leaf) {
      for (uint32_t sp : spine) {
        for (int64_t k = 0; k < s.leaf_spine_links; ++k) g.add_link(l, sp, c.leaf_uplink.link());
      }
    }
    return g;
  }
  for (int64_t l = 0; l < s.leaves; ++l) {
    const int64_t pod = l / s.leaves_per_pod;
    for (int64_t i = 0; i < s.spines_per_pod; ++i) {
      g.add_link(leaf[static_cast<size_t>(l)],
                 spine[static_cast<size_t>(pod * s.spines_per_pod + i)], c.leaf_uplink.link());
    }
  }
  for (int64_t p = 0; p < s.pods; ++p) {
    for (int64_t i = 0; i < s.spines_per_pod; ++i) {
      for (int64_t j = 0; j < s.cores_per_plane; ++j) {
        for (int64_t k = 0; k < s.spine_core_links; ++k) {
          g.add_link(spine[static_cast<size_t>(p * s.spines_per_pod + i)],
                     core[static_cast<size_t>(i * s.cores_per_plane + j)], c.spine_uplink.link());
        }
      }
    }
  }
  return g;
}

}  // namespace aifabric
