// The build-out planner's counting (the rules are in bom.h): integer arithmetic on
// lanes, fabric links and cages; doubles only for ratios, bandwidth totals and money.
// One file of four sections (counting, prices, output, scenario) rather than four files:
// the later sections share the counting's private helpers (ceil_div, is_rail,
// is_three_tier, the plane shape), which would otherwise become public API of bom.h.
#include "aifabric/plan/bom.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <tuple>

#include "aifabric/core/parse.h"

namespace aifabric {
namespace {

constexpr int64_t kMaxEndpoints = 10'000'000;
constexpr int64_t kMaxRadix = 65'536;

int64_t ceil_div(int64_t a, int64_t b) {
  return (a + b - 1) / b;
}

// "400G", "51.2T"; other rates in the parser's notation.
std::string short_rate(BitRate r) {
  const int64_t bps = r.bits_per_second();
  if (bps <= 0 || bps % 1'000'000'000 != 0) return format_rate(r);
  const int64_t g = bps / 1'000'000'000;
  if (g >= 1000) return fmt::format("{:g}T", static_cast<double>(g) / 1000.0);
  return fmt::format("{}G", g);
}

std::string with_commas(int64_t v) {
  const std::string digits = std::to_string(v < 0 ? -v : v);
  std::string s(v < 0 ? "-" : "");
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) s.push_back(',');
    s.push_back(digits[i]);
  }
  return s;
}

// A switch's lanes split between `down` lanes (to hosts or leaves) and `up` links of
// `k` lanes each, the most down lanes with up bandwidth >= down / o.
struct Split {
  int64_t down = 0;
  int64_t up = 0;
};
int64_t uplinks_for(int64_t down, int64_t k, double o) {
  return static_cast<int64_t>(
      std::ceil(static_cast<double>(down) / (o * static_cast<double>(k)) - 1e-9));
}
Split split(int64_t lanes, int64_t k, double o) {
  for (auto d = static_cast<int64_t>(std::floor(static_cast<double>(lanes) * o / (o + 1) + 1e-9));
       d > 0; --d) {
    const int64_t u = uplinks_for(d, k, o);
    if (d + u * k <= lanes) return {d, u};
  }
  return {};
}

// The fewest switches n, dividing each lower switch's `up` links (so every pair gets
// up/n links), whose `ports` each hold `lower` * up/n links.
int64_t mesh_size(int64_t up, int64_t lower, int64_t ports) {
  for (int64_t n = 1; n <= up; ++n) {
    if (up % n == 0 && lower * (up / n) <= ports) return n;
  }
  return 0;  // lower > ports
}

// Cages a side of a switch uses for `lanes` of `rate`.
int64_t cages(int64_t lanes, BitRate rate, BitRate cage) {
  const int128 bits = static_cast<int128>(lanes) * rate.bits_per_second();
  return static_cast<int64_t>((bits + cage.bits_per_second() - 1) / cage.bits_per_second());
}

bool is_rail(Design d) {
  return d == Design::kRailOptimized || d == Design::kRailOptimized3 || d == Design::kMultiPlane;
}
bool is_three_tier(Design d) {
  return d == Design::kThreeTier || d == Design::kRailOptimized3;
}

// `n` items spread evenly over `bins`: how many bins hold the larger share.
struct Spread {
  int64_t most = 0;  // items in the fullest bin
  int64_t full = 0;  // bins holding `most`
  int64_t rest = 0;  // bins holding most - 1
};
Spread spread(int64_t n, int64_t bins) {
  Spread s;
  s.most = ceil_div(n, bins);
  s.full = n - bins * (s.most - 1);
  s.rest = bins - s.full;
  return s;
}

struct Ctx {
  const PlanConfig& c;
  Design design;
  int64_t planes;
  BitRate r, f, s;
  int64_t radix, fradix, k;
  int64_t ports_per_server() const { return c.gpus_per_server * c.nic_ports / planes; }
};

// The reach of a plane in endpoints at leaf oversubscription o1, spine o2.
int64_t plane_reach(const Ctx& x, double o1, double o2) {
  const int64_t d1 = split(x.radix, x.k, o1).down;
  const int64_t pps = x.ports_per_server();
  int64_t leaves_max = x.fradix;
  if (is_rail(x.design)) leaves_max = (x.fradix / pps) * pps;
  if (!is_three_tier(x.design)) return leaves_max * d1;
  const int64_t d2 = split(x.fradix, 1, o2).down;
  int64_t per_pod = d2;
  if (is_rail(x.design)) per_pod = (d2 / pps) * pps;
  return x.fradix * per_pod * d1;
}

// Counts one plane (all planes alike) and scales by planes. Refuses what does not fit.
Result<BillOfMaterials> count(const Ctx& x) {
  const PlanConfig& c = x.c;
  BillOfMaterials b;
  b.design = x.design;
  b.planes = x.planes;
  b.gpus = c.gpus;
  b.servers = c.gpus / c.gpus_per_server;
  b.endpoints = c.gpus * c.nic_ports;
  b.nic_rate = x.r;
  b.fabric_rate = x.f;
  b.radix = x.radix;
  b.fabric_radix = x.fradix;
  const int64_t pps = x.ports_per_server();
  const int64_t per_gpu_planes = x.planes;
  b.max_gpus_nonblocking = plane_reach(x, 1, 1) * per_gpu_planes / c.nic_ports;
  b.max_gpus =
      plane_reach(x, c.oversubscription, c.spine_oversubscription) * per_gpu_planes / c.nic_ports;

  PlaneShape& p = b.plane;
  p.endpoints = b.endpoints / x.planes;
  p.ports_per_server = pps;
  const Split leaf = split(x.radix, x.k, c.oversubscription);
  if (leaf.down == 0 || leaf.up == 0) {
    return Status::error(fmt::format("oversubscription: {} leaves no uplink on a {}-port switch",
                                     c.oversubscription, x.radix));
  }
  // Leaves, and the endpoints of the fullest and of the others.
  Spread per_leaf;
  int64_t groups = 0;
  if (is_rail(x.design)) {
    groups = ceil_div(b.servers, leaf.down);
    const Spread g = spread(b.servers, groups);
    p.leaves = pps * groups;
    p.servers_per_leaf = g.most;
    per_leaf = {g.most, g.full * pps, g.rest * pps};
  } else {
    p.leaves = ceil_div(p.endpoints, leaf.down);
    per_leaf = spread(p.endpoints, p.leaves);
    p.servers_per_leaf = ceil_div(per_leaf.most, pps);
  }
  p.down_per_leaf = per_leaf.most;
  const auto reach_error = [&] {
    const std::string how =
        c.oversubscription == 1 && (!is_three_tier(x.design) || c.spine_oversubscription == 1)
            ? "non-blocking"
            : "at this oversubscription";
    return Status::error(fmt::format(
        "{} cannot reach {} GPUs {} with {}-port switches ({} at {}; max {} per plane)",
        design_name(x.design), c.gpus, how, x.radix, short_rate(c.switch_capacity), short_rate(x.r),
        with_commas(plane_reach(x, c.oversubscription, c.spine_oversubscription) / c.nic_ports)));
  };

  // Host-leaf cages on the leaves.
  const int64_t host_cages = per_leaf.full * cages(per_leaf.most, x.r, x.s) +
                             per_leaf.rest * cages(per_leaf.most - 1, x.r, x.s);
  int64_t ls_links = 0, ls_cages = 0, sc_links = 0, sc_cages = 0;
  int64_t spines = 0, cores = 0;
  double tier_bw[3] = {
      static_cast<double>(p.endpoints) * static_cast<double>(x.r.bits_per_second()), -1, -1};
  if (p.leaves > 1) p.up_per_leaf = uplinks_for(per_leaf.most, x.k, c.oversubscription);
  if (!is_three_tier(x.design)) {
    if (p.leaves > x.fradix) return reach_error();
    if (p.leaves > 1) {
      spines = mesh_size(p.up_per_leaf, p.leaves, x.fradix);
      p.spines = spines;
      p.links_per_leaf_spine = p.up_per_leaf / spines;
      ls_links = p.leaves * p.up_per_leaf;
      ls_cages = p.leaves * cages(p.up_per_leaf, x.f, x.s) +
                 spines * cages(p.leaves * p.links_per_leaf_spine, x.f, x.s);
      tier_bw[1] = static_cast<double>(ls_links) * static_cast<double>(x.f.bits_per_second());
      if (spines * x.fradix > p.leaves * p.up_per_leaf) {
        b.notes.push_back(fmt::format(
            "spines: {} per plane, {} link(s) from every leaf to every spine, {} of {} ports used",
            spines, p.links_per_leaf_spine, p.leaves * p.links_per_leaf_spine, x.fradix));
      }
    }
    b.max_switch_hops = p.leaves > 1 ? 3 : 1;
  } else {
    const Split agg = split(x.fradix, 1, c.spine_oversubscription);
    if (agg.down == 0 || agg.up == 0) {
      return Status::error(
          fmt::format("spine_oversubscription: {} leaves no uplink on a {}-port switch",
                      c.spine_oversubscription, x.fradix));
    }
    // Pods and the leaves of the fullest pod (rail designs: whole leaf groups).
    Spread per_pod;
    if (is_rail(x.design)) {
      const int64_t groups_per_pod = agg.down / pps;
      if (groups_per_pod == 0) {
        return Status::error(fmt::format(
            "design: rail_optimized3 needs an aggregation switch with {} down ports (one per rail),"
            " the switch has {}",
            pps, agg.down));
      }
      p.pods = ceil_div(groups, groups_per_pod);
      const Spread g = spread(groups, p.pods);
      per_pod = {g.most * pps, g.full, g.rest};
      per_pod.most = g.most * pps;
    } else {
      p.pods = ceil_div(p.leaves, agg.down);
      per_pod = spread(p.leaves, p.pods);
    }
    p.leaves_per_pod = per_pod.most;
    if (p.pods > x.fradix) return reach_error();
    const int64_t aggs_per_pod = p.up_per_leaf;  // one link from each leaf to each
    const int64_t pps_rail = is_rail(x.design) ? pps : 1;
    spines = p.pods * aggs_per_pod;
    p.spines = spines;
    p.links_per_leaf_spine = 1;
    ls_links = p.leaves * p.up_per_leaf;
    // Aggregation down cages: pods of `most` leaves and of the smaller share.
    const int64_t smaller = per_pod.most - pps_rail;
    ls_cages = p.leaves * cages(p.up_per_leaf, x.f, x.s) +
               aggs_per_pod * (per_pod.full * cages(per_pod.most, x.f, x.s) +
                               per_pod.rest * cages(smaller, x.f, x.s));
    tier_bw[1] = static_cast<double>(ls_links) * static_cast<double>(x.f.bits_per_second());
    if (p.pods == 1) {
      b.notes.push_back("three tiers: the cluster fits in one pod, so the core tier is empty");
      b.max_switch_hops = p.leaves > 1 ? 3 : 1;
    } else {
      p.up_per_spine = uplinks_for(per_pod.most, 1, c.spine_oversubscription);
      p.core_group = mesh_size(p.up_per_spine, p.pods, x.fradix);
      p.links_per_spine_core = p.up_per_spine / p.core_group;
      cores = aggs_per_pod * p.core_group;
      p.cores = cores;
      sc_links = spines * p.up_per_spine;
      sc_cages = spines * cages(p.up_per_spine, x.f, x.s) +
                 cores * cages(p.pods * p.links_per_spine_core, x.f, x.s);
      tier_bw[2] = static_cast<double>(sc_links) * static_cast<double>(x.f.bits_per_second());
      b.max_switch_hops = 5;
    }
  }
  b.leaf_switches = p.leaves * x.planes;
  b.spine_switches = spines * x.planes;
  b.core_switches = cores * x.planes;
  b.oversubscription = p.up_per_leaf == 0 ? 1
                                          : static_cast<double>(per_leaf.most) /
                                                static_cast<double>(p.up_per_leaf * x.k);
  double bottleneck = tier_bw[0];
  for (const double t : tier_bw) {
    if (t >= 0) bottleneck = std::min(bottleneck, t);
  }
  b.bisection = BitRate::bps(static_cast<int64_t>(bottleneck / 2 * static_cast<double>(x.planes)));

  // Host links: copper when asked, or auto and the leaf sits in its servers' rack.
  bool optical_hosts = true;
  if (c.host_links == HostLinks::kCopper) {
    optical_hosts = false;
  } else if (c.host_links == HostLinks::kAuto) {
    optical_hosts = is_rail(x.design) || p.servers_per_leaf > c.servers_per_rack;
    b.notes.push_back(
        optical_hosts
            ? (is_rail(x.design)
                   ? std::string("host links optical: a rail leaf serves servers in many racks")
                   : fmt::format("host links optical: a leaf serves {} servers, more than a rack's"
                                 " {} (servers_per_rack)",
                                 p.servers_per_leaf, c.servers_per_rack))
            : fmt::format("host links copper (DAC): a leaf serves {} servers, within a rack",
                          p.servers_per_leaf));
  }
  const int64_t fibers_per = [&](BitRate rate) {
    return 2 * ceil_div(rate.bits_per_second(), c.fiber_lane_rate.bits_per_second());
  }(x.r);
  const int64_t fabric_fibers =
      2 * ceil_div(x.f.bits_per_second(), c.fiber_lane_rate.bits_per_second());
  const int64_t P = x.planes;
  Boundary hl{"host_leaf", b.endpoints, x.r, optical_hosts};
  const int64_t nic_modules = b.endpoints / c.nic_ports_per_module;
  if (optical_hosts) {
    hl.modules = nic_modules + host_cages * P;
    hl.fibers = b.endpoints * fibers_per;
  } else {
    hl.copper_cables = host_cages * P;
  }
  b.boundaries.push_back(hl);
  if (ls_links > 0) {
    b.boundaries.push_back(
        {"leaf_spine", ls_links * P, x.f, true, ls_cages * P, ls_links * P * fabric_fibers, 0});
  }
  if (sc_links > 0) {
    b.boundaries.push_back(
        {"spine_core", sc_links * P, x.f, true, sc_cages * P, sc_links * P * fabric_fibers, 0});
  }
  for (const Boundary& bd : b.boundaries) {
    b.optical_modules += bd.modules;
    b.fibers += bd.fibers;
    b.copper_cables += bd.copper_cables;
    if (bd.optical) b.optical_links += bd.links;
  }
  // Parts by type.
  const BitRate nic_cage = BitRate::bps(x.r.bits_per_second() * c.nic_ports_per_module);
  auto add = [&](const std::string& kind, BitRate rate, BitRate lane, const std::string& where,
                 int64_t n) {
    if (n == 0) return;
    for (Part& q : b.parts) {
      if (q.kind == kind && q.rate == rate && q.lane_rate == lane && q.where == where) {
        q.count += n;
        return;
      }
    }
    b.parts.push_back(
        {kind, rate, rate.bits_per_second() / lane.bits_per_second(), lane, where, n});
  };
  if (optical_hosts) {
    add("module", nic_cage, x.r, "NIC", nic_modules);
    add("module", x.s, x.r, "switch", host_cages * P);
  } else {
    add("dac", x.s, x.r, "switch", host_cages * P);
  }
  add("module", x.s, x.f, "switch", (ls_cages + sc_cages) * P);
  if (x.design == Design::kMultiPlane) {
    b.notes.push_back(
        fmt::format("{} planes of {} rails each ({} port(s) per server per plane); traffic "
                    "between planes crosses the server's NVLink",
                    P, pps, pps));
  }
  return b;
}

Result<Ctx> context(const PlanConfig& c, Design d, int64_t planes) {
  Ctx x{c, d, planes, c.nic_rate, c.fabric_rate(), c.switch_port_rate, 0, 0, 0};
  x.radix = c.switch_capacity.bits_per_second() / x.r.bits_per_second();
  x.fradix = c.switch_capacity.bits_per_second() / x.f.bits_per_second();
  x.k = x.f.bits_per_second() / x.r.bits_per_second();
  return x;
}

Result<BillOfMaterials> plan_design(const PlanConfig& c, Design d) {
  if (d != Design::kMultiPlane) {
    auto x = context(c, d, 1);
    return count(*x);
  }
  const int64_t ports = c.gpus_per_server * c.nic_ports;
  if (c.planes > 0) {
    if (ports % c.planes != 0) {
      return Status::error(fmt::format(
          "planes: {} planes do not divide a server's {} NIC ports ({} GPUs x {} ports)", c.planes,
          ports, c.gpus_per_server, c.nic_ports));
    }
    auto x = context(c, d, c.planes);
    return count(*x);
  }
  Status last = Status::ok();
  for (int64_t p = 2; p <= ports; ++p) {
    if (ports % p != 0) continue;
    auto x = context(c, d, p);
    auto b = count(*x);
    if (b) {
      b->notes.push_back(fmt::format("planes: {} (the fewest that fit; set planes to choose)", p));
      return b;
    }
    last = b.status();
  }
  if (ports < 2) {
    return Status::error(
        "design: multi_plane needs at least 2 NIC ports per server to deal to "
        "planes");
  }
  return Status::error(fmt::format(
      "multi_plane cannot reach {} GPUs with any planes dividing a server's {} ports ({})", c.gpus,
      ports, last.message()));
}

}  // namespace

