#include "aifabric/workload/simai/simai_workload.h"

#include <algorithm>
#include <fstream>
#include <string>
#include <vector>

#include "aifabric/core/line_reader.h"
#include "aifabric/core/parse.h"
#include "aifabric/workload/collectives/collectives.h"

namespace aifabric {
namespace {

using Ids = std::vector<uint32_t>;

}  // namespace

std::vector<std::vector<uint32_t>> simai_groups(SimaiGroup kind, uint32_t n, uint32_t tp,
                                                uint32_t ep) {
  const uint32_t blocks = n / tp;  // tensor-parallel groups
  const uint32_t dp = blocks;
  std::vector<Ids> out;
  switch (kind) {
    case SimaiGroup::kTp:
      for (uint32_t b = 0; b < blocks; ++b) {
        Ids g(tp);
        for (uint32_t j = 0; j < tp; ++j) g[j] = b * tp + j;
        out.push_back(std::move(g));
      }
      break;
    case SimaiGroup::kDp:
      for (uint32_t k = 0; k < tp; ++k) {
        Ids g(dp);
        for (uint32_t j = 0; j < dp; ++j) g[j] = j * tp + k;
        out.push_back(std::move(g));
      }
      break;
    case SimaiGroup::kEp:
      for (uint32_t start = 0; start < blocks; start += ep) {
        for (uint32_t k = 0; k < tp; ++k) {
          Ids g(ep);
          for (uint32_t l = 0; l < ep; ++l) g[l] = (start + l) * tp + k;
          out.push_back(std::move(g));
        }
      }
      break;
    case SimaiGroup::kDpEp: {
      const uint32_t dp_ep = dp / ep;
      for (uint32_t base = 0; base < ep; ++base) {
        for (uint32_t k = 0; k < tp; ++k) {
          Ids g(dp_ep);
          for (uint32_t l = 0; l < dp_ep; ++l) g[l] = (base + l * ep) * tp + k;
          out.push_back(std::move(g));
        }
      }
      break;
    }
  }
  return out;
}

namespace {

CollectiveOp op_of(SimaiOp op) {
  switch (op) {
    case SimaiOp::kAllGather:
      return CollectiveOp::kAllGather;
    case SimaiOp::kReduceScatter:
      return CollectiveOp::kReduceScatter;
    case SimaiOp::kAllToAll:
      return CollectiveOp::kAllToAll;
    default:
      return CollectiveOp::kAllReduce;
  }
}

class Builder {
 public:
  Builder(const SimaiWorkload& w, const ClusterMap& map, const SimaiGraphOptions& o)
      : w_(w), map_(map), o_(o), last_(map.ranks()) {
    compute_group_ = g_.add_group({"compute", "compute", 0, 0});
  }

  Status compute(Time d, const SimaiLayer& l) {
    if (d <= Time::zero()) return Status::ok();
    if (g_.size() + last_.size() > kMaxReplayTasks) {
      return Status::error(w_.source + ":" + std::to_string(l.line) +
                           ": the job would have more than " + std::to_string(kMaxReplayTasks) +
                           " tasks");
    }
    for (uint32_t r = 0; r < last_.size(); ++r) {
      last_[r] = {g_.add_compute(r, d, last_[r], compute_group_)};
    }
    return Status::ok();
  }

  // The layer's collective in every group of its kind. Blocking: the members go on when
  // it (and the update after it) is done; else only the update waits for it.
  Status collective(const SimaiLayer& l, const SimaiComm& c, std::string_view phase, bool blocking,
                    int64_t min_bytes) {
    if (c.op == SimaiOp::kNone) return Status::ok();
    if (c.op == SimaiOp::kBroadcast) {
      if (o_.skip_broadcast) return Status::ok();
      return Status::error(w_.source + ":" + std::to_string(l.line) + ": " + std::string(phase) +
                           ": BROADCAST cannot be mapped (no broadcast in aifabric; SimAI "
                           "simulates none: set workload.skip_broadcast to do the same)");
    }
    const uint32_t n = map_.ranks();
    const auto tp = static_cast<uint32_t>(w_.tp);
    const auto ep = static_cast<uint32_t>(w_.ep);
    CollectiveSpec spec;
    spec.op = op_of(c.op);
    spec.algo =
        spec.op == CollectiveOp::kAllToAll ? CollectiveAlgo::kDirect : CollectiveAlgo::kRing;
    spec.hierarchical = o_.hierarchical && spec.op != CollectiveOp::kAllToAll;
    spec.bytes = std::max(c.bytes, min_bytes);
    spec.priority = o_.priority;
    const std::string name =
        std::string(simai_group_name(c.group)) + "." + std::string(collective_op_name(spec.op)) +
        " L" + std::to_string(l.line) + " " + printable(l.name) + " " + std::string(phase);
    for (const Ids& members : simai_groups(c.group, n, tp, ep)) {
      if (members.size() < 2) continue;  // SimAI: a group of one has no collective
      Ids deps;
      for (uint32_t r : members) deps.insert(deps.end(), last_[r].begin(), last_[r].end());
      const std::string at = w_.source + ":" + std::to_string(l.line) + ": ";
      if (Status room = check_replay_room(g_, members.size(), deps.size(), at); !room) return room;
      auto fin = add_collective(g_, spec, members, deps, map_, name);
      if (!fin) {
        return Status::error(w_.source + ":" + std::to_string(l.line) + ": " +
                             fin.status().message());
      }
      for (uint32_t r : members) {
        Ids after = *fin;
        if (l.update > Time::zero()) after = {g_.add_compute(r, l.update, *fin, compute_group_)};
        if (blocking) last_[r] = std::move(after);
      }
    }
    return Status::ok();
  }

