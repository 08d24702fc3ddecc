// A host with one RDMA NIC port. The NIC holds the host's queue pairs: sending ones
// are served round robin, each paced at its own rate and stopped while the peer has
// paused its priority or (CBFC) while its lane lacks credits; control frames (ACK,
// NACK, CNP) go first. A flow handed to the
// NIC starts at its start time as an event of this NIC (it opens the sending queue
// pair); the receiving queue pair is made when the flow's first data packet arrives.
// The NIC counts its own flows: the simulator's outstanding work holds one unit per
// flow from add_flow to its completion or failure. With a receiver-driven algorithm
// the NIC also paces the pulls of its receiving queue pairs (pull_pacer.h), sent as
// control frames.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "aifabric/core/simulator.h"
#include "aifabric/fabric/nic/flow_table.h"
#include "aifabric/fabric/nic/pull_pacer.h"
#include "aifabric/net/node.h"
#include "aifabric/net/port.h"
#include "aifabric/transport/cc/congestion_control.h"
#include "aifabric/transport/queue_pair.h"

namespace aifabric {

// Told when a flow finishes (completed or failed).
class FlowListener {
 public:
  virtual void flow_finished(const SenderQp& qp) = 0;

 protected:
  ~FlowListener() = default;
};

// What every NIC of a fabric shares (the fabric owns it and outlives its NICs).
struct NicConfig {
  const TransportConfig* transport = nullptr;
  const CcAlgorithm* cc = nullptr;
  const Params* cc_params = nullptr;
  Time cnp_interval;
  bool send_cnp = false;
  // Keep every queue pair to the end of the run (tests that inspect a finished flow's
  // congestion controller); otherwise a finished sender is freed once nothing refers to
  // it and only its SenderResult stays.
  bool keep_queue_pairs = false;
};

class Host final : public Node, public SenderQp::Nic, public EventHandler {
 public:
  Host(Simulator& sim, PacketPool& pool, uint32_t index, uint32_t node_id, std::string name,
       const NicConfig& cfg, FlowListener* listener);
  Host(const Host&) = delete;
  Host& operator=(const Host&) = delete;

  Port& add_port(const LinkParams& link);
  Port& port() { return *port_; }
  const Port& port() const { return *port_; }
  bool has_port() const { return port_ != nullptr; }

  // Schedules `flow` (whose source is this host) to start at flow.start; `paths`
  // chooses its packets' source ports (null = the flow's own). Returns the flow's
  // index among this NIC's flows.
  uint32_t add_flow(const FlowSpec& flow, std::unique_ptr<PathChooser> paths);
  // The sending queue pair of this NIC's `index`-th flow, or null before it started
  // and once it was freed.
  const SenderQp* sender_of(uint32_t index) const;
  // What the flow's sender did so far, live or freed; null before it started.
  const SenderResult* result_of(uint32_t index) const;
  // The receiving queue pair of `flow`, or null before its first packet arrived and
  // once it was freed.
  const ReceiverQp* receiver_of(uint32_t flow) const;
  // What `flow`'s receiver did, live or freed; null before its first packet arrived.
  const ReceiverResult* receiver_result_of(uint32_t flow) const;
  // The sender of `flow` (whose destination is this host) ended after sending
  // `packets_sent` data packets: once all of them have arrived nothing more can reach
  // the receiver, which is then freed (at once if they already have). One that lost
  // packets is kept.
  void sender_ended(uint32_t flow, int64_t packets_sent);
  size_t flows_finished() const { return finished_; }

  void receive(Packet* p, uint16_t port) override;
  Packet* next_to_send(uint16_t port, Time now, Time& retry_at) override;
  bool backlogged(uint16_t port) const override;
  void wake(SenderQp& qp) override;
  void finished(SenderQp& qp) override;
  void retire(SenderQp& qp) override;
  void handle_event(uint32_t kind, uint64_t arg) override;

  uint32_t index() const { return index_; }
  uint32_t node_id() const { return node_id_; }
  const std::string& name() const { return name_; }
  // Started queue pairs, in start order; null where a finished one was freed.
  const std::vector<std::unique_ptr<SenderQp>>& senders() const { return senders_; }
  // What every started sender did so far (live or freed), in start order.
  template <class F>
  void for_each_sender(F&& f) const {
    for (size_t q = 0; q < senders_.size(); ++q) {
      f(senders_[q] != nullptr ? static_cast<const SenderResult&>(*senders_[q]) : ended_[q]);
    }
  }
  // What every receiver did so far (live or freed), in order of first packets.
  template <class F>
  void for_each_receiver(F&& f) const {
    for (size_t r = 0; r < receivers_.size(); ++r) {
      f(receivers_[r] != nullptr ? static_cast<const ReceiverResult&>(*receivers_[r])
                                 : rx_ended_[r]);
    }
  }
  // Receiving queue pairs, in order of their flows' first packets; null where one
  // was freed.
  const std::vector<std::unique_ptr<ReceiverQp>>& receivers() const { return receivers_; }

 private:
  struct PendingFlow {
    FlowSpec spec;
    std::unique_ptr<PathChooser> paths;
    uint32_t qpn = FlowTable::kAbsent;  // its sending queue pair once started
  };
  uint32_t receiver_for(const Packet& p);  // its index in receivers_
  // Receiver-driven credits: what an arrival of `p` (for receiver `r`, or none) means
  // to the pull pacer, and sending the pulls that are due.
  [[gnu::noinline]] void pace_pulls(const Packet& p, uint32_t r);
  void send_pulls();
  int64_t max_frame() const {
    return cfg_.transport->mtu.count() + kRoceHeaderBytes + kL1OverheadBytes;
  }

  Simulator& sim_;
  PacketPool& pool_;
  uint32_t index_;
  uint32_t node_id_;
  std::string name_;
  const NicConfig& cfg_;
  FlowListener* listener_;
  std::unique_ptr<Port> port_;
  PacketQueue control_;
  std::vector<PendingFlow> flows_;
  std::vector<std::unique_ptr<SenderQp>> senders_;
  std::vector<SenderResult> ended_;  // by queue pair number: those freed
  std::vector<std::unique_ptr<ReceiverQp>> receivers_;
  std::vector<ReceiverResult> rx_ended_;  // by receiver index: those freed
  // By receiver index: the data packets its ended sender sent (-1: still sending).
  std::vector<int64_t> rx_expect_;
  void retire_receiver(uint32_t r);
  FlowTable receiver_index_;       // flow id -> index into receivers_
  std::vector<SenderQp*> active_;  // senders with data left, served round robin
  size_t rr_ = 0;
  size_t finished_ = 0;
  std::unique_ptr<PullPacer> pacer_;  // null unless the algorithm is receiver-driven
  bool pull_armed_ = false;           // a pull event is scheduled
};

}  // namespace aifabric