std::string_view design_name(Design d) {
  return kDesignNames[static_cast<size_t>(d)];
}

std::string Part::label() const {
  if (kind == "dac") {
    return lanes > 1 ? fmt::format("{} DAC breakout {}x{}", short_rate(rate), lanes,
                                   short_rate(lane_rate))
                     : fmt::format("{} DAC", short_rate(rate));
  }
  const std::string what =
      lanes > 1 ? fmt::format("{} module {}x{}", short_rate(rate), lanes, short_rate(lane_rate))
                : fmt::format("{} module", short_rate(rate));
  return what + " (" + where + ")";
}

void PlanConfig::visit(ParamVisitor& v) {
  v.param("gpus", gpus, "GPUs in the cluster", Range{1, static_cast<double>(kMaxEndpoints)});
  v.param("gpus_per_server", gpus_per_server, "GPUs per server (each with its own NIC)",
          Range{1, 64});
  v.param("nic_rate", nic_rate, "rate of one NIC port (a GPU's NIC has nic_ports of them)");
  v.param("nic_ports", nic_ports,
          "network ports per GPU NIC (or breakout lanes); multi_plane deals a server's ports to "
          "the planes",
          Range{1, 16});
  v.param("nic_ports_per_module", nic_ports_per_module,
          "NIC ports one optical module carries (2: a 2x200G module for two 200G ports)",
          Range{1, 16});
  v.param("switch_capacity", switch_capacity, "switching capacity of every switch (51.2Tbps)");
  v.param("switch_port_rate", switch_port_rate,
          "rate of a switch cage (800Gbps: 64 of them at 51.2T); it breaks out into equal lanes");
  v.param("fabric_link_rate", fabric_link_rate,
          "rate of leaf-spine and spine-core links; 0 = nic_rate (the largest radix)");
  visit_enum(v, "design", design, kDesignNames,
             "two_tier (leaf-spine), three_tier (fat-tree / Clos), rail_optimized (2-tier), "
             "rail_optimized3, multi_plane (planes of 2-tier rail-optimized)");
  v.param("oversubscription", oversubscription,
          "leaf host bandwidth : uplink bandwidth (1 = non-blocking)", Range{1, 64});
  v.param("spine_oversubscription", spine_oversubscription,
          "3-tier aggregation down : up bandwidth (1 = non-blocking)", Range{1, 64});
  v.param("planes", planes, "multi_plane: independent planes; 0 = the fewest that fit",
          Range{0, 64});
  visit_enum(v, "host_links", host_links, kHostLinkNames,
             "host-to-leaf cabling: optical, copper (DAC, <= 3 m), or auto (copper when a "
             "two_tier/three_tier leaf serves at most servers_per_rack servers, else optical)");
  v.param("servers_per_rack", servers_per_rack,
          "servers in one rack (auto host_links: a leaf serving more sits outside the rack)",
          Range{1, 1000});
  v.param("fiber_lane_rate", fiber_lane_rate,
          "rate of one optical lane; an optical link has a fiber pair per lane (100Gbps: DR4 "
          "400G = 8 fibers)");
}

