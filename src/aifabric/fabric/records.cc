#include "aifabric/fabric/records.h"

#include <algorithm>

#include "aifabric/fabric/network.h"

namespace aifabric {

const char* flow_status_name(FlowRow::Status s) {
  switch (s) {
    case FlowRow::Status::kDone:
      return "done";
    case FlowRow::Status::kFailed:
      return "failed";
    case FlowRow::Status::kUnfinished:
      return "unfinished";
    default:
      return "not_started";
  }
}

PortRow port_row(const Network& net, uint32_t node, size_t i) {
  const Adjacent& a = net.graph().adjacent(node)[i];
  const Port& p = net.port(node, i);
  PortRow row;
  row.node = node;
  row.peer = a.peer;
  row.port = static_cast<uint16_t>(i);
  row.rate = p.link().rate;
  row.delay = p.link().delay;
  return row;
}

double port_utilization(const PortRow& row, Time makespan) {
  const double cap = static_cast<double>(row.rate.bits_per_second()) / 8.0 *
                     std::max(makespan.to_seconds(), 1e-12);
  return static_cast<double>(row.counters.tx_bytes) / cap;
}

FabricRecord collect_fabric_record(const Network& net, Time end) {
  FabricRecord r;
  Time last_finish;
  bool all_done = true;
  for (uint32_t i = 0; i < net.flows().size(); ++i) {
    const FlowOutcome o = net.outcome(i);
    FlowRow row;
    row.spec = *o.spec;
    row.ideal = net.ideal_fct(*o.spec);
    if (o.sender != nullptr) {
      const SenderStats& st = o.sender->stats();
      row.retx_packets = st.retx_packets;
      row.cnps = st.cnps;
      row.timeouts = st.timeouts;
      const ReceiverStats& rs = o.receiver->stats();
      row.received_bytes = rs.accepted_bytes;
      row.ecn_marked = rs.ecn_marked;
      row.loss_retx = st.loss_retx;
      row.ooo_packets = rs.ooo_packets;
      row.duplicates = rs.duplicate_packets;
      row.reorder_depth_max = rs.reorder_depth_max;
      row.reorder_depth_mean = rs.reorder_depth_mean();
      row.rob_max_packets = rs.rob_max_packets;
      row.rob_mean_packets = rs.rob_mean_packets();
      row.payload_sent = st.payload_sent;
      r.payload_sent += st.payload_sent;
      switch (o.sender->state()) {
        case SenderQp::State::kDone:
          row.status = FlowRow::Status::kDone;
          row.fct = o.sender->finish_time() - o.spec->start;
          row.slowdown = row.fct.to_seconds() / row.ideal.to_seconds();
          last_finish = std::max(last_finish, o.sender->finish_time());
          break;
        case SenderQp::State::kFailed:
          row.status = FlowRow::Status::kFailed;
          all_done = false;
          break;
        default:
          row.status = FlowRow::Status::kUnfinished;
          all_done = false;
      }
    } else {
      all_done = false;
    }
    r.flows.push_back(row);
  }
  for (const auto& h : net.hosts()) {
    h->for_each_receiver([&r](const ReceiverResult& q) {
      r.payload_received += q.stats().accepted_bytes + q.stats().discarded_bytes;
    });
  }
  r.makespan = all_done ? last_finish : end;
  r.stopped_early = !all_done;
  r.payload_in_network = net.payload_in_network();

  const TopologyGraph& g = net.graph();
  for (uint32_t id = 0; id < g.nodes().size(); ++id) {
    const auto& adj = g.adjacent(id);
    for (size_t i = 0; i < adj.size(); ++i) {
      const Port& p = net.port(id, i);
      PortRow row = port_row(net, id, i);
      row.counters = p.counters();
      for (int prio = 0; prio < kNumPriorities; ++prio) {
        row.paused += p.paused_time(static_cast<uint8_t>(prio), end);
        row.starved += p.starved_time(static_cast<uint8_t>(prio), end);
      }
      row.utilization = port_utilization(row, r.makespan);
      r.packet_hops += p.counters().deliveries;
      r.pause_frames += p.counters().pause_tx;
      r.credit_frames += p.counters().credit_tx;
      r.payload_dropped += p.counters().drop_payload + p.counters().link_drop_payload;
      r.link_drops += p.counters().link_drops;
      r.payload_blackholed += p.counters().blackholed_payload;
      r.blackholed += p.counters().blackholed;
      r.ports.push_back(row);
    }
  }
  for (const auto& sw : net.switches()) {
    r.buffer_drops += sw->counters().buffer_drops;
    r.headroom_drops += sw->counters().headroom_drops;
    r.no_route_drops += sw->counters().no_route_drops;
    r.credit_drops += sw->counters().credit_drops;
    r.trims += sw->counters().trims;
    r.trim_drops += sw->counters().trim_drops;
  }
  return r;
}

}  // namespace aifabric
