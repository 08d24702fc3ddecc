// The topology-builder family: a member turns its parameters (a scenario's
// `topology:` section) into a TopologyGraph. Builders are plain functions of their
// options; importers read a file named in them (resolved against the scenario's folder
// by the context). A new builder is a folder under topo/builders/ plus one line in
// topo/registry.cc.
#pragma once

#include <functional>
#include <string>
#include <type_traits>

#include "aifabric/core/registry.h"
#include "aifabric/core/status.h"
#include "aifabric/topo/graph.h"

namespace aifabric {

struct BuildContext {
  // A file name as written in the scenario -> the path to open.
  std::function<std::string(const std::string&)> resolve = [](const std::string& f) { return f; };
};

// How big a builder's graph will be, known from its options before it is built.
struct TopologySize {
  uint64_t hosts = 0;
  uint64_t switches = 0;
  uint64_t links = 0;
  uint64_t attachments = 0;  // switches hosts hang off (forwarding rows per switch)
};

struct TopologyBuilder : Member {
  Result<TopologyGraph> (*build)(const Params& params, const BuildContext& ctx) = nullptr;
  // The size from the options alone; null for importers (the file says).
  TopologySize (*size)(const Params& params) = nullptr;
};

// The entry of a builder `Build`: TopologyGraph(const P&), or
// Result<TopologyGraph>(const P&, const BuildContext&) for importers.
// `Size`, if given: TopologySize(const P&).
template <class P, auto Build, auto Size = nullptr>
TopologyBuilder topology_member(std::string_view name, std::string_view doc) {
  TopologyBuilder b;
  b.name = name;
  b.doc = doc;
  b.make_params = &make_params_of<P>;
  b.build = [](const Params& p, const BuildContext& ctx) -> Result<TopologyGraph> {
    if constexpr (std::is_invocable_v<decltype(Build), const P&, const BuildContext&>) {
      return Build(params_as<P>(p), ctx);
    } else {
      (void)ctx;
      return Build(params_as<P>(p));
    }
  };
  if constexpr (!std::is_same_v<decltype(Size), std::nullptr_t>) {
    b.size = [](const Params& p) { return Size(params_as<P>(p)); };
  }
  return b;
}

const Registry<TopologyBuilder>& topology_builders();

}  // namespace aifabric