Status PlanConfig::validate() const {
  const auto n = [](int64_t v) { return std::to_string(v); };
  if (gpus < 1) return Status::error("gpus: must be at least 1 (got " + n(gpus) + ")");
  if (gpus_per_server < 1) return Status::error("gpus_per_server: must be at least 1");
  if (gpus % gpus_per_server != 0) {
    return Status::error("gpus: " + n(gpus) + " is not a whole number of servers of " +
                         n(gpus_per_server) + " GPUs (gpus_per_server)");
  }
  if (nic_ports < 1) return Status::error("nic_ports: must be at least 1");
  if (gpus * nic_ports > kMaxEndpoints) {
    return Status::error("gpus: more than " + with_commas(kMaxEndpoints) + " NIC ports");
  }
  if (nic_ports_per_module < 1 || nic_ports % nic_ports_per_module != 0) {
    return Status::error("nic_ports_per_module: " + n(nic_ports_per_module) +
                         " does not divide nic_ports (" + n(nic_ports) + ")");
  }
  const auto positive = [](BitRate r, const char* key) {
    return r.bits_per_second() > 0 ? Status::ok()
                                   : Status::error(std::string(key) + ": must be above 0");
  };
  for (auto st : {positive(nic_rate, "nic_rate"), positive(switch_capacity, "switch_capacity"),
                  positive(switch_port_rate, "switch_port_rate"),
                  positive(fiber_lane_rate, "fiber_lane_rate")}) {
    if (!st) return st;
  }
  const int64_t cap = switch_capacity.bits_per_second();
  const int64_t port = switch_port_rate.bits_per_second();
  const int64_t nic = nic_rate.bits_per_second();
  const int64_t fab = fabric_rate().bits_per_second();
  if (cap % port != 0) {
    return Status::error("switch_port_rate: " + short_rate(switch_port_rate) +
                         " does not divide switch_capacity (" + short_rate(switch_capacity) + ")");
  }
  if (nic > port || port % nic != 0) {
    return Status::error("nic_rate: a switch cage of " + short_rate(switch_port_rate) +
                         " does not break out into lanes of " + short_rate(nic_rate));
  }
  if (cap / nic > kMaxRadix) {
    return Status::error("nic_rate: " + short_rate(nic_rate) + " gives switches of more than " +
                         n(kMaxRadix) + " ports");
  }
  if (fab > port || port % fab != 0 || fab % nic != 0) {
    return Status::error("fabric_link_rate: " + short_rate(fabric_rate()) +
                         " must be a multiple of nic_rate (" + short_rate(nic_rate) +
                         ") that divides switch_port_rate (" + short_rate(switch_port_rate) + ")");
  }
  if (oversubscription < 1 || !std::isfinite(oversubscription)) {
    return Status::error("oversubscription: must be at least 1 (down:up)");
  }
  if (spine_oversubscription < 1 || !std::isfinite(spine_oversubscription)) {
    return Status::error("spine_oversubscription: must be at least 1 (down:up)");
  }
  if (planes < 0) return Status::error("planes: must be 0 (auto) or more");
  if (servers_per_rack < 1) return Status::error("servers_per_rack: must be at least 1");
  return Status::ok();
}

