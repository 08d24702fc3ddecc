// ns-3 RDMA topology import. The original readers pull whitespace-separated tokens
// with istream >>, so line breaks are not significant to them; here the switch-id
// list may likewise span lines (SimAI's documentation splits NVSwitch and switch ids
// over two), but each link must sit on its own line of exactly five fields, which
// every generator writes and which lets a malformed link be reported where it is.
#include "aifabric/topo/import/ns3_topology.h"

#include <algorithm>
#include <fstream>
#include <string>
#include <string_view>
#include <unordered_set>
#include <utility>
#include <vector>

#include "aifabric/core/line_reader.h"
#include "aifabric/core/parse.h"

namespace aifabric {
namespace {

// Far beyond any fabric simulated at packet level; refusing more keeps a garbled
// node count from allocating gigabytes before the error is found.
constexpr uint64_t kMaxNodes = uint64_t{1} << 24;

struct Header {
  uint64_t nodes = 0;
  uint64_t gpus_per_server = 0;  // SimAI only
  uint64_t nvswitches = 0;       // SimAI only
  uint64_t switches = 0;
  uint64_t links = 0;
};

Result<Header> read_header(LineReader& r) {
  constexpr std::string_view kExpected =
      "expected 'nodes switches links' (ns-3) or "
      "'nodes gpus_per_server nvswitches switches links gpu_type' (SimAI)";
  if (!r.next()) {
    if (!r.status()) return r.status();
    return r.error(std::string("the file is empty; ") + std::string(kExpected));
  }
  const size_t fields = count_blank_fields(r.line());
  if (fields != 3 && fields != 6 && fields != 7) {
    return r.error(std::string(kExpected) + ", found " + std::to_string(fields) + " fields");
  }
  const auto f = split_blanks(r.line());
  Header h;
  std::vector<std::string_view> text;
  std::vector<std::pair<std::string_view, uint64_t*>> into;
  if (f.size() == 3) {
    text = {f[0], f[1], f[2]};
    into = {{"node count", &h.nodes}, {"switch count", &h.switches}, {"link count", &h.links}};
  } else {
    // The GPU type and GPUs per node only tune SimAI's NVLink and GPU models; the
    // fabric needs neither.
    text = {f[0], f[1], f[2], f[3], f[4]};
    into = {{"node count", &h.nodes},
            {"GPUs per server", &h.gpus_per_server},
            {"NVSwitch count", &h.nvswitches},
            {"switch count", &h.switches},
            {"link count", &h.links}};
  }
  for (size_t i = 0; i < text.size(); ++i) {
    auto v = parse_uint(text[i], into[i].first);
    if (!v) return r.error(v.status().message());
    *into[i].second = *v;
  }
  if (h.nodes == 0) return r.error("the node count is 0");
  if (h.nodes > kMaxNodes) {
    return r.error("node count " + std::to_string(h.nodes) + " is too large (at most " +
                   std::to_string(kMaxNodes) + ")");
  }
  // Compared without adding, which could wrap for garbled counts.
  if (h.switches > h.nodes || h.nvswitches > h.nodes - h.switches) {
    const std::string nv =
        h.nvswitches > 0 ? std::to_string(h.nvswitches) + " NVSwitches and " : "";
    return r.error(nv + std::to_string(h.switches) + " switches but only " +
                   std::to_string(h.nodes) + " nodes");
  }
  // A node count beyond what the links can connect is refused before anything is
  // allocated for it (docs/reliability.md): every host needs exactly one link of its own
  // (TopologyGraph::validate), so L links serve at most 2L hosts. The links themselves
  // are checked against the file's length once the switch ids are read.
  const uint64_t hosts = h.nodes - h.switches - h.nvswitches;
  if (hosts > 2 * h.links) {
    return r.error("the header declares " + std::to_string(hosts) +
                   " hosts (nodes that are not switches) but " + std::to_string(h.links) +
                   " links; every host needs a link of its own, so at most " +
                   std::to_string(2 * h.links) + " hosts can be connected");
  }
  return h;
}

std::string node_range(uint64_t nodes) {
  return "(0.." + std::to_string(nodes - 1) + ")";
}

// Reads the declared number of switch ids, which may span lines, in file order. Only
// what the file holds is stored, whatever the header declares.
Result<std::vector<uint64_t>> read_switch_ids(LineReader& r, const Header& h) {
  const uint64_t want = h.nvswitches + h.switches;
  std::unordered_set<uint64_t> ids;
  std::vector<uint64_t> order;
  uint64_t got = 0;
  while (got < want) {
    if (!r.next()) {
      if (!r.status()) return r.status();
      return r.error("the file ends after " + std::to_string(got) + " of " + std::to_string(want) +
                     " switch ids");
    }
    const size_t count = count_blank_fields(r.line());
    if (got + count > want) {
      // Most often the id line is short and this line is already the first link.
      const std::string declared = "the header declares " + std::to_string(want) + " switch ids";
      if (got == 0) {
        return r.error(declared + ", but this line lists " + std::to_string(count));
      }
      return r.error(declared + "; " + std::to_string(got) + " came before this line, which has " +
                     std::to_string(count) + " more fields");
    }
    size_t pos = 0;
    for (std::string_view tok = next_blank_field(r.line(), pos); !tok.empty();
         tok = next_blank_field(r.line(), pos)) {
      auto id = parse_uint(tok, "switch id");
      if (!id) return r.error(id.status().message());
      if (*id >= h.nodes) {
        return r.error("switch id " + std::to_string(*id) + " is not a node " +
                       node_range(h.nodes));
      }
      if (!ids.insert(*id).second) {
        return r.error("switch id " + std::to_string(*id) + " is listed twice");
      }
      order.push_back(*id);
      ++got;
    }
  }
  return order;
}

Result<LinkParams> parse_link(const std::vector<std::string_view>& f, uint64_t nodes, uint32_t& a,
                              uint32_t& b) {
  for (size_t i = 0; i < 2; ++i) {
    auto v = parse_uint(f[i], "link endpoint");
    if (!v) return v.status();
    if (*v >= nodes) {
      return Status::error("link endpoint " + std::to_string(*v) + " is not a node " +
                           node_range(nodes));
    }
    (i == 0 ? a : b) = static_cast<uint32_t>(*v);
  }
  if (a == b) return Status::error("link from node " + std::to_string(a) + " to itself");
  LinkParams p;
  auto rate = parse_rate(f[2]);
  if (!rate) return rate.status().with_context("link rate");
  p.rate = *rate;
  auto delay = parse_time(f[3]);
  if (!delay) return delay.status().with_context("link delay");
  p.delay = *delay;
  auto err = parse_decimal(f[4], "error rate");
  if (!err) return err.status();
  if (*err > 1) return Status::error("error rate " + std::string(f[4]) + " is outside [0, 1]");
  p.loss_rate = *err;
  return p;
}

}  // namespace

Result<Ns3TopologyFile> read_ns3_topology_file(std::istream& in, const std::string& source) {
  LineReader r(in, source, /*skip_comments=*/false, kMaxTopologyBytes);
  auto h = read_header(r);
  if (!h) return h.status();
  auto switch_ids = read_switch_ids(r, *h);
  if (!switch_ids) return switch_ids.status();
  // Each link takes a line of at least 12 bytes ("0 1 1G 0s 0\n"): links the rest of the
  // file cannot hold cannot connect the hosts, so the nodes are not allocated.
  const uint64_t room = std::min<uint64_t>(r.lines_left(), (r.bytes_left() + 1) / 12);
  const uint64_t hosts = h->nodes - switch_ids->size();
  if (hosts > 2 * room) {
    return r.error("the header declares " + std::to_string(hosts) + " hosts and " +
                   std::to_string(h->links) + " links, but the rest of the file holds at most " +
                   std::to_string(room) + " link lines (" + std::to_string(r.bytes_left()) +
                   " bytes); every host needs a link of its own");
  }
  Ns3TopologyFile file;
  file.source = source;
  file.nodes = h->nodes;
  file.gpus_per_server = h->gpus_per_server;
  file.nvswitch_ids.assign(switch_ids->begin(),
                           switch_ids->begin() + static_cast<std::ptrdiff_t>(h->nvswitches));
  file.switch_ids.assign(switch_ids->begin() + static_cast<std::ptrdiff_t>(h->nvswitches),
                         switch_ids->end());
  file.links.reserve(std::min<uint64_t>(h->links, room));
  for (uint64_t i = 0; i < h->links; ++i) {
    if (!r.next()) {
      if (!r.status()) return r.status();
      return r.error("the file ends after " + std::to_string(i) + " of " +
                     std::to_string(h->links) + " links");
    }
    const size_t fields = count_blank_fields(r.line());
    if (fields != 5) {
      return r.error("expected 'src dst rate delay error_rate', found " + std::to_string(fields) +
                     " fields");
    }
    const auto f = split_blanks(r.line());
    Ns3TopologyFile::Link l;
    auto p = parse_link(f, h->nodes, l.a, l.b);
    if (!p) return r.error(p.status().message());
    l.params = *p;
    l.line = r.line_number();
    file.links.push_back(l);
  }
  // Whatever follows the declared links is commentary, as in HPCC's example files.
  return file;
}

Result<TopologyGraph> read_ns3_topology(std::istream& in, const std::string& source) {
  auto file = read_ns3_topology_file(in, source);
  if (!file) return file.status();
  std::unordered_set<uint64_t> switches(file->switch_ids.begin(), file->switch_ids.end());
  switches.insert(file->nvswitch_ids.begin(), file->nvswitch_ids.end());
  TopologyGraph g;
  for (uint64_t id = 0; id < file->nodes; ++id) {
    const bool sw = switches.count(id) != 0;
    g.add_node(sw ? NodeKind::kSwitch : NodeKind::kHost, "node" + std::to_string(id), sw ? 1 : 0,
               static_cast<uint32_t>(id));
  }
  for (const Ns3TopologyFile::Link& l : file->links) g.add_link(l.a, l.b, l.params);
  if (Status s = g.validate(); !s) {
    if (!file->nvswitch_ids.empty()) {
      // SimAI GPUs link to NVSwitches (NVLink) besides their NIC.
      return Status::error(source + ": " + s.message() +
                           " (SimAI NVSwitch links are intra-server NVLink: read the file as "
                           "topology type simai, which makes them NVLink domains)");
    }
    return s.with_context(source);
  }
  return g;
}

Result<TopologyGraph> import_ns3_topology(const Ns3TopologySpec& spec, const BuildContext& ctx) {
  const std::string path = ctx.resolve(spec.file);
  if (Status s = check_data_file(path, kMaxTopologyBytes); !s) return s;
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::error("file: cannot read " + quote_input(path, 4096));
  auto g = read_ns3_topology(in, path);
  if (!g || spec.default_loss_rate == 0) return g;
  for (uint32_t l = 0; l < g->links().size(); ++l) {
    if (g->links()[l].params.loss_rate == 0) g->set_link_loss_rate(l, spec.default_loss_rate);
  }
  return g;
}

}  // namespace aifabric
