// The build-out planner: from a GPU count, NIC and switch figures and a design, the
// switches per tier, links per tier boundary, optical modules, cables and fibers, the
// bisection bandwidth, hop count and the largest cluster the design reaches. Counts are
// exact integers; power and cost come from an editable table (PriceTable).
//
// Counting rules (docs/topologies-planner.md has them with a worked example):
//  * Endpoints. Each GPU has one NIC of `nic_ports` ports of `nic_rate` each; a port is
//    an endpoint, one host link. A switch of `switch_capacity` has capacity /
//    switch_port_rate cages (64 x 800G at 51.2T); a cage runs at its rate or breaks out
//    into equal lanes, so the radix at the NIC rate is capacity / nic_rate (128 x 400G).
//    Fabric links (leaf-spine, spine-core) run at `fabric_link_rate` (default the NIC
//    rate: the radix, and so the reach, is largest at the smallest lane).
//  * Leaves. A leaf's lanes are split down:up by `oversubscription` (1 = as much uplink
//    as host bandwidth: 64 down + 64 up at radix 128). Endpoints are spread evenly over
//    the leaves; every leaf gets the uplinks its fullest sibling needs. Rail designs:
//    port p of every server in a group of servers plugs into that group's rail-p leaf,
//    so a group holds as many servers as a leaf has down lanes.
//  * Spines. Every leaf connects to every spine with the same number m of links, so the
//    spine count S divides a leaf's uplinks u; S is the smallest such divisor that gives
//    the spines enough ports (S * radix >= leaves * u). Two tiers fit while leaves <=
//    the spine radix: radix^2/2 endpoints non-blocking per plane.
//  * Three tiers. A pod is as many leaves as an aggregation ("spine") switch has down
//    ports, and each leaf connects once to each of its pod's u aggregation switches;
//    aggregation switch i of every pod connects to core group i (as for spines: the
//    group size divides the uplinks). Fits while pods <= the core radix: radix^3/4.
//  * Multi-plane. `planes` independent 2-tier rail-optimized fabrics; a server's
//    gpus_per_server * nic_ports ports are dealt to the planes (port p to plane
//    p mod planes, so planes must divide them): with one port per GPU each plane holds
//    some of the rails, with one port per plane each plane holds every GPU. Traffic
//    between planes crosses the server's NVLink. The reach is planes times a plane's.
//  * Optical modules: one per used cage at either end of an optical link. A NIC cage
//    holds `nic_ports_per_module` ports (a 400G module on a 400G NIC); a switch cage is a
//    `switch_port_rate` module, a twin-port 800G OSFP carrying two 400G links (or one
//    800G). Per switch and side (down, up) the cages are ceil(lanes * rate / port rate).
//  * Copper. Host links are DAC (<= 3 m, no modules; one breakout cable per switch cage)
//    when `host_links` is copper, or auto and the leaf sits in its servers' rack: a
//    two_tier/three_tier leaf serving at most `servers_per_rack` servers. Rail leaves
//    serve servers across racks, so auto makes their host links optical.
//  * Fibers: a parallel single-mode optic carries one fiber pair per `fiber_lane_rate`
//    lane: 2 * ceil(link rate / lane rate) fibers per optical link (8 for 400G DR4).
//  * Bisection bandwidth: half the smallest tier's total bandwidth (host ports, leaf
//    uplinks, spine uplinks), summed over planes.
//  * Max hops: switches on the worst path between two GPUs through the network (leaf-
//    spine-leaf = 3, through a core = 5).
#pragma once

#include <array>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "aifabric/core/params.h"
#include "aifabric/core/status.h"
#include "aifabric/core/units.h"