Result<BillOfMaterials> plan_fabric(const PlanConfig& c) {
  if (auto st = c.validate(); !st) return st;
  auto b = plan_design(c, c.design);
  if (b || b.status().message().rfind("design: ", 0) == 0) return b;
  // Out of reach: say so, and which designs fit.
  std::vector<std::string> fits;
  for (const Design d : kAllDesigns) {
    if (d == c.design) continue;
    PlanConfig other = c;
    other.design = d;
    if (d == Design::kMultiPlane && c.design != Design::kMultiPlane) other.planes = 0;
    auto alt = plan_design(other, d);
    if (!alt) continue;
    fits.push_back(d == Design::kMultiPlane ? fmt::format("multi_plane (planes>={})", alt->planes)
                                            : std::string(design_name(d)));
  }
  std::string msg = b.status().message();
  if (msg.rfind("planes: ", 0) == 0 || msg.rfind("oversubscription", 0) == 0 ||
      msg.rfind("spine_oversubscription", 0) == 0) {
    return b;
  }
  return Status::error("design: " + msg +
                       "; fits: " + (fits.empty() ? std::string("none with this switch") : [&] {
                         std::string s;
                         for (const auto& f : fits) s += (s.empty() ? "" : ", ") + f;
                         return s;
                       }()));
}

