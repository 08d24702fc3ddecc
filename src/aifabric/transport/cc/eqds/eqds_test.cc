// Receiver-driven credits at the sender, driven by hand: the initial window is one BDP
// (line rate x base RTT), then a packet goes only against a pull; the sender asks for
// exactly the pulls its remaining data needs; a lost pull is made up by the next one's
// counter; a trimmed header's NACK resends exactly that packet; a timeout sends one
// packet without credit. And the configs the scheme refuses.
#include "aifabric/transport/cc/eqds/eqds.h"

#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "aifabric/scenario/scenario.h"
#include "aifabric/transport/cc/manual_cc_context.h"
#include "tests/qp_loop.h"

namespace aifabric {
namespace {

using testing::kMtu;

TEST(Eqds, TheInitialWindowIsOneBdpOfLineRateTimesBaseRtt) {
  ManualCcContext ctx;
  EqdsParams p;  // 12.5 us: 400 Gb/s x 12.5 us = 625000 B = 152.6 packets of 4096 B
  EXPECT_EQ(Eqds(p, BitRate::gbps(400), ctx).initial_credits(), 153);
  p.base_rtt = Time::ns(8'400);  // 420000 B = 102.5 packets
  EXPECT_EQ(Eqds(p, BitRate::gbps(400), ctx).initial_credits(), 103);
  p.initial_window = Bytes(1);  // a partial packet still needs its packet
  EXPECT_EQ(Eqds(p, BitRate::gbps(400), ctx).initial_credits(), 1);
  EXPECT_EQ(Eqds(p, BitRate::gbps(400), ctx).rate(), BitRate::gbps(400));
}

// A credit-driven sender of `packets` with an initial window of `iw` packets.
struct Rig {
  Simulator sim;
  PacketPool pool;
  testing::RecordingNic nic;
  TransportConfig cfg = testing::selective_config();
  std::unique_ptr<Params> cc_params;
  std::unique_ptr<SenderQp> tx;
  std::unique_ptr<ReceiverQp> rx;
  std::vector<Packet*> held;
  Rig(int64_t packets, int64_t iw) {
    const CcAlgorithm* cc = find_cc_algorithm("eqds");
    cc_params = cc->make_params();
    params_as<EqdsParams>(*cc_params).initial_window = Bytes(iw * kMtu);
    const FlowSpec f = testing::flow_of(packets);
    tx = std::make_unique<SenderQp>(sim, pool, nic, f, 0, cfg, *cc, *cc_params, BitRate::gbps(400));
    rx = std::make_unique<ReceiverQp>(f, 0, cfg, Time::us(50), false);
  }
  ~Rig() {
    for (Packet* p : held) pool.release(p);
  }
  bool ready() {
    Time retry = Time::max();
    return tx->ready(sim.now(), retry);
  }
  // Sends while credits and pacing allow, moving the clock past each packet's pacing.
  std::vector<Packet*> drain() {
    std::vector<Packet*> sent;
    for (;;) {
      Time retry = Time::max();
      if (!tx->ready(sim.now(), retry)) {
        if (retry == Time::max()) return sent;
        sim.run_until(retry);
        continue;
      }
      sent.push_back(tx->next_packet(sim.now()));
      held.push_back(sent.back());
    }
  }
  void pull(uint64_t number) {
    Packet p;
    p.type = PacketType::kPull;
    p.psn = number;
    tx->on_control(p);
  }
  // Hands `p` to the receiver, and its ACK or NACK back to the sender.
  Packet deliver(const Packet& p) {
    Packet* out[2];
    const int n = rx->on_data(p, sim.now(), pool, out);
    EXPECT_EQ(n, 1);
    const Packet reply = *out[0];
    tx->on_control(*out[0]);
    pool.release(out[0]);
    return reply;
  }
};

TEST(EqdsSender, SendsTheInitialWindowThenOnePacketPerPullAskingOnlyForWhatIsLeft) {
  Rig r(10, 4);
  std::vector<Packet*> sent = r.drain();
  ASSERT_EQ(sent.size(), 4u) << "the initial window, then nothing without a pull";
  EXPECT_EQ(r.tx->credits(), 0);
  // 6 packets remain beyond the window: each of the first 6 sent asks for one pull.
  for (Packet* p : sent) EXPECT_TRUE(p->wants_pull) << "psn " << p->psn;
  r.pull(1);
  sent = r.drain();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0]->psn, 4u);
  EXPECT_TRUE(sent[0]->wants_pull);
  // Pull 2 was lost: pull 3's counter makes it up (two credits).
  r.pull(3);
  sent = r.drain();
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_TRUE(sent[0]->wants_pull) << "the sixth ask";
  EXPECT_FALSE(sent[1]->wants_pull) << "3 packets left, 3 pulls on their way: no more asks";
  EXPECT_EQ(r.tx->stats().pulls, 2);
  r.pull(3);  // a duplicate counter grants nothing
  EXPECT_FALSE(r.ready());
  r.pull(6);
  EXPECT_EQ(r.drain().size(), 3u);
  EXPECT_EQ(r.tx->stats().packets_sent, 10);
}

TEST(EqdsSender, ATrimmedHeaderIsNackedAndExactlyThatPacketResentOnTheNextCredit) {
  Rig r(6, 4);
  std::vector<Packet*> sent = r.drain();
  ASSERT_EQ(sent.size(), 4u);
  r.deliver(*sent[0]);
  Packet header = *sent[1];
  header.payload = 0;
  header.wire = kTrimmedWireBytes;
  header.trimmed = true;
  const Packet nack = r.deliver(header);
  EXPECT_EQ(nack.type, PacketType::kNack);
  EXPECT_TRUE(nack.trimmed);
  EXPECT_EQ(nack.psn, 1u) << "the cumulative point";
  EXPECT_EQ(nack.sack_psn, 1u) << "the trimmed packet";
  EXPECT_EQ(r.rx->stats().trimmed_received, 1);
  EXPECT_EQ(r.rx->stats().accepted_bytes, kMtu) << "a header carries no payload";
  EXPECT_EQ(r.tx->stats().trim_nacks, 1);
  EXPECT_TRUE(r.tx->has_data());
  EXPECT_FALSE(r.ready()) << "the resend waits for a credit too";
  r.pull(1);
  const std::vector<Packet*> resent = r.drain();
  ASSERT_EQ(resent.size(), 1u);
  EXPECT_EQ(resent[0]->psn, 1u) << "the trimmed packet goes before new data";
  EXPECT_EQ(r.tx->stats().retx_packets, 1);
  r.pull(3);
  const std::vector<Packet*> rest = r.drain();
  ASSERT_EQ(rest.size(), 2u);
  EXPECT_EQ(rest[0]->psn, 4u);
  EXPECT_EQ(rest[1]->psn, 5u);
  for (const Packet* p : {sent[2], sent[3], resent[0], rest[0], rest[1]}) r.deliver(*p);
  EXPECT_EQ(r.tx->state(), SenderQp::State::kDone);
  EXPECT_EQ(r.rx->stats().accepted_bytes, 6 * kMtu);
}

TEST(EqdsSender, ATimeoutSendsOnePacketWithoutCredit) {
  Rig r(6, 2);
  ASSERT_EQ(r.drain().size(), 2u);  // both lost: no ACK, no pull ever comes
  r.sim.run_until(r.cfg.rto + Time::us(1));
  EXPECT_EQ(r.tx->stats().timeouts, 1);
  const std::vector<Packet*> sent = r.drain();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0]->psn, 0u) << "the oldest unacknowledged packet";
}

