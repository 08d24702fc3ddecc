// Periodic telemetry of a live network: every interval from the first traffic on it
// samples the counters of each transmitting port of its devices and each active queue
// pair's rate, and it listens to the ports' pause episodes, into a TelemetryRecord that
// stays in memory until the run is written out. A sampler covers the devices it is given
// (a whole fabric today; one partition of it when the engine is partitioned).
//
// Cost in proportion to activity: a port whose counters did not change is not written
// sample by sample (of a run of equal samples only the first and the last are kept, so
// rates between kept samples stay exact); a queue is sampled only while it holds bytes
// or its pause time grows; the run's end stops the sampling. With the automatic interval
// the sampler also keeps its work (ports visited) under a hundredth of the events the run
// processed, halving its rate when it would not; an explicit interval is kept, and only
// halved past kMaxRows port rows, to bound memory.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "aifabric/core/simulator.h"
#include "aifabric/fabric/network.h"
#include "aifabric/telemetry/telemetry_config.h"
#include "aifabric/telemetry/telemetry_record.h"

namespace aifabric {

class Sampler final : public EventHandler, public PortObserver {
 public:
  // Samples the ports and queue pairs of the devices `nodes` (node ids; empty = every
  // device of the fabric).
  // `interval` is the starting interval (the configured one, or the automatic choice
  // when `automatic`); the first sample is taken at `start`.
  Sampler(Network& net, const TelemetryConfig& cfg, Time interval, bool automatic, Time start,
          std::span<const uint32_t> nodes = {});
  static constexpr size_t kMaxRows = size_t{1} << 21;
  Sampler(const Sampler&) = delete;
  Sampler& operator=(const Sampler&) = delete;
  // Takes the last sample and closes open pause episodes (call after the run).
  void finish();

  void handle_event(uint32_t kind, uint64_t arg) override;
  void pause_episode(const Port& port, uint8_t prio, Time start, Time end) override;

  // What was recorded (complete after finish()).
  const TelemetryRecord& record() const { return rec_; }
  TelemetryRecord take_record() { return std::move(rec_); }

 private:
  void sample();
  Network& net_;
  Time interval_;
  Time last_sample_;
  bool sampled_ = false;
  std::vector<Port*> ports_;
  std::vector<const Switch*> owner_switch_;  // null for host ports
  std::vector<const Host*> hosts_;           // whose queue pairs are sampled
  TelemetryRecord rec_;
  std::vector<char> queue_alarm_on_;  // per port: above alarm_queue at the last sample
  Bytes alarm_queue_;
  Time pause_storm_;
  void record(size_t port, const PortSample& s);
  bool finished_ = false;
  bool automatic_;
  uint64_t visits_ = 0;             // ports visited by samples so far (the sampler's work)
  size_t next_cap_ = kMaxRows / 2;  // rows after which the interval doubles (bounded memory)
  std::vector<PortSample> last_;    // per port: the last sample written
  std::vector<char> written_;       // per port: a first sample was written
  std::vector<char> held_;          // per port: a sample equal to last_ waits in pending_
  std::vector<PortSample> pending_;
  std::vector<Time> queue_paused_;  // per (port, priority): paused time at its last sample
};

}  // namespace aifabric