std::vector<Result<BillOfMaterials>> plan_all(const PlanConfig& c) {
  std::vector<Result<BillOfMaterials>> out;
  for (const Design d : kAllDesigns) {
    PlanConfig one = c;
    one.design = d;
    out.push_back(plan_fabric(one));
  }
  return out;
}

// ---- prices -------------------------------------------------------------------------

void PricedModule::visit(ParamVisitor& v) {
  v.param("rate", rate, "the module's rate (a twin-port 800G module: 800Gbps)");
  v.param("cost_usd", cost_usd, "price of one module, US dollars", Range{0, 1e9});
  v.param("power_w", power_w, "power of one module, watts", Range{0, 1e6});
}

// Placeholders of plausible magnitude, not quotes or measurements: a user edits them.
PriceTable::PriceTable() {
  switch_cost_usd = 40'000;
  switch_power_w = 1'000;  // switch without its optics
  const auto m = [](int64_t gbps, double usd, double w) {
    PricedModule p;
    p.rate = BitRate::gbps(gbps);
    p.cost_usd = usd;
    p.power_w = w;
    return p;
  };
  modules = {m(100, 100, 3.5), m(200, 250, 6), m(400, 500, 10), m(800, 900, 15), m(1600, 1800, 25)};
  dac_cost_usd = 100;
  dac_power_w = 0;  // passive copper
  fiber_cost_usd = 5;
}

void PriceTable::visit(ParamVisitor& v) {
  v.param("source", source, "where the figures come from (printed with the totals)");
  v.param("switch_cost_usd", switch_cost_usd, "price of one switch without optics, US dollars",
          Range{0, 1e9});
  v.param("switch_power_w", switch_power_w, "power of one switch without optics, watts",
          Range{0, 1e7});
  ParamsVector<PricedModule> list(modules);
  v.list("modules", list, "optical modules by rate");
  v.param("dac_cost_usd", dac_cost_usd, "price of one DAC cable, US dollars", Range{0, 1e9});
  v.param("dac_power_w", dac_power_w, "power of one DAC cable, watts", Range{0, 1e6});
  v.param("fiber_cost_usd", fiber_cost_usd, "price per fiber strand (cabling), US dollars",
          Range{0, 1e9});
}

Status PriceTable::validate() const {
  for (size_t i = 0; i < modules.size(); ++i) {
    for (size_t j = 0; j < i; ++j) {
      if (modules[i].rate == modules[j].rate) {
        return Status::error(
            fmt::format("modules.{}.rate: {} is listed twice", i, format_rate(modules[i].rate)));
      }
    }
  }
  return Status::ok();
}

Result<Costs> price(const BillOfMaterials& b, const PriceTable& t) {
  Costs c;
  c.source = t.source;
  c.switch_power_w = static_cast<double>(b.switches()) * t.switch_power_w;
  c.switch_cost_usd = static_cast<double>(b.switches()) * t.switch_cost_usd;
  for (const Part& p : b.parts) {
    const auto n = static_cast<double>(p.count);
    if (p.kind == "dac") {
      c.module_power_w += n * t.dac_power_w;
      c.cable_cost_usd += n * t.dac_cost_usd;
      continue;
    }
    const auto it = std::find_if(t.modules.begin(), t.modules.end(),
                                 [&](const PricedModule& m) { return m.rate == p.rate; });
    if (it == t.modules.end()) {
      return Status::error("modules: no entry for rate " + format_rate(p.rate) + " (" + p.label() +
                           ")");
    }
    c.module_power_w += n * it->power_w;
    c.module_cost_usd += n * it->cost_usd;
  }
  c.cable_cost_usd += static_cast<double>(b.fibers) * t.fiber_cost_usd;
  c.power_w = c.switch_power_w + c.module_power_w;
  c.cost_usd = c.switch_cost_usd + c.module_cost_usd + c.cable_cost_usd;
  return c;
}

