// What a run will cost in memory, estimated before anything big is allocated, and the
// budget it must fit: the AIFABRIC_MEMORY_BUDGET environment variable (a size, e.g.
// "8GiB"), else 80 % of this machine's memory. The estimate counts the graph, the
// devices and their ports, the switches' forwarding tables, every flow's queue pairs
// and records, a job's task graph and executor, and telemetry's bounded samples; the
// per-item costs are measured (docs/reliability.md). Over budget, or over the work
// budgets (2,097,152 flows, 33,554,432 tasks), is refused with one line unless allowed
// (--allow-large).
#pragma once

#include <cstdint>
#include <string>

#include "aifabric/core/status.h"
#include "aifabric/scenario/prepare.h"
#include "aifabric/scenario/scenario.h"

namespace aifabric {

struct ResourceEstimate {
  uint64_t hosts = 0, switches = 0, links = 0, attachments = 0, flows = 0, tasks = 0;
  double bytes = 0;    // estimated peak memory
  std::string detail;  // the biggest parts, for the message
};

// Before preparing: from the options alone (builders and generators that know their
// size); an importer's or a flow file's size is unknown until read.
ResourceEstimate estimate_scenario(const Scenario& s);
// After preparing: the exact counts.
ResourceEstimate estimate_prepared(const PreparedRun& run);

// The memory budget in bytes (and where it comes from, for messages).
double memory_budget(std::string* source);

// Refuses an estimate over the budget, unless `allow_large`.
Status check_estimate(const ResourceEstimate& e, bool allow_large);

}  // namespace aifabric
