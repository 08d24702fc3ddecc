#include "aifabric/telemetry/sinks/openmetrics/openmetrics.h"

#include <fmt/format.h>

#include <functional>
#include <vector>

namespace aifabric {

namespace {
std::string label(const std::string& v) {
  std::string out;
  for (const char c : v) {
    if (c == '\\' || c == '"') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}
}  // namespace

void write_openmetrics(std::ostream& out, const TelemetryRecord& rec, const TopologyGraph& g) {
  const auto& node = rec.node_of_port;
  const auto& index = rec.index_of_port;
  // The last sample of each port (samples are in time order, ports in id order).
  std::vector<const PortSample*> last(node.size(), nullptr);
  for (const PortSample& s : rec.samples) last[s.port] = &s;
  struct Family {
    const char* name;
    const char* type;
    const char* unit;
    const char* help;
    std::function<double(const PortSample&)> value;
  };
  const Family families[] = {
      {"aifabric_port_out_bytes", "counter", "bytes",
       "interfaces/interface/state/counters/out-octets",
       [](const PortSample& s) { return double(s.out_octets); }},
      {"aifabric_port_out_pkts", "counter", "",
       "interfaces/interface/state/counters/out-unicast-pkts",
       [](const PortSample& s) { return double(s.out_pkts); }},
      {"aifabric_port_ecn_marked", "counter", "", "ECN-marked packets at this egress",
       [](const PortSample& s) { return double(s.ecn_marked); }},
      {"aifabric_port_pause_tx_frames", "counter", "",
       "interfaces/interface/ethernet/state/counters/out-mac-pause-frames",
       [](const PortSample& s) { return double(s.pause_tx); }},
      {"aifabric_port_pause_rx_frames", "counter", "",
       "interfaces/interface/ethernet/state/counters/in-mac-pause-frames",
       [](const PortSample& s) { return double(s.pause_rx); }},
      {"aifabric_port_paused_seconds", "counter", "seconds", "time this transmitter was paused",
       [](const PortSample& s) { return s.paused.to_seconds(); }},
      {"aifabric_port_drops", "counter", "", "qos/.../queues/queue/state/dropped-pkts",
       [](const PortSample& s) { return double(s.drops); }},
      {"aifabric_port_link_errors", "counter", "", "frames lost to the link error rate",
       [](const PortSample& s) { return double(s.link_errors); }},
      {"aifabric_port_queue_bytes", "gauge", "bytes", "egress queue depth, all classes",
       [](const PortSample& s) { return double(s.queue_bytes); }},
  };
  for (const Family& f : families) {
    // Prometheus text exposition (what promtool checks and scrapers read): a counter's
    // family is named like its samples, with _total; units are in the names.
    const std::string sample =
        std::string(f.name) + (std::string(f.type) == "counter" ? "_total" : "");
    out << "# HELP " << sample << " " << f.help << (*f.unit != '\0' ? " (" : "") << f.unit
        << (*f.unit != '\0' ? ")" : "") << "\n";
    out << "# TYPE " << sample << " " << f.type << "\n";
    for (size_t i = 0; i < node.size(); ++i) {
      if (last[i] == nullptr) continue;
      const uint32_t peer = g.adjacent(node[i])[index[i]].peer;
      out << fmt::format("{}{{node=\"{}\",port=\"{}\",peer=\"{}\"}} {:.12g}\n", sample,
                         label(g.nodes()[node[i]].name), index[i], label(g.nodes()[peer].name),
                         f.value(*last[i]));
    }
  }
  out << "# EOF\n";
}

}  // namespace aifabric