// ---- output -------------------------------------------------------------------------

namespace {

struct Row {
  std::string quantity;
  std::string unit;
  std::vector<std::string> values;
};

const Boundary* boundary(const BillOfMaterials& b, std::string_view name) {
  for (const Boundary& bd : b.boundaries) {
    if (bd.name == name) return &bd;
  }
  return nullptr;
}

}  // namespace

std::string bom_table(std::span<const BillOfMaterials> plans, std::span<const Costs> costs) {
  std::vector<Row> rows;
  const auto add = [&](std::string q, std::string unit, auto value) {
    Row r{std::move(q), std::move(unit), {}};
    for (size_t i = 0; i < plans.size(); ++i) r.values.push_back(value(plans[i], i));
    rows.push_back(std::move(r));
  };
  const auto num = [](int64_t v) { return with_commas(v); };
  add("design", "",
      [](const BillOfMaterials& b, size_t) { return std::string(design_name(b.design)); });
  add("planes", "count", [&](const BillOfMaterials& b, size_t) { return num(b.planes); });
  add("GPUs", "count", [&](const BillOfMaterials& b, size_t) { return num(b.gpus); });
  add("servers", "count", [&](const BillOfMaterials& b, size_t) { return num(b.servers); });
  add("NIC ports", "ports", [&](const BillOfMaterials& b, size_t) {
    return num(b.endpoints) + " x " + short_rate(b.nic_rate);
  });
  add("switch radix", "ports", [&](const BillOfMaterials& b, size_t) {
    return num(b.radix) + " x " + short_rate(b.nic_rate);
  });
  add("leaf switches", "switches",
      [&](const BillOfMaterials& b, size_t) { return num(b.leaf_switches); });
  add("spine switches", "switches",
      [&](const BillOfMaterials& b, size_t) { return num(b.spine_switches); });
  add("core switches", "switches",
      [&](const BillOfMaterials& b, size_t) { return num(b.core_switches); });
  add("switches in all", "switches",
      [&](const BillOfMaterials& b, size_t) { return num(b.switches()); });
  for (const char* name : {"host_leaf", "leaf_spine", "spine_core"}) {
    add(std::string(name) + " links", "links x rate", [&](const BillOfMaterials& b, size_t) {
      const Boundary* bd = boundary(b, name);
      if (bd == nullptr) return std::string("0");
      return num(bd->links) + " x " + short_rate(bd->link_rate) + (bd->optical ? "" : " copper");
    });
  }
  add("optical links", "links",
      [&](const BillOfMaterials& b, size_t) { return num(b.optical_links); });
  add("optical modules", "modules",
      [&](const BillOfMaterials& b, size_t) { return num(b.optical_modules); });
  std::vector<std::string> labels;
  for (const auto& b : plans) {
    for (const Part& p : b.parts) {
      if (std::find(labels.begin(), labels.end(), p.label()) == labels.end()) {
        labels.push_back(p.label());
      }
    }
  }
  for (const auto& label : labels) {
    add("  " + label, label.find("DAC") != std::string::npos ? "cables" : "modules",
        [&](const BillOfMaterials& b, size_t) {
          int64_t n = 0;
          for (const Part& p : b.parts) {
            if (p.label() == label) n += p.count;
          }
          return num(n);
        });
  }
  add("fibers", "strands", [&](const BillOfMaterials& b, size_t) { return num(b.fibers); });
  add("DAC cables", "cables",
      [&](const BillOfMaterials& b, size_t) { return num(b.copper_cables); });
  add("bisection bandwidth", "Tb/s", [](const BillOfMaterials& b, size_t) {
    return fmt::format("{:.1f}", static_cast<double>(b.bisection.bits_per_second()) / 1e12);
  });
  add("leaf oversubscription", "down:up",
      [](const BillOfMaterials& b, size_t) { return fmt::format("{:.2g}:1", b.oversubscription); });
  add("max switch hops", "switches",
      [&](const BillOfMaterials& b, size_t) { return num(b.max_switch_hops); });
  add("max GPUs non-blocking", "GPUs",
      [&](const BillOfMaterials& b, size_t) { return num(b.max_gpus_nonblocking); });
  if (costs.size() == plans.size()) {
    add("power (switches + optics)", "kW", [&](const BillOfMaterials&, size_t i) {
      return fmt::format("{:.1f}", costs[i].power_w / 1e3);
    });
    add("cost (switches, optics, cabling)", "M USD", [&](const BillOfMaterials&, size_t i) {
      return fmt::format("{:.2f}", costs[i].cost_usd / 1e6);
    });
  }
  // Column widths.
  size_t wq = 8, wu = 4;
  std::vector<size_t> wv(plans.size(), 0);
  for (const Row& r : rows) {
    wq = std::max(wq, r.quantity.size());
    wu = std::max(wu, r.unit.size());
    for (size_t i = 0; i < r.values.size(); ++i) wv[i] = std::max(wv[i], r.values[i].size());
  }
  std::string out;
  const auto line = [&](const std::string& q, const std::string& u,
                        const std::vector<std::string>& v) {
    std::string l = fmt::format("{:<{}}  {:<{}}", q, wq, u, wu);
    for (size_t i = 0; i < v.size(); ++i) l += fmt::format("  {:>{}}", v[i], wv[i]);
    while (!l.empty() && l.back() == ' ') l.pop_back();
    out += l + "\n";
  };
  line("quantity", "unit", std::vector<std::string>(plans.size(), ""));
  for (const Row& r : rows) line(r.quantity, r.unit, r.values);
  if (!costs.empty()) out += "prices: " + costs.front().source + "\n";
  for (size_t i = 0; i < plans.size(); ++i) {
    for (const auto& n : plans[i].notes) {
      out += (plans.size() > 1 ? std::string(design_name(plans[i].design)) + ": " : "") + n + "\n";
    }
  }
  return out;
}

