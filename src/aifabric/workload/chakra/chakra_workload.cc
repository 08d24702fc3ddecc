// Chakra traces -> one task graph. The ranks' nodes are visited in dependency order
// (Kahn's algorithm over all ranks at once, first-in first-out from file order, so the
// graph is the same every run); a collective or a send/receive pair is added when every
// node it stands for is ready, so the TaskGraph's "dependencies come first" holds.
#include "aifabric/workload/chakra/chakra_workload.h"

#include <algorithm>
#include <deque>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "aifabric/core/line_reader.h"
#include "aifabric/core/parse.h"
#include "aifabric/workload/collectives/collectives.h"

namespace aifabric {
namespace {

using Ids = std::vector<uint32_t>;
// All ranks' traces together: at most 1 GiB.
constexpr size_t kMaxChakraTotalBytes = size_t{1} << 30;

std::string node_at(const ChakraRankTrace& t, const ChakraNode& n) {
  return t.source + ": node " + std::to_string(n.id) + ": ";
}

std::string kind_name(const ChakraNode& n) {
  switch (n.kind) {
    case ChakraKind::kCollective:
      return std::string(collective_op_name(static_cast<CollectiveOp>(n.op))) + " of " +
             std::to_string(n.bytes) + " B";
    case ChakraKind::kBarrier:
      return "barrier";
    case ChakraKind::kSend:
      return "send to rank " + std::to_string(n.peer);
    case ChakraKind::kRecv:
      return "receive from rank " + std::to_string(n.peer);
    default:
      return "node";
  }
}

class Assembler {
 public:
  Assembler(const std::vector<ChakraRankTrace>& t, const ClusterMap& map,
            const ChakraGraphOptions& o)
      : t_(t), map_(map), o_(o) {}

  Result<TaskGraph> run() {
    if (Status s = index(); !s) return s;
    if (Status s = match(); !s) return s;
    compute_group_ = g_.add_group({"compute", "compute", 0, 0});
    std::deque<std::pair<uint32_t, uint32_t>> ready;
    for (uint32_t r = 0; r < t_.size(); ++r) {
      for (uint32_t i = 0; i < t_[r].nodes.size(); ++i) {
        if (remaining_[r][i] == 0) ready.emplace_back(r, i);
      }
    }
    size_t done = 0;
    while (!ready.empty()) {
      const auto [r, i] = ready.front();
      ready.pop_front();
      auto finished = visit(r, i);
      if (!finished) return finished.status();
      for (const auto& [fr, fi] : *finished) {
        ++done;
        done_[fr][fi] = 1;
        for (uint32_t d : dependents_[fr][fi]) {
          if (--remaining_[fr][d] == 0) ready.emplace_back(fr, d);
        }
      }
    }
    if (done < total_) return stuck();
    return std::move(g_);
  }

 private:
  struct GroupInfo {
    Ids members;                     // ranks, ascending
    std::vector<Ids> nodes_of_rank;  // per member: its collective nodes in file order
    std::vector<uint32_t> arrived;   // per instance
  };
  using P2pKey = std::tuple<uint32_t, uint32_t, int64_t>;  // src, dst, tag

  Status index() {
    const auto ranks = static_cast<uint32_t>(t_.size());
    remaining_.resize(ranks);
    dependents_.resize(ranks);
    fin_.resize(ranks);
    seq_.resize(ranks);
    for (uint32_t r = 0; r < ranks; ++r) {
      const auto& nodes = t_[r].nodes;
      total_ += nodes.size();
      std::unordered_map<uint64_t, uint32_t> at;
      for (uint32_t i = 0; i < nodes.size(); ++i) at.emplace(nodes[i].id, i);
      remaining_[r].assign(nodes.size(), 0);
      dependents_[r].assign(nodes.size(), {});
      fin_[r].assign(nodes.size(), {});
      seq_[r].assign(nodes.size(), 0);
      dep_index_.emplace_back(nodes.size());
      for (uint32_t i = 0; i < nodes.size(); ++i) {
        Ids deps;
        for (uint64_t d : nodes[i].deps) deps.push_back(at.at(d));
        std::sort(deps.begin(), deps.end());
        deps.erase(std::unique(deps.begin(), deps.end()), deps.end());
        remaining_[r][i] = static_cast<uint32_t>(deps.size());
        for (uint32_t d : deps) dependents_[r][d].push_back(i);
        dep_index_[r][i] = std::move(deps);
      }
    }
    return Status::ok();
  }

