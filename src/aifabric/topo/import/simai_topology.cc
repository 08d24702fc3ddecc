// SimAI topology import: the ns-3 reader's file, with the NVSwitches turned into NVLink
// domains. Servers are the connected groups of GPUs over shared NVSwitches (SimAI
// gives each server nv_switch_per_server of its own), numbered by their lowest GPU.
#include "aifabric/topo/import/simai_topology.h"

#include <algorithm>
#include <fstream>
#include <numeric>
#include <string>
#include <vector>

#include "aifabric/core/line_reader.h"
#include "aifabric/core/parse.h"
#include "aifabric/topo/import/ns3_topology.h"

namespace aifabric {
namespace {

enum class Role : uint8_t { kGpu, kNvSwitch, kSwitch };

uint32_t find_root(std::vector<uint32_t>& parent, uint32_t x) {
  while (parent[x] != x) {
    parent[x] = parent[parent[x]];
    x = parent[x];
  }
  return x;
}

std::string at_line(const Ns3TopologyFile& f, size_t line) {
  return f.source + ":" + std::to_string(line) + ": ";
}

}  // namespace

Result<TopologyGraph> read_simai_topology(std::istream& in, const std::string& source) {
  auto file = read_ns3_topology_file(in, source);
  if (!file) return file.status();
  const Ns3TopologyFile& f = *file;
  // One entry per node: the reader bounded the node count by what the file holds.
  std::vector<Role> role(f.nodes, Role::kGpu);
  for (uint64_t id : f.nvswitch_ids) role[id] = Role::kNvSwitch;
  for (uint64_t id : f.switch_ids) role[id] = Role::kSwitch;

  TopologyGraph g;
  std::vector<uint32_t> graph_id(f.nodes, UINT32_MAX);
  for (uint64_t id = 0; id < f.nodes; ++id) {
    if (role[id] == Role::kNvSwitch) continue;
    const bool sw = role[id] == Role::kSwitch;
    graph_id[id] = g.add_node(sw ? NodeKind::kSwitch : NodeKind::kHost, "node" + std::to_string(id),
                              sw ? 1 : 0, static_cast<uint32_t>(id));
  }
  // NVLink: per GPU (host index), its NVSwitch links' total rate and longest delay;
  // GPUs sharing an NVSwitch are joined into one server.
  const size_t hosts = g.hosts().size();
  std::vector<int64_t> nv_bps(hosts, 0);
  Time nv_delay;
  std::vector<uint32_t> parent(hosts);
  std::iota(parent.begin(), parent.end(), 0U);
  std::vector<int64_t> first_gpu_of_nvswitch(f.nodes, -1);
  for (const Ns3TopologyFile::Link& l : f.links) {
    const bool a_nv = role[l.a] == Role::kNvSwitch;
    const bool b_nv = role[l.b] == Role::kNvSwitch;
    if (!a_nv && !b_nv) {
      g.add_link(graph_id[l.a], graph_id[l.b], l.params);
      continue;
    }
    const uint32_t nv = a_nv ? l.a : l.b;
    const uint32_t other = a_nv ? l.b : l.a;
    if (role[other] != Role::kGpu) {
      return Status::error(at_line(f, l.line) + "NVSwitch " + std::to_string(nv) + " links to " +
                           (role[other] == Role::kNvSwitch ? "NVSwitch " : "switch ") +
                           std::to_string(other) +
                           "; an NVSwitch connects the GPUs of one server only");
    }
    const auto h = static_cast<uint32_t>(g.host_index(graph_id[other]));
    if (nv_bps[h] > INT64_MAX - l.params.rate.bits_per_second()) {
      return Status::error(at_line(f, l.line) + "the NVLink rate of GPU " + std::to_string(other) +
                           " overflows");
    }
    nv_bps[h] += l.params.rate.bits_per_second();
    nv_delay = std::max(nv_delay, l.params.delay);
    if (first_gpu_of_nvswitch[nv] < 0) {
      first_gpu_of_nvswitch[nv] = h;
    } else {
      parent[find_root(parent, h)] =
          find_root(parent, static_cast<uint32_t>(first_gpu_of_nvswitch[nv]));
    }
  }
  if (Status s = g.validate(); !s) return s.with_context(source);
  if (f.nvswitch_ids.empty()) return g;  // no NVLink in the file: the workload decides

  NvlinkDomains d;
  d.server_of_host.assign(hosts, UINT32_MAX);
  std::vector<uint32_t> server_of_root(hosts, UINT32_MAX);
  std::vector<uint32_t> size;
  int64_t min_bps = INT64_MAX;
  for (uint32_t h = 0; h < hosts; ++h) {
    if (nv_bps[h] == 0) {
      return Status::error(source + ": GPU " + std::to_string(g.nodes()[g.hosts()[h]].ext_id) +
                           " has no NVSwitch link, though the file has NVSwitches");
    }
    min_bps = std::min(min_bps, nv_bps[h]);
    const uint32_t root = find_root(parent, h);
    if (server_of_root[root] == UINT32_MAX) {
      server_of_root[root] = static_cast<uint32_t>(size.size());
      size.push_back(0);
    }
    d.server_of_host[h] = server_of_root[root];
    ++size[server_of_root[root]];
  }
  for (size_t s = 0; s < size.size(); ++s) {
    if (size[s] != size[0]) {
      return Status::error(source + ": servers (GPUs sharing NVSwitches) differ in size: " +
                           std::to_string(size[0]) + " GPUs in server 0, " +
                           std::to_string(size[s]) + " in server " + std::to_string(s));
    }
  }
  if (f.gpus_per_server != 0 && size[0] != f.gpus_per_server) {
    return Status::error(source + ":1: the header says " + std::to_string(f.gpus_per_server) +
                         " GPUs per server, but the NVSwitch links make servers of " +
                         std::to_string(size[0]));
  }
  d.gpus_per_server = size[0];
  d.rate = BitRate::bps(min_bps);
  d.latency = nv_delay * 2;
  g.set_nvlink(d);
  return g;
}

Result<TopologyGraph> import_simai_topology(const SimaiTopologySpec& spec,
                                            const BuildContext& ctx) {
  const std::string path = ctx.resolve(spec.file);
  if (Status s = check_data_file(path, kMaxTopologyBytes); !s) return s;
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::error("file: cannot read " + quote_input(path, 4096));
  return read_simai_topology(in, path);
}

}  // namespace aifabric
