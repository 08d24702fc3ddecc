// Periodic telemetry of a live network: every `interval` it samples the counters of
// each transmitting port of its devices and each active queue pair's rate, and it
// listens to the ports' pause episodes, into a TelemetryRecord that stays in memory
// until the run is written out. A sampler covers the devices it is given (a whole
// fabric today; one partition of it when the engine is partitioned).
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
  Sampler(Network& net, const TelemetryConfig& cfg, std::span<const uint32_t> nodes = {});
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
  std::vector<Port*> ports_;
  std::vector<const Switch*> owner_switch_;  // null for host ports
  std::vector<const Host*> hosts_;           // whose queue pairs are sampled
  TelemetryRecord rec_;
  std::vector<char> queue_alarm_on_;  // per port: above alarm_queue at the last sample
  Bytes alarm_queue_;
  Time pause_storm_;
  bool finished_ = false;
  size_t next_cap_ = 1 << 20;  // rows after which the interval doubles (bounded memory)
};

}  // namespace aifabric
