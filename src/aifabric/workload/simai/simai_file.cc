// SimAI workload files. SimAI reads them with istream >> (line breaks do not matter to
// it, unknown communication names silently become none); here every layer is one line
// of exactly 12 fields and every name must be one the mapping knows, so a garbled file
// is refused where it goes wrong instead of simulated as something else.
#include "aifabric/workload/simai/simai_file.h"

#include <algorithm>
#include <array>
#include <string_view>
#include <utility>

#include "aifabric/core/line_reader.h"
#include "aifabric/core/parse.h"

namespace aifabric {
namespace {

constexpr std::string_view kMappedPolicies[] = {"HYBRID_TRANSFORMER_FWD_IN_BCKWD",
                                                "HYBRID_TRANSFORMER"};
// SimAI's other policies: each schedules its layers its own way, which is not mapped.
constexpr std::string_view kOtherPolicies[] = {"DATA",
                                               "MODEL",
                                               "HYBRID_DATA_MODEL",
                                               "HYBRID_MODEL_DATA",
                                               "HYBRID_DLRM",
                                               "HYBRID_DLRM_ENHANCED",
                                               "HYBRID_CUSTOMIZED",
                                               "MICRO",
                                               "DISTRIBUTED_INFERENCE"};

struct HeaderKey {
  std::string_view name;
  uint64_t* into;
  bool seen = false;
};

Status read_header(LineReader& r, SimaiWorkload& w) {
  if (!r.next()) {
    if (!r.status()) return r.status();
    return r.error(
        "the file is empty; expected a header such as "
        "'HYBRID_TRANSFORMER_FWD_IN_BCKWD model_parallel_NPU_group: 8 ...'");
  }
  size_t pos = 0;
  const std::string_view policy = next_blank_field(r.line(), pos);
  if (std::find(std::begin(kMappedPolicies), std::end(kMappedPolicies), policy) ==
      std::end(kMappedPolicies)) {
    if (std::find(std::begin(kOtherPolicies), std::end(kOtherPolicies), policy) !=
        std::end(kOtherPolicies)) {
      return r.error("parallelism policy " + std::string(policy) +
                     " cannot be mapped (aifabric maps HYBRID_TRANSFORMER and "
                     "HYBRID_TRANSFORMER_FWD_IN_BCKWD)");
    }
    return r.error("unknown parallelism policy " + quote_input(policy));
  }
  w.policy = std::string(policy);
  uint64_t pp = 1;
  uint64_t vpp = 1;
  uint64_t ga = 1;
  uint64_t pp_comm = 0;
  uint64_t checkpoints = 0;
  uint64_t initiates = 0;
  std::array<HeaderKey, 9> keys{{{"model_parallel_NPU_group:", &w.tp},
                                 {"ep:", &w.ep},
                                 {"pp:", &pp},
                                 {"vpp:", &vpp},
                                 {"ga:", &ga},
                                 {"all_gpus:", &w.all_gpus},
                                 {"checkpoints:", &checkpoints},
                                 {"checkpoint_initiates:", &initiates},
                                 {"pp_comm", &pp_comm}}};
  for (std::string_view key = next_blank_field(r.line(), pos); !key.empty();
       key = next_blank_field(r.line(), pos)) {
    std::string_view name = key;
    if (name == "pp_comm:") name = "pp_comm";  // AICB writes it either way
    auto k =
        std::find_if(keys.begin(), keys.end(), [&](const HeaderKey& h) { return h.name == name; });
    if (k == keys.end()) return r.error("unknown header key " + quote_input(key));
    if (k->seen) return r.error("header key " + std::string(k->name) + " appears twice");
    k->seen = true;
    const std::string_view value = next_blank_field(r.line(), pos);
    if (value.empty()) return r.error("header key " + std::string(k->name) + " has no value");
    auto v = parse_uint(value, k->name);
    if (!v) return r.error(v.status().message());
    *k->into = *v;
    if (k->into == &checkpoints || k->into == &initiates) {
      // A count, then as many layer numbers.
      for (uint64_t i = 0; i < *v; ++i) {
        if (next_blank_field(r.line(), pos).empty()) {
          return r.error("header key " + std::string(k->name) + " announces " + std::to_string(*v) +
                         " layers but lists " + std::to_string(i));
        }
      }
    }
  }
  if (w.tp == 0 || w.ep == 0) {
    return r.error("model_parallel_NPU_group and ep must be at least 1");
  }
  if (w.tp > kMaxSimaiGpus || w.ep > kMaxSimaiGpus || w.all_gpus > kMaxSimaiGpus) {
    return r.error("a group or GPU count above " + std::to_string(kMaxSimaiGpus));
  }
  if (pp != 1) {
    return r.error("pp: " + std::to_string(pp) +
                   " cannot be mapped: SimAI adds pipeline parallelism analytically (bubble and "
                   "pp_comm), not as traffic between stages");
  }
  if (pp_comm != 0) return r.error("pp_comm without pipeline parallelism (pp: 1)");
  if (checkpoints != 0 || initiates != 0) {
    return r.error("checkpoints (recomputation in the backward pass) cannot be mapped");
  }
  return Status::ok();
}

Result<uint64_t> bounded(std::string_view text, std::string_view what, uint64_t max) {
  auto v = parse_uint(text, what);
  if (!v) return v.status();
  if (*v > max) {
    return Status::error(std::string(what) + " " + std::string(text) + " is above the limit " +
                         std::to_string(max));
  }
  return *v;
}

Result<SimaiComm> parse_comm(std::string_view type, std::string_view size, bool weight_grad) {
  SimaiComm c;
  auto bytes = bounded(size, "communication size", kMaxSimaiCommBytes);
  if (!bytes) return bytes.status();
  if (type == "NONE") {
    if (*bytes != 0) {
      return Status::error("communication NONE with size " + std::string(size) + " (expected 0)");
    }
    return c;
  }
  constexpr std::pair<std::string_view, SimaiOp> kOps[] = {
      {"ALLREDUCE", SimaiOp::kAllReduce},
      {"ALLGATHER", SimaiOp::kAllGather},
      {"REDUCESCATTER", SimaiOp::kReduceScatter},
      {"ALLTOALL", SimaiOp::kAllToAll}};
  if (type == "BROADCAST") {
    c.op = *bytes == 0 ? SimaiOp::kNone : SimaiOp::kBroadcast;
    c.bytes = static_cast<int64_t>(*bytes);
    return c;
  }
  if (type.starts_with("BROADCAST") || type.starts_with("ALLREDUCEALLTOALL")) {
    return Status::error("communication " + quote_input(type) +
                         " cannot be mapped (no such collective in aifabric)");
  }
  for (const auto& [name, op] : kOps) {
    if (!type.starts_with(name)) continue;
    const std::string_view suffix = type.substr(name.size());
    c.op = op;
    if (suffix.empty()) {
      c.group = weight_grad ? SimaiGroup::kDp : SimaiGroup::kTp;
    } else if (suffix == "_EP") {
      c.group = SimaiGroup::kEp;
    } else if (suffix == "_DP_EP") {
      c.group = SimaiGroup::kDpEp;
    } else {
      break;
    }
    c.bytes = static_cast<int64_t>(*bytes);
    if (c.bytes == 0) c.op = SimaiOp::kNone;  // AICB writes empty collectives as size 0
    return c;
  }
  return Status::error("unknown communication type " + quote_input(type));
}

Result<SimaiLayer> parse_layer(const std::vector<std::string_view>& f) {
  SimaiLayer l;
  l.name = std::string(f[0]);
  if (f[1] != "-1") {
    return Status::error("dependency field " + quote_input(f[1]) +
                         ": expected -1 (SimAI runs layers in file order)");
  }
  Time* times[] = {&l.fwd_compute, &l.ig_compute, &l.wg_compute, &l.update};
  const size_t time_field[] = {2, 5, 8, 11};
  constexpr std::string_view kTimeNames[] = {"forward compute time", "input-gradient compute time",
                                             "weight-gradient compute time", "update time"};
  for (size_t i = 0; i < 4; ++i) {
    auto t = bounded(f[time_field[i]], kTimeNames[i], kMaxSimaiTicks);
    if (!t) return t.status();
    *times[i] = Time::ns(static_cast<int64_t>(*t));
  }
  SimaiComm* comms[] = {&l.fwd, &l.ig, &l.wg};
  constexpr std::string_view kPhase[] = {"forward", "input-gradient", "weight-gradient"};
  for (size_t i = 0; i < 3; ++i) {
    auto c = parse_comm(f[3 + 3 * i], f[4 + 3 * i], i == 2);
    if (!c) return c.status().with_context(std::string(kPhase[i]));
    *comms[i] = *c;
  }
  return l;
}

}  // namespace

std::string_view simai_group_name(SimaiGroup g) {
  constexpr std::string_view kNames[] = {"tp", "dp", "ep", "dp_ep"};
  return kNames[static_cast<size_t>(g)];
}

Result<SimaiWorkload> read_simai_workload(std::istream& in, const std::string& source) {
  LineReader r(in, source, /*skip_comments=*/false, kMaxSimaiWorkloadBytes);
  SimaiWorkload w;
  w.source = source;
  if (Status s = read_header(r, w); !s) return s;
  if (!r.next()) {
    if (!r.status()) return r.status();
    return r.error("the file ends after the header; expected the layer count");
  }
  if (count_blank_fields(r.line()) != 1) return r.error("expected the layer count alone");
  auto count = parse_uint(split_blanks(r.line())[0], "layer count");
  if (!count) return r.error(count.status().message());
  if (*count == 0) return r.error("the layer count is 0");
  // A layer line has 12 fields: at least 24 bytes with its line end.
  const uint64_t room = std::min<uint64_t>(r.lines_left(), (r.bytes_left() + 1) / 24);
  if (*count > kMaxSimaiLayers || *count > room) {
    return r.error("layer count " + std::to_string(*count) + " is more than the file holds (" +
                   std::to_string(std::min<uint64_t>(room, kMaxSimaiLayers)) + " at most)");
  }
  w.layers.reserve(*count);
  for (uint64_t i = 0; i < *count; ++i) {
    if (!r.next()) {
      if (!r.status()) return r.status();
      return r.error("the file ends after " + std::to_string(i) + " of " + std::to_string(*count) +
                     " layers");
    }
    const size_t fields = count_blank_fields(r.line());
    if (fields != 12) {
      return r.error(
          "expected 12 fields (name dep fwd_ns fwd_comm fwd_bytes ig_ns ig_comm "
          "ig_bytes wg_ns wg_comm wg_bytes update_ns), found " +
          std::to_string(fields));
    }
    auto l = parse_layer(split_blanks(r.line()));
    if (!l) return r.error(l.status().message());
    l->line = r.line_number();
    w.layers.push_back(std::move(*l));
  }
  if (r.next()) return r.error("more lines than the layer count (" + std::to_string(*count) + ")");
  if (!r.status()) return r.status();
  return w;
}

}  // namespace aifabric
