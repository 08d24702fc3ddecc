#include "aifabric/topo/link_states.h"

#include <string_view>
#include <unordered_map>
#include <vector>

#include "aifabric/core/line_reader.h"
#include "aifabric/core/parse.h"

namespace aifabric {
namespace {

// Items separated by commas or blanks: "leaf0-spine1, leaf2-spine0".
std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> out;
  for (const std::string_view field : split_commas(text)) {
    for (const std::string_view item : split_blanks(field)) out.emplace_back(item);
  }
  return out;
}

}  // namespace

Result<uint32_t> find_named_link(const TopologyGraph& g, const std::string& name) {
  std::unordered_map<std::string_view, uint32_t> ids;
  for (uint32_t i = 0; i < g.nodes().size(); ++i) ids.emplace(g.nodes()[i].name, i);
  for (size_t dash = name.find('-'); dash != std::string::npos; dash = name.find('-', dash + 1)) {
    const auto a = ids.find(std::string_view(name).substr(0, dash));
    const auto b = ids.find(std::string_view(name).substr(dash + 1));
    if (a == ids.end() || b == ids.end()) continue;
    const int64_t l = g.find_link(a->second, b->second);
    if (l >= 0) return static_cast<uint32_t>(l);
    return Status::error("'" + name + "': " + std::string(a->first) + " and " +
                         std::string(b->first) + " are not linked");
  }
  return Status::error("'" + name + "': expected nodeA-nodeB with two node names (e.g. " +
                       g.nodes()[g.hosts()[0]].name + "-" +
                       g.nodes()[g.adjacent(g.hosts()[0])[0].peer].name + ")");
}

Status apply_link_states(const std::string& failed, const std::string& degraded, TopologyGraph& g) {
  for (const auto& name : split_list(failed)) {
    auto l = find_named_link(g, name);
    if (!l) return l.status().with_context("failed_links");
    g.set_link_up(*l, false);
  }
  for (const auto& item : split_list(degraded)) {
    const size_t eq = item.find('=');
    if (eq == std::string::npos) {
      return Status::error("degraded_links: '" + item + "': expected nodeA-nodeB=RATE");
    }
    auto l = find_named_link(g, item.substr(0, eq));
    if (!l) return l.status().with_context("degraded_links");
    auto rate = parse_rate(item.substr(eq + 1));
    if (!rate) return rate.status().with_context("degraded_links: '" + item + "'");
    if (rate->bits_per_second() <= 0) {
      return Status::error("degraded_links: '" + item + "': the rate must be positive");
    }
    g.set_link_rate(*l, *rate);
  }
  return Status::ok();
}

}  // namespace aifabric
