// A builder's scale-up domain (super-node): GPUs of one NVLink/NVSwitch domain of 8 to
// 72+ GPUs (NVL72), or a 2-level NVLink Clos (NV576: 8 first-level domains of 72 joined
// by a second NVSwitch level), beside the scale-out NIC fabric. The domain is plain data
// on the graph (NvlinkDomains): workloads keep its transfers on NVLink, off the NICs.
#pragma once

#include <string>

#include "aifabric/core/params.h"
#include "aifabric/core/status.h"
#include "aifabric/topo/graph.h"

namespace aifabric {

struct ScaleUpConfig final : ParamsOf<ScaleUpConfig> {
  // 0: none declared (workloads assume their own gpus_per_node servers).
  int64_t gpus = 0;
  // NVLink 5 (GB200 NVL72): 18 links x 100 GB/s = 1.8 TB/s per GPU both ways, 900 GB/s
  // = 7.2 Tb/s per direction (NVIDIA GB200 NVL72 datasheet).
  BitRate rate = BitRate::gbps(7200);
  Time latency = Time::us(2);
  // 2-level NVLink Clos: first-level groups of `group` GPUs (0: one level).
  int64_t group = 0;
  Time cross_latency = Time::us(3);
  // 0: the same as `rate` (NV576's second level is non-blocking).
  BitRate cross_rate = BitRate::bps(0);
  void visit(ParamVisitor& v) override {
    v.param("gpus", gpus,
            "GPUs per scale-up (NVLink) domain, e.g. 8 (a DGX server), 72 (NVL72), 576 "
            "(NV576); a multiple of the servers' GPUs. 0: none declared",
            Range{0, 100000});
    v.param("rate", rate, "NVLink bandwidth per GPU per direction (NVL72: 7200 Gbps)");
    v.param("latency", latency, "NVLink transfer latency inside a first-level domain");
    v.param("group", group,
            "a 2-level NVLink Clos: GPUs per first-level domain (NV576: 72); 0 = one level",
            Range{0, 100000});
    v.param("cross_latency", cross_latency,
            "2-level: latency between first-level domains (two more NVSwitch hops)");
    v.param("cross_rate", cross_rate,
            "2-level: NVLink bandwidth per GPU per direction across first-level domains; 0 = "
            "rate (non-blocking second level)");
  }
  Status validate() const override {
    if (gpus == 0) return Status::ok();
    if (rate.bits_per_second() <= 0) return Status::error("rate must be positive");
    if (latency < Time::zero()) return Status::error("latency must be >= 0");
    if (group > 0) {
      if (gpus % group != 0 || group == gpus) {
        return Status::error("group (" + std::to_string(group) + ") must divide gpus (" +
                             std::to_string(gpus) + ") into two or more first-level domains");
      }
      if (cross_latency < latency) return Status::error("cross_latency must be >= latency");
      if (cross_rate.bits_per_second() < 0) return Status::error("cross_rate must be >= 0");
    }
    return Status::ok();
  }
  // Checked against the builder's servers.
  Status fits(int64_t gpus_per_server, int64_t total_gpus) const {
    if (gpus == 0) return Status::ok();
    if (gpus % gpus_per_server != 0) {
      return Status::error("scale_up.gpus (" + std::to_string(gpus) +
                           ") must be a multiple of the GPUs per server (" +
                           std::to_string(gpus_per_server) + ")");
    }
    if (total_gpus % gpus != 0) {
      return Status::error("scale_up.gpus (" + std::to_string(gpus) + ") must divide the GPUs (" +
                           std::to_string(total_gpus) + ")");
    }
    if (group > 0 && group % gpus_per_server != 0) {
      return Status::error("scale_up.group (" + std::to_string(group) +
                           ") must be a multiple of the GPUs per server (" +
                           std::to_string(gpus_per_server) + ")");
    }
    return Status::ok();
  }
  // Declares the domains on `g` over its first `gpus_total` hosts (one plane's).
  void apply(TopologyGraph& g, uint32_t gpus_total) const {
    if (gpus == 0) return;
    NvlinkDomains d;
    d.server_of_host.resize(gpus_total);
    for (uint32_t h = 0; h < gpus_total; ++h) {
      d.server_of_host[h] = h / static_cast<uint32_t>(gpus);
    }
    d.gpus_per_server = static_cast<uint32_t>(gpus);
    d.rate = rate;
    d.latency = latency;
    d.group = static_cast<uint32_t>(group);
    d.cross_latency = group > 0 ? cross_latency : latency;
    d.cross_rate = group > 0 && cross_rate.bits_per_second() > 0 ? cross_rate : rate;
    g.set_nvlink(d);
  }
};

}  // namespace aifabric
