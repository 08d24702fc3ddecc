// fct.txt writer: reads the flow records of a finished run; models nothing.
#include "aifabric/telemetry/sinks/fct_txt/fct_txt.h"

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <vector>

namespace aifabric {
namespace {

// Written without adding first so that Time::max() cannot overflow.
int64_t round_ns(Time t) {
  return t.ps() / 1000 + (t.ps() % 1000 >= 500 ? 1 : 0);
}

}  // namespace

std::string ns3_ip(uint32_t node_id) {
  const uint32_t ip = 0x0b000001u + ((node_id / 256) << 16) + ((node_id % 256) << 8);
  char buf[16];
  std::snprintf(buf, sizeof buf, "%08x", ip);
  return buf;
}

void write_fct_txt(std::ostream& out, const std::vector<FlowRow>& flows, const TopologyGraph& g) {
  struct Done {
    Time finish;
    uint32_t flow;
  };
  std::vector<Done> done;
  for (uint32_t i = 0; i < flows.size(); ++i) {
    if (flows[i].status == FlowRow::Status::kDone) {
      done.push_back(Done{flows[i].spec.start + flows[i].fct, i});
    }
  }
  std::sort(done.begin(), done.end(), [](const Done& a, const Done& b) {
    return a.finish != b.finish ? a.finish < b.finish : a.flow < b.flow;
  });
  for (const Done& d : done) {
    const FlowRow& row = flows[d.flow];
    const FlowSpec& f = row.spec;
    const uint32_t sid = g.nodes()[g.hosts()[f.src]].ext_id;
    const uint32_t did = g.nodes()[g.hosts()[f.dst]].ext_id;
    char buf[160];
    std::snprintf(buf, sizeof buf, "%s %s %u %u %" PRId64 " %" PRId64 " %" PRId64 " %" PRId64 "\n",
                  ns3_ip(sid).c_str(), ns3_ip(did).c_str(), static_cast<unsigned>(f.sport),
                  static_cast<unsigned>(f.dport), f.size, round_ns(f.start), round_ns(row.fct),
                  round_ns(row.ideal));
    out << buf;
  }
}

}  // namespace aifabric