  TaskGraph take() { return std::move(g_); }

 private:
  const SimaiWorkload& w_;
  const ClusterMap& map_;
  SimaiGraphOptions o_;
  TaskGraph g_;
  uint32_t compute_group_ = 0;
  std::vector<Ids> last_;  // per rank: what its next task waits for
};

// SimAI raises forward collectives below 4 KiB to 4 KiB (Workload.cc, forward pass).
constexpr int64_t kSimaiMinForwardBytes = 4096;

}  // namespace

Result<TaskGraph> build_simai_graph(const SimaiWorkload& w, const ClusterMap& map,
                                    const SimaiGraphOptions& o) {
  const uint32_t n = map.ranks();
  const std::string at = w.source + ":1: ";
  if (n == 0 || w.tp > n || n % w.tp != 0) {
    return Status::error(at + "model_parallel_NPU_group " + std::to_string(w.tp) +
                         " does not divide the " + std::to_string(n) + " ranks");
  }
  const uint64_t dp = n / w.tp;
  if (dp % w.ep != 0) {
    return Status::error(at + "ep " + std::to_string(w.ep) + " does not divide the data-parallel " +
                         "size " + std::to_string(dp) + " (ranks / model_parallel_NPU_group)");
  }
  Builder b(w, map, o);
  for (const SimaiLayer& l : w.layers) {
    if (Status s = b.compute(l.fwd_compute, l); !s) return s;
    if (Status s = b.collective(l, l.fwd, "fwd", true, kSimaiMinForwardBytes); !s) return s;
  }
  for (auto it = w.layers.rbegin(); it != w.layers.rend(); ++it) {
    if (Status s = b.compute(it->ig_compute, *it); !s) return s;
    if (Status s = b.collective(*it, it->ig, "ig", true, 0); !s) return s;
    if (Status s = b.compute(it->wg_compute, *it); !s) return s;
    if (Status s = b.collective(*it, it->wg, "wg", false, 0); !s) return s;
  }
  return b.take();
}

Result<Job> prepare_simai(const SimaiWorkloadSpec& s, const JobContext& ctx) {
  const std::string path = ctx.resolve(s.file);
  if (Status st = check_data_file(path, kMaxSimaiWorkloadBytes); !st) {
    return st.with_context("workload");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::error("workload.file: cannot read " + quote_input(path, 4096));
  auto w = read_simai_workload(in, path);
  if (!w) return w.status();
  const uint64_t gpus = s.gpus != 0 ? static_cast<uint64_t>(s.gpus) : w->all_gpus;
  if (gpus == 0) {
    return Status::error(path + ":1: the header has no all_gpus; set workload.gpus");
  }
  if (s.gpus != 0 && w->all_gpus != 0 && w->all_gpus != gpus) {
    return Status::error("workload.gpus: " + std::to_string(gpus) + " ranks, but " + path +
                         " was made for all_gpus " + std::to_string(w->all_gpus));
  }
  const bool on_fabric = engines().find(s.engine())->on_paths();
  auto map = replay_cluster_map(s.run.cluster, ctx.graph, static_cast<uint32_t>(gpus), on_fabric);
  if (!map) return map.status();
  auto graph =
      build_simai_graph(*w, *map, {s.run.hierarchical, s.skip_broadcast, ctx.data_priority});
  if (!graph) return graph.status();
  Job job;
  job.graph = std::move(graph).value();
  job.map = std::move(map).value();
  job.engine = s.engine();
  job.trace = s.trace;
  job.in_replica.resize(job.map.ranks());
  for (uint32_t r = 0; r < job.map.ranks(); ++r) job.in_replica[r] = r < w->tp ? 1 : 0;
  return job;
}

void report_simai(const SimaiWorkloadSpec& /*s*/, const Job& job, const TaskTimes& t,
                  const TopologyGraph& /*g*/, JobReport& out) {
  out.training = replay_report(job, t);
}

}  // namespace aifabric