  // Collectives by process group, sends and receives by (src, dst, tag); counts must
  // agree between the ranks.
  Status match() {
    const auto ranks = static_cast<uint32_t>(t_.size());
    std::map<std::string, std::map<uint32_t, Ids>> by_group;
    std::map<P2pKey, Ids> sends;
    std::map<P2pKey, Ids> recvs;
    for (uint32_t r = 0; r < ranks; ++r) {
      for (uint32_t i = 0; i < t_[r].nodes.size(); ++i) {
        const ChakraNode& n = t_[r].nodes[i];
        if (n.kind == ChakraKind::kCollective || n.kind == ChakraKind::kBarrier) {
          Ids& list = by_group[n.group][r];
          seq_[r][i] = static_cast<uint32_t>(list.size());
          list.push_back(i);
        } else if (n.kind == ChakraKind::kSend) {
          Ids& list = sends[{r, n.peer, n.tag}];
          seq_[r][i] = static_cast<uint32_t>(list.size());
          list.push_back(i);
        } else if (n.kind == ChakraKind::kRecv) {
          Ids& list = recvs[{n.peer, r, n.tag}];
          seq_[r][i] = static_cast<uint32_t>(list.size());
          list.push_back(i);
        }
      }
    }
    for (auto& [name, per_rank] : by_group) {
      GroupInfo gi;
      if (name.empty()) {
        for (uint32_t r = 0; r < ranks; ++r) gi.members.push_back(r);
      } else {
        for (const auto& [r, list] : per_rank) gi.members.push_back(r);
      }
      for (uint32_t r : gi.members) {
        auto it = per_rank.find(r);
        gi.nodes_of_rank.push_back(it == per_rank.end() ? Ids{} : it->second);
      }
      const size_t count = gi.nodes_of_rank.front().size();
      for (size_t m = 1; m < gi.members.size(); ++m) {
        const size_t mine = gi.nodes_of_rank[m].size();
        if (mine != count) {
          const std::string group =
              name.empty() ? "every rank (no pg_name)" : "pg_name " + quote_input(name);
          return Status::error(t_[gi.members[m]].source + ": " + std::to_string(mine) +
                               " collectives of " + group + ", but " +
                               t_[gi.members.front()].source + " has " + std::to_string(count));
        }
      }
      gi.arrived.assign(count, 0);
      groups_.emplace(name, std::move(gi));
    }
    for (const auto& [key, list] : sends) {
      const auto it = recvs.find(key);
      const size_t got = it == recvs.end() ? 0 : it->second.size();
      if (got < list.size()) {
        const uint32_t src = std::get<0>(key);
        const ChakraNode& n = t_[src].nodes[list[got]];
        return Status::error(node_at(t_[src], n) + "send to rank " + std::to_string(n.peer) +
                             " (tag " + std::to_string(n.tag) + ") has no matching receive in " +
                             t_[n.peer].source);
      }
    }
    for (const auto& [key, list] : recvs) {
      const auto it = sends.find(key);
      const size_t got = it == sends.end() ? 0 : it->second.size();
      if (got < list.size()) {
        const uint32_t dst = std::get<1>(key);
        const ChakraNode& n = t_[dst].nodes[list[got]];
        return Status::error(node_at(t_[dst], n) + "receive from rank " + std::to_string(n.peer) +
                             " (tag " + std::to_string(n.tag) + ") has no matching send in " +
                             t_[n.peer].source);
      }
    }
    sends_ = std::move(sends);
    recvs_ = std::move(recvs);
    arrived_.resize(ranks);
    done_.resize(ranks);
    for (uint32_t r = 0; r < ranks; ++r) {
      arrived_[r].assign(t_[r].nodes.size(), 0);
      done_[r].assign(t_[r].nodes.size(), 0);
    }
    return Status::ok();
  }

  void add_deps(uint32_t r, uint32_t i, Ids& into) const {
    for (uint32_t d : dep_index_[r][i])
      into.insert(into.end(), fin_[r][d].begin(), fin_[r][d].end());
  }
  static void dedup(Ids& v) {
    std::sort(v.begin(), v.end());
    v.erase(std::unique(v.begin(), v.end()), v.end());
  }