nlohmann::json bom_json(const BillOfMaterials& b, const Costs* costs) {
  nlohmann::json j;
  j["design"] = design_name(b.design);
  j["planes"] = b.planes;
  j["gpus"] = b.gpus;
  j["servers"] = b.servers;
  j["nic_ports"] = b.endpoints;
  j["nic_rate_bps"] = b.nic_rate.bits_per_second();
  j["fabric_link_rate_bps"] = b.fabric_rate.bits_per_second();
  j["switch_radix"] = b.radix;
  j["switch_radix_fabric"] = b.fabric_radix;
  j["switches"] = {{"leaf", b.leaf_switches},
                   {"spine", b.spine_switches},
                   {"core", b.core_switches},
                   {"total", b.switches()}};
  for (const Boundary& bd : b.boundaries) {
    j["links"][bd.name] = {{"links", bd.links},     {"rate_bps", bd.link_rate.bits_per_second()},
                           {"optical", bd.optical}, {"optical_modules", bd.modules},
                           {"fibers", bd.fibers},   {"dac_cables", bd.copper_cables}};
  }
  for (const Part& p : b.parts) {
    j["parts"].push_back({{"label", p.label()},
                          {"kind", p.kind},
                          {"rate_bps", p.rate.bits_per_second()},
                          {"lanes", p.lanes},
                          {"lane_rate_bps", p.lane_rate.bits_per_second()},
                          {"where", p.where},
                          {"count", p.count}});
  }
  j["optical_modules"] = b.optical_modules;
  j["optical_links"] = b.optical_links;
  j["fibers"] = b.fibers;
  j["dac_cables"] = b.copper_cables;
  j["bisection_bps"] = b.bisection.bits_per_second();
  j["leaf_oversubscription"] = b.oversubscription;
  j["max_switch_hops"] = b.max_switch_hops;
  j["max_gpus_nonblocking"] = b.max_gpus_nonblocking;
  j["max_gpus_at_oversubscription"] = b.max_gpus;
  const PlaneShape& p = b.plane;
  j["plane"] = {{"nic_ports", p.endpoints},
                {"ports_per_server", p.ports_per_server},
                {"leaves", p.leaves},
                {"nic_ports_per_leaf", p.down_per_leaf},
                {"servers_per_leaf", p.servers_per_leaf},
                {"uplinks_per_leaf", p.up_per_leaf},
                {"spines", p.spines},
                {"links_per_leaf_spine", p.links_per_leaf_spine},
                {"pods", p.pods},
                {"leaves_per_pod", p.leaves_per_pod},
                {"uplinks_per_spine", p.up_per_spine},
                {"cores", p.cores},
                {"core_group", p.core_group},
                {"links_per_spine_core", p.links_per_spine_core}};
  j["notes"] = b.notes;
  if (costs != nullptr) {
    j["power_w"] = costs->power_w;
    j["cost_usd"] = costs->cost_usd;
    j["costs"] = {{"source", costs->source},
                  {"switch_power_w", costs->switch_power_w},
                  {"module_power_w", costs->module_power_w},
                  {"switch_cost_usd", costs->switch_cost_usd},
                  {"module_cost_usd", costs->module_cost_usd},
                  {"cable_cost_usd", costs->cable_cost_usd}};
  }
  return j;
}

// ---- scenario -----------------------------------------------------------------------

