#include "aifabric/fault/schedule.h"

#include <algorithm>
#include <cmath>
#include <unordered_set>

#include "aifabric/core/random.h"
#include "aifabric/topo/link_states.h"

namespace aifabric {

std::string link_name(const TopologyGraph& g, uint32_t l) {
  const TopoLink& k = g.links()[l];
  return g.nodes()[k.a].name + "-" + g.nodes()[k.b].name;
}

namespace {

// More state changes than this are a mistake (a flap of picoseconds, an MTBF far below
// the run), refused before they fill the memory.
constexpr size_t kMaxSteps = 1'000'000;

// One primitive step of an entry, before validation.
struct Step {
  Time at;
  size_t entry;  // index in the list; random faults come after the scheduled ones
  uint32_t order;
  std::string kind;
  std::string element;
  enum class What : uint8_t { kLinkDown, kLinkUp, kRate, kBer, kSwitchDown, kSwitchUp } what;
  uint32_t target;  // link id, or switch node id
  BitRate rate;
  double ber = 0;
  int64_t pair = -1;  // a random failure and its repair share a number
};

Result<uint32_t> find_node(const TopologyGraph& g, const std::string& name, NodeKind kind) {
  for (uint32_t i = 0; i < g.nodes().size(); ++i) {
    if (g.nodes()[i].name == name) {
      if (g.nodes()[i].kind != kind) {
        return Status::error(
            "'" + name + "' is a " +
            (kind == NodeKind::kHost ? "switch, not a host" : "host, not a switch"));
      }
      return i;
    }
  }
  return Status::error("no " + std::string(kind == NodeKind::kHost ? "host" : "switch") +
                       " is named '" + name + "'");
}

// An exponential draw of mean `mean`, in picoseconds as a double (a long draw may lie
// beyond Time's range; only times within the horizon become Time).
double exponential_ps(RandomStream& rng, Time mean) {
  const double u = 1.0 - rng.uniform();  // (0, 1]
  return -std::log(u) * static_cast<double>(mean.ps());
}

void draw_random(const RandomFaultsSpec& r, const TopologyGraph& g, Time horizon, uint64_t seed,
                 size_t first_entry, std::vector<Step>& steps) {
  int64_t pair = 0;
  auto draw = [&](Time mtbf, Time mttr, const std::string& cls, uint32_t element, auto make) {
    if (mtbf <= Time::zero()) return;
    RandomStream rng(seed ^ hash_name(cls) ^
                     (static_cast<uint64_t>(element) * 0x9e3779b97f4a7c15ULL));
    const auto end = static_cast<double>(horizon.ps());
    double t = exponential_ps(rng, mtbf);
    while (t < end && steps.size() <= kMaxSteps) {
      const double up = t + std::max(1.0, exponential_ps(rng, mttr));
      make(Time::ps(static_cast<int64_t>(t)), true, pair);
      if (up < end) make(Time::ps(static_cast<int64_t>(up)), false, pair);
      ++pair;
      t = up + exponential_ps(rng, mtbf);
    }
  };
  for (uint32_t l = 0; l < g.links().size(); ++l) {
    const TopoLink& k = g.links()[l];
    const bool host =
        g.nodes()[k.a].kind == NodeKind::kHost || g.nodes()[k.b].kind == NodeKind::kHost;
    const Time mtbf = host ? r.nic_mtbf : r.link_mtbf;
    const Time mttr = host ? r.nic_mttr : r.link_mttr;
    const std::string cls = host ? "nic" : "link";
    draw(mtbf, mttr, cls, l, [&](Time at, bool down, int64_t p) {
      Step s{at,
             first_entry,
             static_cast<uint32_t>(steps.size()),
             "random_" + cls + (down ? "_down" : "_up"),
             link_name(g, l),
             down ? Step::What::kLinkDown : Step::What::kLinkUp,
             l,
             {},
             0,
             p};
      if (host) {
        const uint32_t h = g.nodes()[k.a].kind == NodeKind::kHost ? k.a : k.b;
        s.element = g.nodes()[h].name;
      }
      steps.push_back(s);
    });
  }
  for (uint32_t n = 0; n < g.nodes().size(); ++n) {
    if (g.nodes()[n].kind != NodeKind::kSwitch) continue;
    draw(r.switch_mtbf, r.switch_mttr, "switch", n, [&](Time at, bool down, int64_t p) {
      steps.push_back(Step{at,
                           first_entry,
                           static_cast<uint32_t>(steps.size()),
                           std::string("random_switch") + (down ? "_down" : "_up"),
                           g.nodes()[n].name,
                           down ? Step::What::kSwitchDown : Step::What::kSwitchUp,
                           n,
                           {},
                           0,
                           p});
    });
  }
}

}  // namespace

Result<FaultPlan> plan_faults(const std::vector<FaultSpec>& entries, const RandomFaultsSpec& random,
                              const TopologyGraph& g, Time stop_time, uint64_t seed) {
  std::vector<Step> steps;
  for (size_t i = 0; i < entries.size(); ++i) {
    const FaultSpec& f = entries[i];
    auto fail = [&](const std::string& why) {
      return Status::error(f.where(i) + " (" +
                           std::string(kFaultKindNames[static_cast<int>(f.kind)]) + "): " + why);
    };
    if (stop_time > Time::zero() && f.at >= stop_time) {
      return fail("at " + std::to_string(f.at.to_seconds()) + " s is past stop_time (" +
                  std::to_string(stop_time.to_seconds()) + " s)");
    }
    auto add = [&](Time at, std::string kind, std::string element, Step::What what,
                   uint32_t target) {
      steps.push_back(Step{at, i, static_cast<uint32_t>(steps.size()), std::move(kind),
                           std::move(element), what, target, f.rate, f.ber, -1});
    };
    uint32_t link = 0, node = 0;
    switch (f.kind) {
      case FaultKind::kLinkDown:
      case FaultKind::kLinkUp:
      case FaultKind::kFlap:
      case FaultKind::kDegrade:
      case FaultKind::kRestore:
      case FaultKind::kBer: {
        auto l = find_named_link(g, f.link);
        if (!l) return fail(l.status().message());
        link = *l;
        break;
      }
      case FaultKind::kSwitchDown:
      case FaultKind::kSwitchUp: {
        auto n = find_node(g, f.node, NodeKind::kSwitch);
        if (!n) return fail(n.status().message());
        node = *n;
        break;
      }
      case FaultKind::kNicDown:
      case FaultKind::kNicUp: {
        auto n = find_node(g, f.node, NodeKind::kHost);
        if (!n) return fail(n.status().message());
        if (g.adjacent(*n).empty()) return fail("host '" + f.node + "' has no link");
        link = g.adjacent(*n)[0].link;
        break;
      }
    }
    const std::string kind(kFaultKindNames[static_cast<int>(f.kind)]);
    switch (f.kind) {
      case FaultKind::kLinkDown:
      case FaultKind::kNicDown:
        add(f.at, kind, f.kind == FaultKind::kNicDown ? f.node : f.link, Step::What::kLinkDown,
            link);
        break;
      case FaultKind::kLinkUp:
      case FaultKind::kNicUp:
        add(f.at, kind, f.kind == FaultKind::kNicUp ? f.node : f.link, Step::What::kLinkUp, link);
        break;
      case FaultKind::kFlap:
        if (f.duration.ps() / f.period.ps() > static_cast<int64_t>(kMaxSteps / 2)) {
          return fail("duration / period: more than " + std::to_string(kMaxSteps / 2) +
                      " flaps; make the period longer or the duration shorter");
        }
        for (Time t = f.at; t < f.at + f.duration; t += f.period) {
          add(t, "flap_down", f.link, Step::What::kLinkDown, link);
          add(t + f.down_time, "flap_up", f.link, Step::What::kLinkUp, link);
        }
        break;
      case FaultKind::kDegrade:
        add(f.at, kind, f.link, Step::What::kRate, link);
        break;
      case FaultKind::kRestore:
        add(f.at, kind, f.link, Step::What::kRate, link);
        steps.back().rate = g.links()[link].params.rate;
        break;
      case FaultKind::kBer:
        add(f.at, kind, f.link, Step::What::kBer, link);
        break;
      case FaultKind::kSwitchDown:
        add(f.at, kind, f.node, Step::What::kSwitchDown, node);
        break;
      case FaultKind::kSwitchUp:
        add(f.at, kind, f.node, Step::What::kSwitchUp, node);
        break;
    }
  }
  if (random.any()) {
    if (stop_time <= Time::zero()) {
      return Status::error("random_faults: needs stop_time, the horizon the faults are drawn over");
    }
    draw_random(random, g, stop_time, seed, entries.size(), steps);
    if (steps.size() > kMaxSteps) {
      return Status::error("random_faults: more than " + std::to_string(kMaxSteps) +
                           " faults over stop_time; raise the MTBFs");
    }
  }
  std::stable_sort(steps.begin(), steps.end(), [](const Step& a, const Step& b) {
    if (a.at != b.at) return a.at < b.at;
    return a.entry != b.entry ? a.entry < b.entry : a.order < b.order;
  });

  // Walk the steps with the links' state: refuse what cannot happen (skip it, for a
  // random fault, with its repair).
  FaultPlan plan;
  std::vector<uint8_t> down_by_link(g.links().size(), 0);
  std::vector<uint32_t> down_by_switch(g.links().size(), 0);
  std::vector<uint8_t> switch_down(g.nodes().size(), 0);
  std::vector<std::vector<uint32_t>> taken(g.nodes().size());  // links a switch took down
  std::unordered_set<int64_t> skipped;
  for (uint32_t l = 0; l < g.links().size(); ++l) down_by_link[l] = g.links()[l].up ? 0 : 1;
  for (const Step& s : steps) {
    const bool is_random = s.entry >= entries.size();
    auto refuse = [&](const std::string& why) -> Status {
      const FaultSpec& f = entries[s.entry];
      return Status::error(f.where(s.entry) + " (" + s.kind + " at " +
                           std::to_string(s.at.to_seconds()) + " s): " + why);
    };
    if (is_random && skipped.count(s.pair) != 0) continue;
    const auto fault = static_cast<uint32_t>(plan.faults.size());
    auto change = [&](LinkChange::Op op, uint32_t link) {
      const bool sw = s.what == Step::What::kSwitchDown || s.what == Step::What::kSwitchUp;
      plan.changes.push_back(
          LinkChange{s.at, op, link, s.rate, s.ber, fault, sw ? int64_t{s.target} : -1});
    };
    const bool physically_down = [&] {
      return s.what != Step::What::kSwitchDown && s.what != Step::What::kSwitchUp &&
             (down_by_link[s.target] != 0 || down_by_switch[s.target] != 0);
    }();
    bool down = false;
    switch (s.what) {
      case Step::What::kLinkDown:
        if (physically_down) {
          if (is_random) {
            skipped.insert(s.pair);
            continue;
          }
          return refuse("the link " + link_name(g, s.target) + " is already down");
        }
        down_by_link[s.target] = 1;
        change(LinkChange::Op::kDown, s.target);
        down = true;
        break;
      case Step::What::kLinkUp:
        if (down_by_link[s.target] == 0) {
          if (is_random) continue;
          return refuse("the link " + link_name(g, s.target) + " is up");
        }
        down_by_link[s.target] = 0;
        if (down_by_switch[s.target] == 0) change(LinkChange::Op::kUp, s.target);
        break;
      case Step::What::kRate:
        change(LinkChange::Op::kRate, s.target);
        down = s.rate < g.links()[s.target].params.rate;
        break;
      case Step::What::kBer:
        change(LinkChange::Op::kBer, s.target);
        down = s.ber > 0;
        break;
      case Step::What::kSwitchDown:
        if (switch_down[s.target] != 0) {
          if (is_random) {
            skipped.insert(s.pair);
            continue;
          }
          return refuse("the switch " + s.element + " is already down");
        }
        switch_down[s.target] = 1;
        for (const Adjacent& a : g.adjacent(s.target)) {
          if (down_by_link[a.link] == 0 && down_by_switch[a.link] == 0) {
            change(LinkChange::Op::kDown, a.link);
          }
          ++down_by_switch[a.link];
          taken[s.target].push_back(a.link);
        }
        down = true;
        break;
      case Step::What::kSwitchUp:
        if (switch_down[s.target] == 0) {
          if (is_random) continue;
          return refuse("the switch " + s.element + " is up");
        }
        switch_down[s.target] = 0;
        for (uint32_t l : taken[s.target]) {
          if (--down_by_switch[l] == 0 && down_by_link[l] == 0) change(LinkChange::Op::kUp, l);
        }
        taken[s.target].clear();
        break;
    }
    plan.faults.push_back(ScheduledFault{s.at, s.kind, s.element, down});
  }
  return plan;
}

}  // namespace aifabric
