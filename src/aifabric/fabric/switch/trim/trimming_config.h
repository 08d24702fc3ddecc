// Packet trimming at switch egress (NDP, Handley et al., SIGCOMM 2017; EQDS and UEC 1.0
// trim the same way): a data packet that finds its priority's egress queue at the
// threshold loses its payload, and its header goes on at a high priority, so the
// receiver learns at once which packet to ask for again. Config only; the part that
// decides is trimmer.h.
#pragma once

#include <string>
#include <vector>

#include "aifabric/core/params.h"

namespace aifabric {

struct TrimmingConfig final : ParamsOf<TrimmingConfig> {
  bool enabled = false;
  // The trimmed priorities: RoCE data's default priority. Each must be lossy (PFC off
  // for it): a lossless queue never fills to be trimmed.
  std::vector<int64_t> priorities{3};
  // NDP's data queue: 8 full-size packets ("we use 8-packet data queues", section 3);
  // an arriving data packet that finds this many queued at its priority is trimmed.
  int64_t data_queue_packets = 8;
  // Headers go to this priority's queue, which NDP serves first; it shares the queue
  // with ACKs, NACKs and pulls at transport.ack_priority's default 6, as NDP's single
  // header queue does.
  int64_t header_priority = 6;
  // A trimmed header that finds this many packets in the header queue is dropped
  // (counted as trim drops). 0 = only the shared buffer's dynamic threshold bounds it:
  // NDP sizes the data queue only.
  int64_t header_queue_packets = 0;
  void visit(ParamVisitor& v) override {
    v.param("enabled", enabled, "trim data packets to their headers when their queue is full");
    v.param("priorities", priorities, "the priorities whose data is trimmed (must be lossy)",
            Range{0, 7});
    v.param("data_queue_packets", data_queue_packets,
            "a data packet arriving at an egress queue of a trimmed priority that holds this "
            "many packets is trimmed (NDP: 8)",
            Range{1, 1 << 20});
    v.param("header_priority", header_priority,
            "priority the trimmed headers are queued at (NDP: the header queue, served first)",
            Range{0, 7});
    v.param("header_queue_packets", header_queue_packets,
            "a trimmed header finding this many packets in the header queue is dropped; 0 = "
            "bounded by the shared buffer only",
            Range{0, 1 << 20});
  }
  Status validate() const override {
    for (const int64_t p : priorities) {
      if (p == header_priority) {
        return Status::error("header_priority " + std::to_string(p) +
                             " is also a trimmed priority (priorities): headers would be "
                             "trimmed again and queued behind the data they report");
      }
    }
    return Status::ok();
  }
};

}  // namespace aifabric
