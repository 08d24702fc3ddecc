// XCP's two halves on synthetic traffic: a switch port's controller must hand out, per
// control interval, exactly the aggregate window change phi = alpha d (C - y) - beta Q
// of Katabi et al. (SIGCOMM 2002, section 3.5), positive feedback in equal shares per
// flow and negative in proportion to rate; the sender moves its window by the grants.
#include "aifabric/transport/cc/xcp/xcp.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "aifabric/transport/cc/manual_cc_context.h"

namespace aifabric {
namespace {

constexpr uint32_t kWire = 4178;

struct Flow {
  double gbps;
  double next_ps = 0;
  double fed = 0;  // feedback this flow received in the measured span
};

// Packets of `flows` (each at its rate, window = rate x rtt) join and leave a 400 Gbps
// port with `queue` bytes standing, for 100 us; feedback of the departures in
// [30 us, 90 us) (six 10 us intervals) is summed per flow.
std::vector<Flow> drive(std::vector<Flow> flows, int64_t queue, const XcpParams& p) {
  XcpPort port(p, BitRate::gbps(400));
  const double rtt_ps = 10e6;
  for (;;) {
    Flow* f = &flows[0];
    for (Flow& g : flows) {
      if (g.next_ps < f->next_ps) f = &g;
    }
    if (f->next_ps >= 100e6) break;
    const Time now = Time::ps(static_cast<int64_t>(f->next_ps));
    Packet pkt;
    pkt.type = PacketType::kData;
    pkt.wire = kWire;
    IntStack st;
    st.grant.cwnd = static_cast<int64_t>(f->gbps / 8 * 1e9 * rtt_ps * 1e-12);
    st.grant.rtt = Time::ps(static_cast<int64_t>(rtt_ps));
    st.grant.feedback = 1e12;  // asks for more than any port grants
    port.on_enqueue(pkt, &st, queue, now);
    port.on_dequeue(pkt, &st, now);
    if (f->next_ps >= 30e6 && f->next_ps < 90e6) f->fed += st.grant.feedback;
    f->next_ps += kWire * 8 / f->gbps * 1e3;  // ps per frame at this rate
  }
  return flows;
}

TEST(XcpPort, GrantsAlphaOfTheIdleBandwidthAndTakesBackBetaOfTheQueuePerInterval) {
  XcpParams p;
  const int64_t queue = 50'000;
  const auto flows = drive({{40}, {60}, {100}, {100}}, queue, p);
  // y = 300 Gbps of C = 400: alpha d (C - y) = 0.4 x 10 us x 12.5 B/ns = 50 kB; beta Q =
  // 0.226 x 50 kB = 11.3 kB; phi = 38.7 kB per interval, all positive (the shuffle
  // h = max(0, gamma y d - |phi|) = max(0, 37.5 - 38.7 kB) is 0).
  const double phi = 0.4 * 10e3 * 12.5 - 0.226 * queue;
  double total = 0;
  for (const Flow& f : flows) total += f.fed;
  // Six intervals; frames cut the span at 84-ns granularity, interval edges fall on
  // arrivals: 2 % covers both.
  EXPECT_NEAR(total, 6 * phi, 0.02 * 6 * phi);
  // Positive feedback goes in equal shares per flow, whatever its rate.
  for (const Flow& f : flows) EXPECT_NEAR(f.fed, 6 * phi / 4, 0.03 * 6 * phi / 4) << f.gbps;
}

TEST(XcpPort, AtFullLoadShufflesBandwidthFromFastFlowsToSlowOnes) {
  XcpParams p;
  const auto flows = drive({{50}, {150}, {200}}, 0, p);
  // y = C, Q = 0: phi = 0, and h = gamma y d = 0.1 x 50 B/ns x 10 us = 50 kB is taken
  // from the flows in proportion to rate and handed back in equal shares: the 50 Gbps
  // flow gains h (1/3 - 1/8), the 200 Gbps one loses h (1/2 - 1/3); the sum is zero.
  const double h = 0.1 * 50 * 10e3;
  double total = 0;
  for (const Flow& f : flows) total += f.fed;
  EXPECT_NEAR(total, 0, 0.02 * 6 * h);
  EXPECT_NEAR(flows[0].fed, 6 * h * (1.0 / 3 - 50.0 / 400), 0.05 * 6 * h);
  EXPECT_NEAR(flows[2].fed, 6 * h * (1.0 / 3 - 200.0 / 400), 0.05 * 6 * h);
}

TEST(XcpPort, NeverRaisesWhatAnEarlierHopGranted) {
  XcpParams p;
  XcpPort port(p, BitRate::gbps(400));
  Packet pkt;
  pkt.type = PacketType::kData;
  pkt.wire = kWire;
  IntStack st;
  st.grant.cwnd = 100'000;
  st.grant.rtt = Time::us(10);
  for (int i = 0; i < 1000; ++i) {  // an idle port: every interval grants
    st.grant.feedback = 1e12;
    const Time now = Time::ns(100 * i);
    port.on_enqueue(pkt, &st, 0, now);
    port.on_dequeue(pkt, &st, now);
  }
  EXPECT_GT(st.grant.feedback, 0);
  st.grant.feedback = -5;  // an upstream hop took some back
  port.on_dequeue(pkt, &st, Time::ns(100'000));
  EXPECT_EQ(st.grant.feedback, -5);
}

TEST(Xcp, AsksForLineRateAndMovesItsWindowByTheGrant) {
  XcpParams p;
  ManualCcContext ctx;
  Xcp cc(p, BitRate::gbps(400), ctx);
  EXPECT_DOUBLE_EQ(cc.cwnd(), kWire);        // one full frame before any grant
  EXPECT_EQ(cc.rate(), BitRate::gbps(400));  // the first frame goes at line rate
  WindowGrant g;
  cc.request_grant(g, kWire);
  EXPECT_EQ(g.cwnd, 0);  // no RTT yet: no request
  AckEvent first;
  first.rtt = Time::ns(12'500);
  cc.on_ack(first);
  cc.request_grant(g, kWire);
  EXPECT_EQ(g.cwnd, kWire);
  EXPECT_EQ(g.rtt, Time::ns(12'500));
  // (line x rtt - cwnd) in one share per packet of the window: 400 Gbps x 12.5 us =
  // 625 kB; the window is one packet, so this packet asks for all of it.
  EXPECT_NEAR(g.feedback, 625'000.0 - kWire, 1);

  IntStack st;
  st.grant = g;
  st.grant.feedback = 10'000;
  cc.on_int_ack(IntAckEvent{st, 0, 0, Time::us(5)});
  EXPECT_DOUBLE_EQ(cc.cwnd(), kWire + 10'000);
  // Pacing: cwnd over the smallest RTT seen, capped at line rate.
  AckEvent ack;
  ack.rtt = Time::us(5);
  cc.on_ack(ack);
  EXPECT_NEAR(cc.rate().to_gbps(), (kWire + 10'000) * 8 / 5e-6 * 1e-9, 1e-3);
  EXPECT_EQ(cc.window_bytes(), std::llround((kWire + 10'000.0) * 4096 / kWire));
  st.grant.feedback = -1e9;  // a grant can take back, down to one frame
  cc.on_int_ack(IntAckEvent{st, 0, 0, Time::us(5)});
  EXPECT_DOUBLE_EQ(cc.cwnd(), kWire);
  st.grant.feedback = 1e9;
  cc.on_int_ack(IntAckEvent{st, 0, 0, Time::us(5)});
  EXPECT_EQ(cc.rate(), BitRate::gbps(400));  // line rate at most
}

TEST(Xcp, RefusesBadParameters) {
  XcpParams p;
  p.initial_window = Bytes(-1);
  EXPECT_FALSE(p.validate().is_ok());
  p = XcpParams{};
  p.max_interval = Time::ns(10);
  EXPECT_FALSE(p.validate().is_ok());
}

}  // namespace
}  // namespace aifabric
