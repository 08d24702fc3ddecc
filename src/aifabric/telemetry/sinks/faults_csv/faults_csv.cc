#include "aifabric/telemetry/sinks/faults_csv/faults_csv.h"

#include <fmt/format.h>

namespace aifabric {
namespace {

std::string us_or_empty(Time t) {
  return t == Time::max() ? std::string() : fmt::format("{:.3f}", t.to_us());
}

// A CSV field: quoted when it holds a comma, quote or line break.
std::string field(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string q = "\"";
  for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}

}  // namespace

void write_faults_csv(std::ostream& out, const FaultRecord& f) {
  out << "time_s,kind,element,happened,recovery_mode,detection_us,local_repair_us,"
         "notices_done_us,control_plane_us,reweighted_us,blackholing_ended_us,notices,"
         "blackholed_packets,"
         "blackholed_bytes,flows_affected,flows_failed\n";
  for (const FaultRow& r : f.rows) {
    out << fmt::format("{:.9f},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}\n", r.at.to_seconds(),
                       r.kind, field(r.element), r.happened ? 1 : 0, f.mode,
                       us_or_empty(r.detected), us_or_empty(r.local_repair),
                       us_or_empty(r.notices_done), us_or_empty(r.control_plane_done),
                       us_or_empty(r.reweighted), us_or_empty(r.blackhole_end), r.notices,
                       r.blackholed_packets, r.blackholed_bytes, r.flows_affected, r.flows_failed);
  }
}

}  // namespace aifabric
