// ns-3 RDMA config files: the reader (every key HPCC's third.cc reads, with its number
// of values) and the entry points that run the key-by-key translation. What each key
// means was learnt from HPCC's third.cc and rdma-hw.cc; the mapping table and its
// losses are documented in docs/scenario.head.md.
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "aifabric/core/line_reader.h"
#include "aifabric/core/parse.h"
#include "aifabric/scenario/ns3/config.h"
#include "aifabric/scenario/ns3/mapper.h"

namespace aifabric {
namespace {

constexpr size_t kMaxWord = 4096;  // characters in a key or a value (PATH_MAX)

// How many values a key takes.
enum class Arity {
  kOne,      // KEY value
  kThree,    // LINK_DOWN time_us node_a node_b
  kRateMap,  // KMIN_MAP count rate1 value1 rate2 value2 ...
};

struct KeySpec {
  std::string_view key;
  Arity arity = Arity::kOne;
};

// Every key third.cc reads, in its config_doc.txt order (PAUSE_TIME, DATA_RATE and
// LINK_DELAY are read by third.cc too, though HPCC's configs do not set them).
constexpr KeySpec kKeys[] = {
    {"ENABLE_QCN"},
    {"USE_DYNAMIC_PFC_THRESHOLD"},
    {"PACKET_PAYLOAD_SIZE"},
    {"TOPOLOGY_FILE"},
    {"FLOW_FILE"},
    {"TRACE_FILE"},
    {"TRACE_OUTPUT_FILE"},
    {"FCT_OUTPUT_FILE"},
    {"PFC_OUTPUT_FILE"},
    {"SIMULATOR_STOP_TIME"},
    {"CC_MODE"},
    {"ALPHA_RESUME_INTERVAL"},
    {"RATE_DECREASE_INTERVAL"},
    {"CLAMP_TARGET_RATE"},
    {"RP_TIMER"},
    {"EWMA_GAIN"},
    {"FAST_RECOVERY_TIMES"},
    {"RATE_AI"},
    {"RATE_HAI"},
    {"MIN_RATE"},
    {"DCTCP_RATE_AI"},
    {"ERROR_RATE_PER_LINK"},
    {"L2_CHUNK_SIZE"},
    {"L2_ACK_INTERVAL"},
    {"L2_BACK_TO_ZERO"},
    {"HAS_WIN"},
    {"GLOBAL_T"},
    {"VAR_WIN"},
    {"FAST_REACT"},
    {"U_TARGET"},
    {"MI_THRESH"},
    {"INT_MULTI"},
    {"MULTI_RATE"},
    {"SAMPLE_FEEDBACK"},
    {"PINT_LOG_BASE"},
    {"PINT_PROB"},
    {"RATE_BOUND"},
    {"ACK_HIGH_PRIO"},
    {"LINK_DOWN", Arity::kThree},
    {"ENABLE_TRACE"},
    {"KMAX_MAP", Arity::kRateMap},
    {"KMIN_MAP", Arity::kRateMap},
    {"PMAX_MAP", Arity::kRateMap},
    {"BUFFER_SIZE"},
    {"QLEN_MON_FILE"},
    {"QLEN_MON_START"},
    {"QLEN_MON_END"},
    {"PAUSE_TIME"},
    {"DATA_RATE"},
    {"LINK_DELAY"},
};

const std::vector<std::string_view>& key_names() {
  static const std::vector<std::string_view> kNames = [] {
    std::vector<std::string_view> v;
    for (const KeySpec& k : kKeys) v.push_back(k.key);
    return v;
  }();
  return kNames;
}

const KeySpec* spec_of(std::string_view key) {
  for (const KeySpec& k : kKeys) {
    if (k.key == key) return &k;
  }
  return nullptr;
}

}  // namespace

std::span<const std::string_view> ns3_config_keys() {
  return key_names();
}

const Ns3ConfigLine* Ns3Config::find(std::string_view key) const {
  for (const Ns3ConfigLine& l : lines) {
    if (l.key == key) return &l;
  }
  return nullptr;
}

Status Ns3Config::error(const Ns3ConfigLine& l, std::string_view why) const {
  return Status::error(source + ":" + std::to_string(l.line) + ": " + l.key + ": " +
                       std::string(why));
}

Result<Ns3Config> read_ns3_config(std::istream& in, const std::string& source) {
  Ns3Config c;
  c.source = source;
  LineReader r(in, source, /*skip_comments=*/true, kMaxScenarioBytes);
  while (r.next()) {
    const auto f = split_blanks(r.line());
    // Keys and values are echoed in messages: one longer than any path is refused here.
    for (const std::string_view w : f) {
      if (w.size() > kMaxWord) {
        return Status::error(source + ":" + std::to_string(r.line_number()) + ": " +
                             quote_input(w, 40) + ": longer than " + std::to_string(kMaxWord) +
                             " characters");
      }
    }
    Ns3ConfigLine l;
    l.key = std::string(f[0]);
    l.line = r.line_number();
    for (size_t i = 1; i < f.size(); ++i) l.values.emplace_back(f[i]);
    const KeySpec* spec = spec_of(l.key);
    if (spec == nullptr) {
      return Status::error(source + ":" + std::to_string(l.line) + ": " + quote_input(l.key) +
                           ": unknown key (not one the ns-3 RDMA simulator's third.cc reads)");
    }
    if (const Ns3ConfigLine* first = c.find(l.key)) {
      return c.error(l, "given twice (first on line " + std::to_string(first->line) + ")");
    }
    const size_t n = l.values.size();
    switch (spec->arity) {
      case Arity::kOne:
        if (n != 1) return c.error(l, "expected one value, found " + std::to_string(n));
        break;
      case Arity::kThree:
        if (n != 3) {
          return c.error(l, "expected 'time_us node node' (3 values), found " + std::to_string(n));
        }
        break;
      case Arity::kRateMap: {
        const std::string form = "expected 'count rate1 value1 rate2 value2 ...'";
        if (n == 0) return c.error(l, form);
        auto count = parse_uint(l.values[0], "count");
        if (!count) return c.error(l, form + ": " + count.status().message());
        // Compared without multiplying: a count near 2^64 must not wrap.
        if (*count == 0 || (n - 1) % 2 != 0 || *count != (n - 1) / 2) {
          return c.error(l, form + ": the count " + l.values[0] + " announces " + l.values[0] +
                                " rate/value pairs after it, found " + std::to_string(n - 1) +
                                " values");
        }
        break;
      }
    }
    c.lines.push_back(std::move(l));
  }
  if (!r.status()) return r.status();
  return c;
}

Result<Ns3ConfigScenario> map_ns3_config(const Ns3Config& c, const std::string& config_dir,
                                         const Ns3ConfigFiles& given) {
  Ns3ConfigScenario out;
  ns3cfg::Mapper m(c, out);
  int64_t payload = 1000;  // third.cc's default
  if (const Ns3ConfigLine* l = m.take("PACKET_PAYLOAD_SIZE")) {
    auto v = m.whole(*l);
    if (!v) return v.status();
    if (*v < 64 || *v > 65536) return m.error(*l, "expected 64 to 65536 bytes (transport.mtu)");
    payload = static_cast<int64_t>(*v);
  }
  auto in = ns3cfg::read_inputs(m, config_dir, given, out);
  if (!in) return in.status();
  m.set("transport.mtu", std::to_string(payload));
  if (auto st = ns3cfg::map_cc(m, *in, payload); !st) return st;
  if (auto st = ns3cfg::map_switch(m, *in); !st) return st;
  if (auto st = ns3cfg::map_transport(m, *in, payload); !st) return st;
  if (auto st = ns3cfg::map_rest(m); !st) return st;
  m.finish();
  return out;
}

Result<Ns3ConfigScenario> load_ns3_config(const std::string& path, const Ns3ConfigFiles& given) {
  const std::string shown = printable(path);
  if (Status s = check_input_file(path, kMaxScenarioBytes); !s) return s.with_context(shown);
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::error(shown + ": cannot read the file");
  auto c = read_ns3_config(in, shown);
  if (!c) return c.status();
  return map_ns3_config(*c, std::filesystem::path(path).parent_path().string(), given);
}

}  // namespace aifabric