  // Handles a ready node; returns the nodes that finished with it (none while a
  // collective or transfer waits for its other ranks).
  Result<std::vector<std::pair<uint32_t, uint32_t>>> visit(uint32_t r, uint32_t i) {
    const ChakraNode& n = t_[r].nodes[i];
    std::vector<std::pair<uint32_t, uint32_t>> out;
    switch (n.kind) {
      case ChakraKind::kPass: {
        Ids deps;
        add_deps(r, i, deps);
        dedup(deps);
        fin_[r][i] = std::move(deps);
        out.emplace_back(r, i);
        return out;
      }
      case ChakraKind::kCompute: {
        Ids deps;
        add_deps(r, i, deps);
        dedup(deps);
        fin_[r][i] = {g_.add_compute(r, n.duration, deps, compute_group_)};
        out.emplace_back(r, i);
        return out;
      }
      case ChakraKind::kSend:
      case ChakraKind::kRecv: {
        arrived_[r][i] = 1;
        const bool send = n.kind == ChakraKind::kSend;
        const uint32_t src = send ? r : n.peer;
        const uint32_t dst = send ? n.peer : r;
        const P2pKey key{src, dst, n.tag};
        const uint32_t si = sends_.at(key)[seq_[r][i]];
        const uint32_t ri = recvs_.at(key)[seq_[r][i]];
        if (arrived_[src][si] == 0 || arrived_[dst][ri] == 0) return out;
        const ChakraNode& s = t_[src].nodes[si];
        const ChakraNode& v = t_[dst].nodes[ri];
        if (s.bytes != v.bytes) {
          return Status::error(node_at(t_[src], s) + "sends " + std::to_string(s.bytes) +
                               " B, but its receive (" + t_[dst].source + " node " +
                               std::to_string(v.id) + ") takes " + std::to_string(v.bytes) + " B");
        }
        if (p2p_group_ == UINT32_MAX) p2p_group_ = g_.add_group({"p2p", "pp_send", s.bytes, 2});
        Ids deps;
        add_deps(src, si, deps);
        add_deps(dst, ri, deps);
        dedup(deps);
        const uint32_t task = g_.add_transfer(src, dst, s.bytes, deps, p2p_group_, o_.priority);
        fin_[src][si] = {task};
        fin_[dst][ri] = {task};
        out.emplace_back(src, si);
        out.emplace_back(dst, ri);
        return out;
      }
      case ChakraKind::kCollective:
      case ChakraKind::kBarrier:
        break;
    }
    GroupInfo& gi = groups_.at(n.group);
    const uint32_t k = seq_[r][i];
    if (++gi.arrived[k] < gi.members.size()) return out;
    Ids deps;
    for (size_t m = 0; m < gi.members.size(); ++m) {
      const uint32_t mr = gi.members[m];
      const uint32_t mi = gi.nodes_of_rank[m][k];
      const ChakraNode& other = t_[mr].nodes[mi];
      if (other.kind != n.kind || other.op != n.op || other.bytes != n.bytes) {
        return Status::error(node_at(t_[mr], other) + kind_name(other) + ", but " + t_[r].source +
                             " node " + std::to_string(n.id) + " (the same collective of its " +
                             "group) is " + kind_name(n));
      }
      add_deps(mr, mi, deps);
    }
    dedup(deps);
    if (Status room = check_replay_room(g_, gi.members.size(), deps.size(), node_at(t_[r], n));
        !room) {
      return room;
    }
    Ids after;
    if (n.kind == ChakraKind::kBarrier || gi.members.size() < 2) {
      for (uint32_t mr : gi.members)
        after.push_back(g_.add_compute(mr, Time::zero(), deps, compute_group_));
    } else {
      CollectiveSpec spec;
      spec.op = static_cast<CollectiveOp>(n.op);
      spec.algo =
          spec.op == CollectiveOp::kAllToAll ? CollectiveAlgo::kDirect : CollectiveAlgo::kRing;
      spec.hierarchical = o_.hierarchical && spec.op != CollectiveOp::kAllToAll;
      spec.bytes = n.bytes;
      spec.priority = o_.priority;
      const std::string name = std::string(collective_op_name(spec.op)) + " " +
                               (n.group.empty() ? "world" : printable(n.group)) + " #" +
                               std::to_string(k);
      auto fin = add_collective(g_, spec, gi.members, deps, map_, name);
      if (!fin) return Status::error(node_at(t_[r], n) + fin.status().message());
      after = std::move(fin).value();
    }
    for (size_t m = 0; m < gi.members.size(); ++m) {
      const uint32_t mr = gi.members[m];
      const uint32_t mi = gi.nodes_of_rank[m][k];
      fin_[mr][mi] = after;
      out.emplace_back(mr, mi);
    }
    return out;
  }

