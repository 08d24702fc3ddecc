// The long-horizon fault model: element counts, default classes, the seeded walk over
// wall-clock time and its closed-form expectation (horizon.h states both models).
#include "aifabric/fault/horizon/horizon.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "aifabric/core/parse.h"
#include "aifabric/core/random.h"

namespace aifabric {
namespace {

constexpr double kPsPerHour = 3600e12;

Status validate(const std::vector<FaultClass>& classes, const std::vector<FaultCost>& costs,
                const CheckpointPolicy& policy, Time horizon) {
  if (costs.size() != classes.size()) {
    return Status::error("cost_per_class has " + std::to_string(costs.size()) + " entries for " +
                         std::to_string(classes.size()) + " fault classes");
  }
  for (size_t i = 0; i < classes.size(); ++i) {
    const FaultClass& c = classes[i];
    const std::string where = "fault class '" + c.name + "'";
    if (c.elements < 0) {
      return Status::error(where + ": elements must be >= 0 (got " + std::to_string(c.elements) +
                           ")");
    }
    if (!(c.mtbf_hours > 0) || !std::isfinite(c.mtbf_hours)) {
      return Status::error(where + ": mtbf_hours must be > 0 and finite (got " +
                           std::to_string(c.mtbf_hours) + ")");
    }
    if (c.mttr < Time::zero()) {
      return Status::error(where + ": mttr must be >= 0 (got " + format_time(c.mttr) + ")");
    }
    if (costs[i].stall < Time::zero()) {
      return Status::error("cost_per_class[" + std::to_string(i) + "] (" + c.name +
                           "): stall must be >= 0 (got " + format_time(costs[i].stall) + ")");
    }
  }
  if (policy.interval <= Time::zero()) {
    return Status::error("checkpoint.interval must be > 0 (got " + format_time(policy.interval) +
                         ")");
  }
  if (policy.write < Time::zero()) {
    return Status::error("checkpoint.write must be >= 0 (got " + format_time(policy.write) + ")");
  }
  if (policy.restart < Time::zero()) {
    return Status::error("checkpoint.restart must be >= 0 (got " + format_time(policy.restart) +
                         ")");
  }
  if (horizon <= Time::zero()) {
    return Status::error("horizon must be > 0 (got " + format_time(horizon) + ")");
  }
  return Status::ok();
}

// Per second: elements / mtbf.
double rate_per_second(const FaultClass& c) {
  return static_cast<double>(c.elements) / (c.mtbf_hours * 3600.0);
}

Time seconds(double s) {
  return Time::ps(static_cast<int64_t>(std::llround(s * 1e12)));
}

HorizonResult empty_result(const std::vector<FaultClass>& classes, Time horizon) {
  HorizonResult r;
  r.horizon = horizon;
  r.classes.reserve(classes.size());
  for (const FaultClass& c : classes) r.classes.push_back({.name = c.name});
  return r;
}

// The job's own schedule between faults: train `interval`, write `write`, again; or
// restart. `frozen` is stall still to serve, which holds whatever phase is running.
class Job {
 public:
  Job(const CheckpointPolicy& p, HorizonResult& r) : p_(p), r_(r), left_(p.interval) {}

  bool restarting() const { return phase_ == Phase::kRestart; }

  void advance(Time to) {
    const Time cycle = p_.interval + p_.write;
    while (now_ < to) {
      const Time dt = to - now_;
      // Whole train/write cycles at once: with no fault in between they are all alike,
      // so a month of 10-minute checkpoints costs the walk nothing.
      if (phase_ == Phase::kTrain && left_ == p_.interval && frozen_ == Time::zero() &&
          dt >= cycle) {
        const int64_t k = dt.ps() / cycle.ps();
        r_.training += p_.interval * k;
        r_.checkpoint += p_.write * k;
        now_ += cycle * k;
        continue;
      }
      if (phase_ != Phase::kRestart && frozen_ > Time::zero()) {
        const Time d = std::min(dt, frozen_);
        frozen_ -= d;
        r_.stall += d;
        now_ += d;
        continue;
      }
      const Time d = std::min(dt, left_);
      switch (phase_) {
        case Phase::kTrain:
          r_.training += d;
          progress_ += d;
          break;
        case Phase::kWrite:
          r_.checkpoint += d;
          break;
        case Phase::kRestart:
          r_.restart += d;
          break;
      }
      left_ -= d;
      now_ += d;
      settle();
    }
  }