namespace aifabric {

enum class Design { kTwoTier, kThreeTier, kRailOptimized, kRailOptimized3, kMultiPlane };
inline constexpr std::string_view kDesignNames[] = {"two_tier", "three_tier", "rail_optimized",
                                                    "rail_optimized3", "multi_plane"};
inline constexpr std::array kAllDesigns{Design::kTwoTier, Design::kThreeTier,
                                        Design::kRailOptimized, Design::kRailOptimized3,
                                        Design::kMultiPlane};
std::string_view design_name(Design d);

enum class HostLinks { kAuto, kOptical, kCopper };
inline constexpr std::string_view kHostLinkNames[] = {"auto", "optical", "copper"};

struct PlanConfig final : ParamsOf<PlanConfig> {
  int64_t gpus = 1024;
  int64_t gpus_per_server = 8;
  BitRate nic_rate = BitRate::gbps(400);  // per NIC port
  int64_t nic_ports = 1;
  int64_t nic_ports_per_module = 1;
  BitRate switch_capacity = BitRate::gbps(51'200);
  BitRate switch_port_rate = BitRate::gbps(800);
  BitRate fabric_link_rate;  // zero: nic_rate
  Design design = Design::kTwoTier;
  double oversubscription = 1;        // leaf down:up bandwidth
  double spine_oversubscription = 1;  // 3-tier aggregation down:up bandwidth
  int64_t planes = 0;                 // multi_plane: 0 = the fewest that fit
  HostLinks host_links = HostLinks::kAuto;
  int64_t servers_per_rack = 4;
  BitRate fiber_lane_rate = BitRate::gbps(100);
  void visit(ParamVisitor& v) override;
  Status validate() const override;
  BitRate fabric_rate() const {
    return fabric_link_rate == BitRate() ? nic_rate : fabric_link_rate;
  }
};

// One tier boundary: host_leaf, leaf_spine or spine_core.
struct Boundary {
  std::string name;
  int64_t links = 0;  // at link_rate, all planes
  BitRate link_rate;
  bool optical = true;
  int64_t modules = 0;        // optical modules at both ends
  int64_t fibers = 0;         // optical only
  int64_t copper_cables = 0;  // DAC, host_leaf only
};

// Optical modules (or DAC cables) of one kind.
struct Part {
  std::string kind;  // "module" or "dac"
  BitRate rate;      // the cage rate
  int64_t lanes = 1;
  BitRate lane_rate;
  std::string where;  // "NIC", "switch"
  int64_t count = 0;
  std::string label() const;  // e.g. "800G module, 2x400G (switch)"
};

// The shape of one plane, for scenario files and the record.
struct PlaneShape {
  int64_t endpoints = 0;         // NIC ports in the plane
  int64_t ports_per_server = 0;  // rails of the plane
  int64_t leaves = 0;
  int64_t down_per_leaf = 0;     // endpoints of the fullest leaf
  int64_t servers_per_leaf = 0;  // rail designs: servers per rail leaf (group size)
  int64_t up_per_leaf = 0;       // fabric links
  int64_t spines = 0;            // 2-tier spines, or 3-tier aggregation switches
  int64_t links_per_leaf_spine = 0;
  int64_t pods = 0;            // 3-tier
  int64_t leaves_per_pod = 0;  // 3-tier, the fullest pod
  int64_t up_per_spine = 0;    // 3-tier aggregation uplinks
  int64_t cores = 0;
  int64_t core_group = 0;  // cores per aggregation index
  int64_t links_per_spine_core = 0;
};

struct BillOfMaterials {
  Design design = Design::kTwoTier;
  int64_t planes = 1;
  int64_t gpus = 0;
  int64_t servers = 0;
  int64_t endpoints = 0;  // NIC ports, all planes
  BitRate nic_rate;
  BitRate fabric_rate;
  int64_t radix = 0;         // switch ports at the NIC rate
  int64_t fabric_radix = 0;  // switch ports at the fabric rate
  PlaneShape plane;
  int64_t leaf_switches = 0;  // all planes
  int64_t spine_switches = 0;
  int64_t core_switches = 0;
  std::vector<Boundary> boundaries;  // host_leaf, leaf_spine, spine_core (3-tier)
  std::vector<Part> parts;
  int64_t optical_modules = 0;
  int64_t optical_links = 0;
  int64_t fibers = 0;
  int64_t copper_cables = 0;
  BitRate bisection;
  int max_switch_hops = 0;
  double oversubscription = 1;       // leaf down:up as built
  int64_t max_gpus_nonblocking = 0;  // this design, switch and planes at 1:1
  int64_t max_gpus = 0;              // at the requested oversubscription
  std::vector<std::string> notes;
  int64_t switches() const { return leaf_switches + spine_switches + core_switches; }
};

// Plans `c.design`. A design the switch cannot build for c.gpus is refused naming
// `design` and listing the designs that fit.
Result<BillOfMaterials> plan_fabric(const PlanConfig& c);
// Every design, in kAllDesigns order; refusals as their Status.
std::vector<Result<BillOfMaterials>> plan_all(const PlanConfig& c);

// Power and cost figures per item. The built-in figures are illustrative placeholders,
// not quotes: edit a copy (--prices FILE) with your own.
struct PricedModule final : ParamsOf<PricedModule> {
  BitRate rate = BitRate::gbps(400);
  double cost_usd = 0;
  double power_w = 0;
  void visit(ParamVisitor& v) override;
};
struct PriceTable final : ParamsOf<PriceTable> {
  PriceTable();  // the built-in placeholders
  std::string source = "built-in illustrative placeholders (edit: --prices FILE)";
  double switch_cost_usd = 0;
  double switch_power_w = 0;
  std::vector<PricedModule> modules;
  double dac_cost_usd = 0;
  double dac_power_w = 0;
  double fiber_cost_usd = 0;  // per fiber (strand), cabling and patching
  void visit(ParamVisitor& v) override;
  Status validate() const override;
};
struct Costs {
  std::string source;
  double power_w = 0;
  double cost_usd = 0;
  double switch_power_w = 0;
  double module_power_w = 0;
  double switch_cost_usd = 0;
  double module_cost_usd = 0;
  double cable_cost_usd = 0;  // DAC and fiber
};
// Refuses a table without an entry for a module rate the plan uses.
Result<Costs> price(const BillOfMaterials& b, const PriceTable& t);

// The side-by-side table (a quantity per row, its unit, one column per plan) and JSON.
std::string bom_table(std::span<const BillOfMaterials> plans, std::span<const Costs> costs);
nlohmann::json bom_json(const BillOfMaterials& b, const Costs* costs);

// A scenario (YAML text) that runs `b` with an existing topology builder: leaf_spine,
// rail_optimized or clos3 (multi_plane: one plane as rail_optimized).
std::string scenario_yaml(const BillOfMaterials& b, const std::string& command);

}  // namespace aifabric
