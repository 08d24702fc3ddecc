// A host with one RDMA NIC port. The NIC holds the host's queue pairs: sending ones
// are served round robin, each paced at its own rate and stopped while the peer has
// paused its priority; control frames (ACK, NACK, CNP) go first. Received data goes to
// the receiving queue pair named in the packet (the BTH destination QP).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "aifabric/core/simulator.h"
#include "aifabric/net/node.h"
#include "aifabric/net/port.h"
#include "aifabric/transport/queue_pair.h"

namespace aifabric {

// Told when a flow finishes (completed or failed).
class FlowListener {
 public:
  virtual void flow_finished(const SenderQp& qp) = 0;

 protected:
  ~FlowListener() = default;
};

class Host final : public Node, public SenderQp::Nic {
 public:
  Host(Simulator& sim, PacketPool& pool, uint32_t index, uint32_t node_id, std::string name,
       const TransportConfig& transport, FlowListener* listener);
  Host(const Host&) = delete;
  Host& operator=(const Host&) = delete;

  Port& add_port(const LinkParams& link);
  Port& port() { return *port_; }
  const Port& port() const { return *port_; }
  bool has_port() const { return port_ != nullptr; }

  // Connection setup (out of band, as an RDMA connection manager would do it).
  uint32_t next_sender_qpn() const { return static_cast<uint32_t>(senders_.size()); }
  uint32_t open_receiver(const FlowSpec& flow, uint32_t remote_qpn, Time cnp_interval,
                         bool send_cnp);
  // `paths` chooses the source port of each packet (one per flow, or sprayed).
  SenderQp& open_sender(const FlowSpec& flow, uint32_t remote_qpn, const CcAlgorithm& cc,
                        const Params& cc_params, const PathSelection& paths);

  void receive(Packet* p, uint16_t port) override;
  Packet* next_to_send(uint16_t port, Time now, Time& retry_at) override;
  bool backlogged(uint16_t port) const override;
  void wake(SenderQp& qp) override;
  void finished(SenderQp& qp) override;

  uint32_t index() const { return index_; }
  uint32_t node_id() const { return node_id_; }
  const std::string& name() const { return name_; }
  const std::vector<std::unique_ptr<SenderQp>>& senders() const { return senders_; }
  const std::vector<std::unique_ptr<ReceiverQp>>& receivers() const { return receivers_; }

 private:
  Simulator& sim_;
  PacketPool& pool_;
  uint32_t index_;
  uint32_t node_id_;
  std::string name_;
  const TransportConfig& transport_;
  FlowListener* listener_;
  std::unique_ptr<Port> port_;
  PacketQueue control_;
  std::vector<std::unique_ptr<SenderQp>> senders_;
  std::vector<std::unique_ptr<ReceiverQp>> receivers_;
  std::vector<SenderQp*> active_;  // senders with data left, served round robin
  size_t rr_ = 0;
};

}  // namespace aifabric