// A lost packet takes its ask with it: once RACK declares it lost the sender asks again,
// or the pull that would have carried its last packets never comes.
TEST(EqdsSender, APacketDeclaredLostIsAskedForAgain) {
  Rig r(6, 3);
  const std::vector<Packet*> first = r.drain();
  ASSERT_EQ(first.size(), 3u);
  for (const Packet* p : first) EXPECT_TRUE(p->wants_pull);  // 3 left beyond the window
  r.deliver(*first[1]);                                      // packet 0 is lost
  r.deliver(*first[2]);
  r.pull(2);                      // the receiver's pulls for packets 1 and 2
  r.sim.run_until(Time::us(20));  // RACK: min RTT + reordering window after its send
  EXPECT_EQ(r.tx->stats().loss_retx, 0);
  const std::vector<Packet*> next = r.drain();
  ASSERT_EQ(next.size(), 2u);
  EXPECT_EQ(next[0]->psn, 0u) << "the lost packet first";
  EXPECT_EQ(r.tx->stats().loss_retx, 1);
  // 3 packets left (0 again, 4, 5) against 2 credits and no live ask: both ask, for 4 and 5.
  EXPECT_TRUE(next[0]->wants_pull);
  EXPECT_TRUE(next[1]->wants_pull) << "packet 3 must ask for the pull packet 0's ask lost";
}

// Nothing in flight, data left, no credit (the pulls it asked for were lost): after a
// timeout's wait the sender sends one packet unasked.
TEST(EqdsSender, ASenderLeftWithoutCreditOrPacketsInFlightSendsAfterATimeout) {
  Rig r(4, 2);
  const std::vector<Packet*> first = r.drain();
  ASSERT_EQ(first.size(), 2u);
  r.deliver(*first[0]);
  r.deliver(*first[1]);  // all acknowledged; the two pulls asked for never come
  EXPECT_TRUE(r.tx->has_data());
  r.sim.run_until(Time::ms(3));
  EXPECT_FALSE(r.ready());
  r.sim.run_until(r.cfg.rto + Time::us(10));
  EXPECT_EQ(r.tx->stats().timeouts, 1);
  const std::vector<Packet*> sent = r.drain();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0]->psn, 2u);
  EXPECT_TRUE(sent[0]->wants_pull) << "and asks again for the last one";
}

std::string scenario_error(const std::vector<std::string>& sets) {
  auto s = load_scenario_text(R"(
name: t
topology: {type: leaf_spine, leaves: 1, spines: 1, hosts_per_leaf: 4}
cc: {algorithm: eqds}
traffic:
  - {type: incast, receiver: 0, fan_in: 3, size: 1MiB}
)",
                              "test.yaml", sets);
  return s ? "" : s.status().message();
}

TEST(EqdsConfig, RefusesGoBackNAndTrimmingALosslessPriority) {
  const std::string gbn = scenario_error({});
  EXPECT_NE(gbn.find("cc.algorithm: eqds"), std::string::npos) << gbn;
  EXPECT_NE(gbn.find("set transport.recovery: selective"), std::string::npos) << gbn;
  const std::string pfc =
      scenario_error({"transport.recovery=selective", "switch.trimming.enabled=true"});
  EXPECT_NE(pfc.find("switch: trimming.priorities: priority 3 is lossless"), std::string::npos)
      << pfc;
  EXPECT_EQ(scenario_error({"transport.recovery=selective", "switch.trimming.enabled=true",
                            "switch.pfc.enabled=false"}),
            "");
  const std::string share = scenario_error({"transport.recovery=selective", "cc.pull_share=0"});
  EXPECT_NE(share.find("cc.pull_share"), std::string::npos) << share;
}

}  // namespace
}  // namespace aifabric
