// ns-3 RDMA topology import. The original readers pull whitespace-separated tokens
// with istream >>, so line breaks are not significant to them; here the switch-id
// list may likewise span lines (SimAI's documentation splits NVSwitch and switch ids
// over two), but each link must sit on its own line of exactly five fields, which
// every generator writes and which lets a malformed link be reported where it is.
#include "aifabric/topo/import/ns3_topology.h"

#include <fstream>
#include <string>
#include <string_view>
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
  uint64_t nvswitches = 0;  // SimAI only
  uint64_t switches = 0;
  uint64_t links = 0;
};

Result<Header> read_header(LineReader& r) {
  constexpr std::string_view kExpected =
      "expected 'nodes switches links' (ns-3) or "
      "'nodes gpus_per_server nvswitches switches links gpu_type' (SimAI)";
  if (!r.next()) return r.error(std::string("the file is empty; ") + std::string(kExpected));
  const auto f = split_blanks(r.line());
  Header h;
  std::vector<std::string_view> text;
  std::vector<std::pair<std::string_view, uint64_t*>> into;
  if (f.size() == 3) {
    text = {f[0], f[1], f[2]};
    into = {{"node count", &h.nodes}, {"switch count", &h.switches}, {"link count", &h.links}};
  } else if (f.size() == 6 || f.size() == 7) {
    // GPUs per server, GPU type and GPUs per node only tune SimAI's NVLink and GPU
    // models; the fabric needs none of them.
    text = {f[0], f[2], f[3], f[4]};
    into = {{"node count", &h.nodes},
            {"NVSwitch count", &h.nvswitches},
            {"switch count", &h.switches},
            {"link count", &h.links}};
  } else {
    return r.error(std::string(kExpected) + ", found " + std::to_string(f.size()) + " fields");
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
  return h;
}

std::string node_range(uint64_t nodes) {
  return "(0.." + std::to_string(nodes - 1) + ")";
}

// Reads the declared number of switch ids, which may span lines.
Result<std::vector<char>> read_switch_ids(LineReader& r, const Header& h) {
  const uint64_t want = h.nvswitches + h.switches;
  std::vector<char> is_switch(h.nodes, 0);
  uint64_t got = 0;
  while (got < want) {
    if (!r.next()) {
      return r.error("the file ends after " + std::to_string(got) + " of " + std::to_string(want) +
                     " switch ids");
    }
    const auto toks = split_blanks(r.line());
    if (got + toks.size() > want) {
      // Most often the id line is short and this line is already the first link.
      const std::string declared = "the header declares " + std::to_string(want) + " switch ids";
      if (got == 0) {
        return r.error(declared + ", but this line lists " + std::to_string(toks.size()));
      }
      return r.error(declared + "; " + std::to_string(got) + " came before this line, which has " +
                     std::to_string(toks.size()) + " more fields");
    }
    for (std::string_view tok : toks) {
      auto id = parse_uint(tok, "switch id");
      if (!id) return r.error(id.status().message());
      if (*id >= h.nodes) {
        return r.error("switch id " + std::to_string(*id) + " is not a node " +
                       node_range(h.nodes));
      }
      if (is_switch[*id]) return r.error("switch id " + std::to_string(*id) + " is listed twice");
      is_switch[*id] = 1;
      ++got;
    }
  }
  return is_switch;
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

Result<TopologyGraph> read_ns3_topology(std::istream& in, const std::string& source) {
  LineReader r(in, source);
  auto h = read_header(r);
  if (!h) return h.status();
  auto is_switch = read_switch_ids(r, *h);
  if (!is_switch) return is_switch.status();

  TopologyGraph g;
  for (uint64_t id = 0; id < h->nodes; ++id) {
    const bool sw = (*is_switch)[id] != 0;
    g.add_node(sw ? NodeKind::kSwitch : NodeKind::kHost, "node" + std::to_string(id), sw ? 1 : 0,
               static_cast<uint32_t>(id));
  }
  for (uint64_t i = 0; i < h->links; ++i) {
    if (!r.next()) {
      return r.error("the file ends after " + std::to_string(i) + " of " +
                     std::to_string(h->links) + " links");
    }
    const auto f = split_blanks(r.line());
    if (f.size() != 5) {
      return r.error("expected 'src dst rate delay error_rate', found " + std::to_string(f.size()) +
                     " fields");
    }
    uint32_t a = 0;
    uint32_t b = 0;
    auto p = parse_link(f, h->nodes, a, b);
    if (!p) return r.error(p.status().message());
    g.add_link(a, b, *p);
  }
  // Whatever follows the declared links is commentary, as in HPCC's example files.
  if (Status s = g.validate(); !s) {
    if (h->nvswitches > 0) {
      // SimAI GPUs link to NVSwitches (NVLink) besides their NIC.
      return Status::error(source + ": " + s.message() +
                           " (SimAI NVSwitch links are intra-server NVLink, which this "
                           "engine does not model)");
    }
    return s.with_context(source);
  }
  return g;
}

Result<TopologyGraph> import_ns3_topology(const Ns3TopologySpec& spec, const BuildContext& ctx) {
  const std::string path = ctx.resolve(spec.file);
  std::ifstream in(path);
  if (!in) return Status::error("file: cannot read '" + path + "'");
  auto g = read_ns3_topology(in, path);
  if (!g || spec.default_loss_rate == 0) return g;
  for (uint32_t l = 0; l < g->links().size(); ++l) {
    if (g->links()[l].params.loss_rate == 0) g->set_link_loss_rate(l, spec.default_loss_rate);
  }
  return g;
}

}  // namespace aifabric