  // Some nodes never ran: name the first whose dependencies are done (it waits for
  // its peers), else one in a dependency cycle.
  Status stuck() const {
    for (uint32_t r = 0; r < t_.size(); ++r) {
      for (uint32_t i = 0; i < t_[r].nodes.size(); ++i) {
        if (remaining_[r][i] == 0 && done_[r][i] == 0) {
          return Status::error(node_at(t_[r], t_[r].nodes[i]) + kind_name(t_[r].nodes[i]) +
                               " waits for its peers forever: the ranks reach their collectives "
                               "or sends/receives in an order that deadlocks");
        }
      }
    }
    for (uint32_t r = 0; r < t_.size(); ++r) {
      for (uint32_t i = 0; i < t_[r].nodes.size(); ++i) {
        if (remaining_[r][i] > 0) {
          return Status::error(node_at(t_[r], t_[r].nodes[i]) +
                               "never runs: it is in a dependency cycle or waits for one");
        }
      }
    }
    return Status::error("the traces do not complete");
  }

  const std::vector<ChakraRankTrace>& t_;
  const ClusterMap& map_;
  ChakraGraphOptions o_;
  TaskGraph g_;
  uint32_t compute_group_ = 0;
  uint32_t p2p_group_ = UINT32_MAX;
  size_t total_ = 0;
  std::vector<std::vector<uint32_t>> remaining_;
  std::vector<std::vector<Ids>> dependents_;
  std::vector<std::vector<Ids>> dep_index_;
  std::vector<std::vector<Ids>> fin_;
  std::vector<std::vector<uint32_t>> seq_;
  std::vector<std::vector<uint8_t>> arrived_;
  std::vector<std::vector<uint8_t>> done_;
  std::map<std::string, GroupInfo> groups_;
  std::map<P2pKey, Ids> sends_;
  std::map<P2pKey, Ids> recvs_;
};

}  // namespace

Result<TaskGraph> build_chakra_graph(const std::vector<ChakraRankTrace>& traces,
                                     const ClusterMap& map, const ChakraGraphOptions& o) {
  return Assembler(traces, map, o).run();
}

Result<Job> prepare_chakra(const ChakraWorkloadSpec& s, const JobContext& ctx) {
  const std::string prefix = ctx.resolve(s.prefix);
  auto file_of = [&](uint32_t r) { return prefix + "." + std::to_string(r) + ".et"; };
  uint32_t ranks = 0;
  std::error_code ec;
  while (ranks <= kMaxChakraRanks && std::filesystem::exists(file_of(ranks), ec)) ++ranks;
  if (ranks == 0) {
    return Status::error("workload.prefix: no trace " + quote_input(file_of(0), 4096) +
                         " (expected prefix.0.et, prefix.1.et, ...)");
  }
  if (ranks > kMaxChakraRanks) {
    return Status::error("workload.prefix: more than " + std::to_string(kMaxChakraRanks) +
                         " trace files");
  }
  std::vector<ChakraRankTrace> traces;
  size_t total = 0;
  size_t nodes = 0;
  for (uint32_t r = 0; r < ranks; ++r) {
    const std::string path = file_of(r);
    if (Status st = check_data_file(path, kMaxChakraFileBytes); !st) {
      return st.with_context("workload.prefix");
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) return Status::error("workload.prefix: cannot read " + quote_input(path, 4096));
    auto bytes = read_bounded(in, path, kMaxChakraFileBytes);
    if (!bytes) return bytes.status();
    total += bytes->size();
    if (total > kMaxChakraTotalBytes) {
      return Status::error(path + ": the traces together are larger than " +
                           std::to_string(kMaxChakraTotalBytes >> 20) + " MiB");
    }
    auto t = read_chakra_trace(*bytes, path, r, ranks);
    if (!t) return t.status();
    nodes += t->nodes.size();
    if (nodes > kMaxReplayTasks) {
      return Status::error(path + ": the traces together have more than " +
                           std::to_string(kMaxReplayTasks) + " nodes");
    }
    traces.push_back(std::move(t).value());
  }
  const bool on_fabric = engines().find(s.engine())->on_paths();
  auto map = replay_cluster_map(s.run.cluster, ctx.graph, ranks, on_fabric);
  if (!map) return map.status();
  auto graph = build_chakra_graph(traces, *map, {s.run.hierarchical, ctx.data_priority});
  if (!graph) return graph.status();
  Job job;
  job.graph = std::move(graph).value();
  job.map = std::move(map).value();
  job.engine = s.engine();
  job.trace = s.trace;
  job.in_replica.assign(job.map.ranks(), 1);
  return job;
}

void report_chakra(const ChakraWorkloadSpec& /*s*/, const Job& job, const TaskTimes& t,
                   const TopologyGraph& /*g*/, JobReport& out) {
  out.training = replay_report(job, t);
}

}  // namespace aifabric