  void stall(Time s) { frozen_ += s; }

  void fail() {
    r_.lost_work += progress_;
    progress_ = Time::zero();
    frozen_ = Time::zero();
    phase_ = Phase::kRestart;
    left_ = p_.restart;
    settle();
  }

 private:
  enum class Phase { kTrain, kWrite, kRestart };

  // Moves through every phase that has ended (zero-length writes and restarts too).
  void settle() {
    while (left_ == Time::zero()) {
      if (phase_ == Phase::kTrain) {
        phase_ = Phase::kWrite;
        left_ = p_.write;
      } else {  // a checkpoint written, or restarted from the last one
        phase_ = Phase::kTrain;
        left_ = p_.interval;
        progress_ = Time::zero();
      }
    }
  }

  const CheckpointPolicy& p_;
  HorizonResult& r_;
  Phase phase_ = Phase::kTrain;
  Time now_;
  Time left_;      // of the current phase
  Time progress_;  // training since the last completed checkpoint
  Time frozen_;    // stall still to serve
};

}  // namespace

ElementCounts count_elements(const TopologyGraph& g, bool host_links_copper) {
  ElementCounts n;
  n.nics = static_cast<int64_t>(g.hosts().size());
  n.switches = static_cast<int64_t>(g.switch_count());
  for (const TopoLink& l : g.links()) {
    const bool fabric =
        g.nodes()[l.a].kind == NodeKind::kSwitch && g.nodes()[l.b].kind == NodeKind::kSwitch;
    ++(fabric ? n.switch_links : n.host_links);
  }
  n.optics = 2 * n.switch_links + (host_links_copper ? 0 : 2 * n.host_links);
  return n;
}

std::vector<FaultClass> default_fault_classes(const ElementCounts& n, const FaultRates& r) {
  return {
      {"optic", n.optics, r.optic_mtbf_hours, r.optic_mttr},
      {"link", n.links(), r.link_mtbf_hours, r.link_mttr},
      {"switch", n.switches, r.switch_mtbf_hours, r.switch_mttr},
      {"nic", n.nics, r.nic_mtbf_hours, r.nic_mttr},
  };
}

Result<HorizonResult> simulate_horizon(const std::vector<FaultClass>& classes,
                                       const std::vector<FaultCost>& cost_per_class,
                                       const CheckpointPolicy& policy, Time horizon,
                                       uint64_t seed) {
  if (Status s = validate(classes, cost_per_class, policy, horizon); !s) return s;
  HorizonResult r = empty_result(classes, horizon);
  const double end_ps = static_cast<double>(horizon.ps());

  // Each class's next arrival, in picoseconds as a double (a gap may exceed Time's range;
  // only arrivals within the horizon become Time).
  std::vector<RandomStream> rng;
  std::vector<double> mean_gap_ps(classes.size(), std::numeric_limits<double>::infinity());
  std::vector<double> next_ps(classes.size(), std::numeric_limits<double>::infinity());
  rng.reserve(classes.size());
  for (size_t i = 0; i < classes.size(); ++i) {
    rng.emplace_back(seed ^ hash_name("fault.horizon." + classes[i].name));
    if (classes[i].elements == 0) continue;
    mean_gap_ps[i] = classes[i].mtbf_hours * kPsPerHour / static_cast<double>(classes[i].elements);
    next_ps[i] = -std::log1p(-rng[i].uniform()) * mean_gap_ps[i];
  }

  Job job(policy, r);
  for (;;) {
    size_t c = 0;
    for (size_t i = 1; i < classes.size(); ++i) {
      if (next_ps[i] < next_ps[c]) c = i;  // ties: the lower class index first
    }
    if (classes.empty() || !(next_ps[c] < end_ps)) break;
    const Time at = Time::ps(static_cast<int64_t>(next_ps[c]));
    next_ps[c] += -std::log1p(-rng[c].uniform()) * mean_gap_ps[c];

    job.advance(at);
    ClassOutcome& out = r.classes[c];
    out.faults += 1;
    out.down_hours += std::min(classes[c].mttr, horizon - at).to_seconds() / 3600;
    if (job.restarting()) {
      out.absorbed += 1;
    } else if (cost_per_class[c].fails_job) {
      out.job_failures += 1;
      r.job_failures += 1;
      job.fail();
    } else {
      out.stalls += 1;
      job.stall(cost_per_class[c].stall);
    }
  }
  job.advance(horizon);
  return r;
}

Result<HorizonResult> expected_horizon(const std::vector<FaultClass>& classes,
                                       const std::vector<FaultCost>& cost_per_class,
                                       const CheckpointPolicy& policy, Time horizon) {
  if (Status s = validate(classes, cost_per_class, policy, horizon); !s) return s;
  HorizonResult r = empty_result(classes, horizon);
  const double h = horizon.to_seconds();
  const double t = policy.interval.to_seconds();
  const double w = policy.write.to_seconds();
  const double rs = policy.restart.to_seconds();
  const double cycle = t + w;

  double lambda_f = 0;  // job failures per second of running time
  double phi = 0;       // stall seconds per second of running time
  for (size_t i = 0; i < classes.size(); ++i) {
    const double l = rate_per_second(classes[i]);
    if (cost_per_class[i].fails_job) {
      lambda_f += l;
    } else {
      phi += l * cost_per_class[i].stall.to_seconds();
    }
  }
  if (phi >= 1) {
    return Status::error("stalls take all the running time: sum of elements / mtbf x stall = " +
                         std::to_string(phi) + " (must be < 1)");
  }
  const double u = 1 / (1 + lambda_f * rs);
  const double failures = lambda_f * u * h;
  const double progress = (1 - phi) * u * h;
  const double m = lambda_f / (1 - phi);
  double lost_per_failure = 0;
  double training = progress * t / cycle;
  if (m > 0) {
    const double one_minus_q = -std::expm1(-m * cycle);
    const double q = 1 - one_minus_q;
    lost_per_failure = (-std::expm1(-m * t) / m - t * q) / one_minus_q;
    training = progress * m * (t * q / one_minus_q + lost_per_failure);
  }

  for (size_t i = 0; i < classes.size(); ++i) {
    const double l = rate_per_second(classes[i]);
    ClassOutcome& out = r.classes[i];
    out.faults = l * h;
    out.absorbed = l * (1 - u) * h;
    (cost_per_class[i].fails_job ? out.job_failures : out.stalls) = l * u * h;
    const double mttr = std::min(classes[i].mttr.to_seconds(), h);
    out.down_hours = l * (mttr * h - mttr * mttr / 2) / 3600;
  }
  r.job_failures = failures;
  r.restart = seconds(failures * rs);
  r.stall = seconds(phi * u * h);
  r.training = seconds(training);
  r.checkpoint = seconds(progress - training);
  r.lost_work = seconds(failures * lost_per_failure);
  return r;
}

double job_mtbf_hours(const std::vector<FaultClass>& classes,
                      const std::vector<FaultCost>& cost_per_class) {
  double per_hour = 0;
  for (size_t i = 0; i < classes.size() && i < cost_per_class.size(); ++i) {
    if (cost_per_class[i].fails_job) {
      per_hour += static_cast<double>(classes[i].elements) / classes[i].mtbf_hours;
    }
  }
  return per_hour > 0 ? 1 / per_hour : std::numeric_limits<double>::infinity();
}

Time young_daly_interval(Time write, double mtbf_job_hours) {
  return seconds(std::sqrt(2 * write.to_seconds() * mtbf_job_hours * 3600.0));
}

}  // namespace aifabric