std::string scenario_yaml(const BillOfMaterials& b, const std::string& command) {
  const PlaneShape& p = b.plane;
  const std::string host = format_rate(b.nic_rate);
  const std::string fabric = format_rate(b.fabric_rate);
  std::string y = fmt::format(
      "# Written by aifabric plan{}: {} for {} GPUs ({} servers), {} NIC ports.\n",
      command.empty() ? "" : " (" + command + ")", design_name(b.design), b.gpus, b.servers, host);
  std::string topo;
  const bool rail = is_rail(b.design);
  const int64_t hosts = p.endpoints;
  if (p.leaves == 1) {
    topo = fmt::format(
        "topology:\n  type: leaf_spine\n  leaves: 1\n  spines: 1\n  hosts_per_leaf: {}\n"
        "  host_link: {{rate: {}}}\n  fabric_link: {{rate: {}}}\n",
        hosts, host, fabric);
    y += "# One leaf holds every NIC port: a single switch (leaf_spine needs a spine; it idles).\n";
  } else if (b.design == Design::kRailOptimized3 && p.pods > 1) {
    // rail_optimized's 3 tiers: pods of whole leaf groups, each pod with its own
    // aggregation switches (one link from each leaf to each), aggregation switch i of
    // every pod linked to each core of core group i by the plan's parallel links.
    topo = fmt::format(
        "topology:\n  type: rail_optimized\n  nodes: {}\n  gpus_per_node: {}\n"
        "  nodes_per_leaf: {}\n  spines: {}\n  groups_per_pod: {}\n  cores_per_spine: {}\n"
        "  links_per_core: {}\n  host_link: {{rate: {}}}\n  fabric_link: {{rate: {}}}\n"
        "  core_link: {{rate: {}}}\n",
        b.servers, p.ports_per_server, p.servers_per_leaf, p.up_per_leaf,
        p.leaves_per_pod / p.ports_per_server, p.core_group, p.links_per_spine_core, host, fabric,
        fabric);
  } else if (is_three_tier(b.design) && p.pods > 1) {
    // clos3 needs every pod alike and one link per aggregation-core pair.
    const int64_t tors = p.pods * p.leaves_per_pod;
    const int64_t per_tor = ceil_div(hosts, p.leaves);
    const int64_t aggs_per_pod = p.up_per_leaf;
    const int64_t group = p.up_per_spine;  // cores per aggregation index, one link each
    if (tors != p.leaves || per_tor * p.leaves != hosts) {
      y += fmt::format(
          "# clos3 builds equal pods and ToRs: {} ToRs of {} hosts ({} NIC ports planned).\n", tors,
          per_tor, hosts);
    }
    if (group != p.core_group) {
      y += fmt::format(
          "# The plan uses {} cores per aggregation index with {} links each; clos3 has one link\n"
          "# per pair, so this file uses {} cores per index (the same bandwidth).\n",
          p.core_group, p.links_per_spine_core, group);
    }
    if (rail) {
      y += "# Rails are not modelled by clos3: ToR t serves the next hosts_per_tor NIC ports.\n";
    }
    topo = fmt::format(
        "topology:\n  type: clos3\n  pods: {}\n  tors: {}\n  aggs: {}\n  cores: {}\n"
        "  hosts_per_tor: {}\n  host_link: {{rate: {}}}\n  fabric_link: {{rate: {}}}\n",
        p.pods, tors, p.pods * aggs_per_pod, aggs_per_pod * group, per_tor, host, fabric);
  } else if (b.design == Design::kMultiPlane) {
    // The multi_plane builder gives every host a port in every plane; the plan deals a
    // server's ports to the planes. The fabrics are the same: each plane's endpoints
    // (servers x ports per server per plane) are the builder's hosts.
    y += fmt::format(
        "# {} planes alike, each a 2-tier rail-optimized fabric of {} rails. The plan deals a\n"
        "# server's NIC ports to the planes; multi_plane gives each of its {} hosts a port in\n"
        "# every plane: the same {} ports and switches (traffic between planes crosses NVLink).\n",
        b.planes, p.ports_per_server, b.servers * p.ports_per_server,
        b.planes * b.servers * p.ports_per_server);
    if (p.links_per_leaf_spine > 1) {
      y += fmt::format("# {} links from each leaf to each of {} spines become {} spines here.\n",
                       p.links_per_leaf_spine, p.spines, p.up_per_leaf);
    }
    topo = fmt::format(
        "topology:\n  type: multi_plane\n  planes: {}\n  plane:\n    nodes: {}\n"
        "    gpus_per_node: {}\n    nodes_per_leaf: {}\n    spines: {}\n"
        "    host_link: {{rate: {}}}\n    fabric_link: {{rate: {}}}\n",
        b.planes, b.servers, p.ports_per_server, p.servers_per_leaf, p.up_per_leaf, host, fabric);
  } else if (rail && !is_three_tier(b.design)) {
    if (p.links_per_leaf_spine > 1) {
      y += fmt::format(
          "# The plan uses {} spines with {} links from each leaf; rail_optimized has one link "
          "per\n"
          "# leaf-spine pair, so this file uses {} spines (the same bandwidth).\n",
          p.spines, p.links_per_leaf_spine, p.up_per_leaf);
    }
    topo = fmt::format(
        "topology:\n  type: rail_optimized\n  nodes: {}\n  gpus_per_node: {}\n"
        "  nodes_per_leaf: {}\n  spines: {}\n  host_link: {{rate: {}}}\n"
        "  fabric_link: {{rate: {}}}\n",
        b.servers, p.ports_per_server, p.servers_per_leaf, p.up_per_leaf, host, fabric);
  } else {
    // leaf_spine: two_tier, or a three-tier design that fits in one pod (its aggregation
    // switches are the spines, one link from each leaf).
    const int64_t per_leaf = ceil_div(hosts, p.leaves);
    if (per_leaf * p.leaves != hosts) {
      y += fmt::format("# leaf_spine builds equal leaves: {} leaves of {} hosts ({} planned).\n",
                       p.leaves, per_leaf, hosts);
    }
    if (rail) y += "# Rails are not modelled by leaf_spine: leaf l serves the next hosts.\n";
    topo = fmt::format(
        "topology:\n  type: leaf_spine\n  leaves: {}\n  spines: {}\n  hosts_per_leaf: {}\n"
        "  links_per_spine: {}\n  host_link: {{rate: {}}}\n  fabric_link: {{rate: {}}}\n",
        p.leaves, p.spines, per_leaf, p.links_per_leaf_spine, host, fabric);
  }
  if (b.design == Design::kMultiPlane) {
    // A flow list names hosts of one plane each; a workload's connections spread over
    // the planes, so the file runs an all-reduce over every host (packet level).
    // A ring over every host of a 10k-GPU fabric is tens of millions of transfers; the
    // file starts with at most 256 ranks (512 hosts x 2 planes, all ranks: about 11 s
    // and 1.4 GiB on a 2-core machine).
    const int64_t hosts_per_plane = b.servers * p.ports_per_server;
    const int64_t ranks = std::min<int64_t>(hosts_per_plane, 256);
    y += fmt::format(
        "# An 8 MiB ring all-reduce at packet level over {} of the {} hosts, each transfer split\n"
        "# over the planes; raise workload.ranks (0 = every host) to load more of the fabric.\n",
        ranks, hosts_per_plane);
    y += fmt::format("name: plan-{}-{}gpu\ntelemetry: {{enabled: false}}\n", design_name(b.design),
                     b.gpus);
    y += topo;
    y += fmt::format("workload: {{type: collective, op: all_reduce, size: 8MiB, ranks: {}}}\n",
                     ranks);
    return y;
  }
  y += "# At flow level (max-min fluid flows on the fabric's ECMP paths): a full-size fabric at\n"
       "# packet level takes hours. A permutation of 64 MiB flows loads every host link.\n";
  y += fmt::format("name: plan-{}-{}gpu\nengine: flow\ntelemetry: {{enabled: false}}\n",
                   design_name(b.design), b.gpus);
  y += topo;
  y += "traffic:\n  - type: permutation\n    size: 64MiB\n";
  return y;
}

}  // namespace aifabric
