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

struct TopologyBuilder : Member {
  Result<TopologyGraph> (*build)(const Params& params, const BuildContext& ctx) = nullptr;
};

// The entry of a builder `Build`: TopologyGraph(const P&), or
// Result<TopologyGraph>(const P&, const BuildContext&) for importers.
template <class P, auto Build>
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
  return b;
}

const Registry<TopologyBuilder>& topology_builders();

}  // namespace aifabric
