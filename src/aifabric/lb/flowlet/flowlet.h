// Flowlet switching (CONGA, SIGCOMM'14; LetFlow, NSDI'17): a flow's packets keep their
// egress port while they come in a burst; once the flow has been idle for longer than
// `timeout`, the next packet starts a new flowlet that may take another port. If the
// timeout exceeds the delay difference between the paths, the earlier flowlet has
// drained before the next one leaves, so switching paths does not reorder packets.
// State: a fixed-size table per switch indexed by a hash of the flow's entropy. As in
// hardware there is no per-flow key: flows that hash to the same entry share its port
// and its idle timer.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "aifabric/core/random.h"
#include "aifabric/lb/load_balancer.h"

namespace aifabric {

enum class FlowletChoice { kRandom = 0, kLeastQueue = 1 };
inline constexpr std::string_view kFlowletChoiceNames[] = {"random", "least_queue"};

struct FlowletParams final : ParamsOf<FlowletParams> {
  // An idle gap longer than this starts a new flowlet. Compare it with the largest
  // delay difference between the equal-cost paths, queueing included. The default is
  // a few round trips of an RDMA leaf-spine (LetFlow's 150-500 us suit TCP over
  // millisecond queues): RDMA senders are paced and smooth, so their gaps come between
  // messages (collective steps), not inside them.
  Time timeout = Time::us(10);
  int64_t table_size = 4096;  // entries per switch
  // CONGA-like: the new flowlet takes the least-loaded port the switch can see.
  FlowletChoice choice = FlowletChoice::kLeastQueue;
  void visit(ParamVisitor& v) override;
  Status validate() const override;
};

struct FlowletCounters {
  uint64_t packets = 0;
  uint64_t flowlets = 0;    // port choices made: empty entry, expired or stale
  uint64_t expired = 0;     // of those: the gap since the entry's last packet > timeout
  uint64_t stale = 0;       // of those: the stored port was not among the candidates
  uint64_t collisions = 0;  // packets that found their entry in use by another flow
};

class Flowlet final : public LoadBalancer {
 public:
  Flowlet(const FlowletParams& params, uint64_t seed);
  uint16_t choose(const Packet& p, std::span<const uint16_t> candidates, const EgressView& view,
                  Time now) override;
  const FlowletCounters& counters() const { return counters_; }

 private:
  struct Entry {
    Time last_seen;
    uint32_t tag = 0;  // low hash bits of the last flow seen, for the collision counter only
    uint16_t port = 0;
    bool valid = false;
  };
  uint16_t pick_port(std::span<const uint16_t> candidates, const EgressView& view);

  Time timeout_;
  FlowletChoice choice_;
  uint64_t seed_;
  RandomStream rng_;
  std::vector<Entry> table_;
  FlowletCounters counters_;
};

}  // namespace aifabric
