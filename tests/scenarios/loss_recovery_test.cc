// Loss recovery against random link loss: one long flow across a 2-tier leaf-spine
// (host - leaf - spine - leaf - host, 100 Gbps, 1 us per link, every link dropping a
// frame with probability q in both directions, no congestion, PFC off), run for a fixed
// time; goodput is the payload the receiver accepted over the loss-free payload rate.
// Each recovery mode is checked against the renewal model below (derived for this setup;
// docs/congestion-control.md, "Loss recovery", has the derivation and the sweep).
//
// Model. A data frame crosses h = 4 links, so it is lost with p = 1 - (1-q)^h, and so is
// an ACK or NACK. T = 4178 B x 8 / 100 Gbps = 334.24 ns is one frame's slot at the NIC;
// R0 = h (T + d) + h (T_ack + d) = 9364.48 ns is the round trip of a frame and its ACK.
// The sender sends back to back. Between losses it delivers (1-p)/p frames on average;
// a loss of the frame sent at t0 costs C slots (itself included), so
//   goodput = (1-p) / (1 - p + p E[C]).
//  - go-back-N with NACK: the next frame reaches the receiver at t0 + T + h (T + d), its
//    NACK the sender R0 later; everything started before then is discarded, so
//    C_nack = ceil((T + R0) / T) = 30 slots. If the NACK is lost or the retransmission is
//    lost (probability 1 - (1-p)^2) the receiver, which NACKs a gap only once, stays
//    silent and the timeout fires RTO after the last progress (the ACK of the frame
//    before, at t0 - T + R0): C_rto = ceil((R0 - T + RTO) / T) slots, plus RTO / T more
//    for each further loss of the retransmission (p / (1-p) of them on average).
//  - go-back-N without NACK (timeout only): C = C_rto always.
//  - selective (no cap): only the lost frame is resent, C = 1: goodput = 1 - p.
//  - selective with IRN's BDP cap of N frames in [snd_una, snd_nxt): new data stops N
//    slots after the loss until the retransmission (sent at slot C_nack, once the SACK
//    of the next frame arrives; reorder_window ~0 as IRN reacts at once) is
//    acknowledged R0 later: C = 1 + C_nack + R0/T - N idle slots.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "aifabric/core/parse.h"
#include "aifabric/topo/builders/leaf_spine/leaf_spine.h"
#include "aifabric/transport/reliability/go_back_n/go_back_n.h"
#include "aifabric/transport/reliability/selective/selective.h"
#include "tests/test_fabric.h"

namespace aifabric {
namespace {

constexpr int kHops = 4;
constexpr double kRate = 100e9;
constexpr double kDelay = 1e-6;
constexpr double kSlot = (4096.0 + 62 + 20) * 8 / kRate;                         // T
constexpr double kAckSlot = (62.0 + 4 + 20) * 8 / kRate;                         // T_ack
constexpr double kRtt = kHops * (kSlot + kDelay) + kHops * (kAckSlot + kDelay);  // R0
constexpr int64_t kBdpCap = 29;  // ceil(R0 / T): IRN's cap, one BDP of the path

enum class Mode { kNack, kTimeoutOnly, kSelective, kIrn };
constexpr const char* kModeName[] = {"nack", "timeout-only", "selective", "irn"};

struct Model {
  double goodput;
  double sigma;  // standard deviation of a run's goodput over `slots` slots
};

// The renewal model of the file comment; `slots` = run length / T (for sigma only).
Model model(Mode m, double q, double rto, double slots) {
  const double p = 1 - std::pow(1 - q, kHops);
  const double c_nack = std::ceil((kSlot + kRtt) / kSlot);
  const double c_rto = std::ceil((kRtt - kSlot + rto) / kSlot) + p / (1 - p) * rto / kSlot;
  double c = 1, c2 = 1;  // E[C], E[C^2]
  switch (m) {
    case Mode::kNack: {
      const double p_rto = 1 - (1 - p) * (1 - p);
      c = (1 - p_rto) * c_nack + p_rto * c_rto;
      c2 = (1 - p_rto) * c_nack * c_nack + p_rto * c_rto * c_rto;
      break;
    }
    case Mode::kTimeoutOnly:
      c = c_rto;
      c2 = c_rto * c_rto;
      break;
    case Mode::kSelective:
      break;
    case Mode::kIrn: {
      // Stalled at slot N, the port is idle when the SACK arrives: the retransmission
      // goes at once, (T + R0) / T slots after the loss, and the cumulative ACK R0 later
      // lets new data go. A lost retransmission has nothing sent after it to reveal the
      // loss: the timeout resends it RTO after the last progress (t0 - T + R0).
      const double n = static_cast<double>(kBdpCap);
      const double c_sack = 1 + std::max(0.0, (kSlot + kRtt) / kSlot + kRtt / kSlot - n);
      const double c_to = 1 + std::max(0.0, (kRtt - kSlot + rto) / kSlot + kRtt / kSlot - n);
      c = (1 - p) * c_sack + p * c_to;
      c2 = (1 - p) * c_sack * c_sack + p * c_to * c_to;
      break;
    }
  }
  const double g = (1 - p) / (1 - p + p * c);
  // The deficit (1-g)/g is the sum of the losses' costs over the useful slots: with n
  // losses in the run its relative spread is sqrt(E[C^2]) / (E[C] sqrt(n)), and
  // d g = g (1-g) x that.
  const double losses = std::max(1.0, slots / ((1 - p) / p + c));
  const double sigma = g * (1 - g) * std::sqrt(c2) / (c * std::sqrt(losses));
  return {g, sigma};
}

struct Measured {
  double goodput = 0;
  int64_t timeouts = 0, nacks = 0, retx = 0;
};

Measured run(Mode m, double q, Time rto, Time duration, uint64_t seed = 1) {
  testing::TestFabric tf;
  tf.sw.pfc.enabled = false;
  tf.transport.rto = rto;
  tf.transport.retry_limit = 1000;  // a long run at 1e-2 must not fail the flow
  if (m == Mode::kNack || m == Mode::kTimeoutOnly) {
    tf.transport.recovery.select("go_back_n");
    tf.transport.recovery.as<GoBackNParams>().nack = m == Mode::kNack;
  } else {
    tf.transport.recovery.select("selective");
    if (m == Mode::kIrn) {
      auto& sp = tf.transport.recovery.as<SelectiveParams>();
      sp.bdp_cap = kBdpCap;
      sp.reorder_window = Time::ns(1);
    }
  }
  LeafSpineConfig ls;
  ls.leaves = 2;
  ls.spines = 1;
  ls.hosts_per_leaf = 1;
  for (LinkSpec* l : {&ls.host_link, &ls.fabric_link}) {
    l->rate = BitRate::gbps(100);
    l->delay = Time::us(1);
    l->loss_rate = q;
  }
  tf.graph = build_leaf_spine(ls);
  Network& net = tf.build(seed);
  FlowSpec f;
  f.src = 0;
  f.dst = 1;
  f.size = 1LL << 40;  // never finishes: the run ends at `duration`
  EXPECT_TRUE(net.add_flows({f}).is_ok());
  net.run(duration);
  Measured r;
  const FlowOutcome o = net.outcome(0);
  if (o.receiver == nullptr || o.sender == nullptr) return r;
  const double payload_rate = kRate / 8 * 4096.0 / (4096 + 62 + 20);  // bytes/s
  r.goodput = static_cast<double>(o.receiver->stats().accepted_bytes) /
              (payload_rate * static_cast<double>(duration.ps()) * 1e-12);
  r.timeouts = o.sender->stats().timeouts;
  r.nacks = o.sender->stats().nacks;
  r.retx = o.sender->stats().retx_packets;
  testing::expect_conservation(net);
  return r;
}

// Statistical tolerance: 3 sigma of the run's goodput (model above), plus 2 points of
// goodput for what the model leaves out (a second loss inside a go-back window or during
// a timeout, slot rounding, losses of the frame that should trigger the NACK).
void expect_model(Mode m, double q, Time rto, Time duration) {
  const Measured r = run(m, q, rto, duration);
  const double slots = static_cast<double>(duration.ps()) * 1e-12 / kSlot;
  const Model e = model(m, q, static_cast<double>(rto.ps()) * 1e-12, slots);
  const double tol = 3 * e.sigma + 0.02;
  std::printf("  %-12s q=%-7g rto=%-8s measured %.4f model %.4f (sigma %.4f) timeouts %lld\n",
              kModeName[static_cast<int>(m)], q, format_time(rto).c_str(), r.goodput, e.goodput,
              e.sigma, static_cast<long long>(r.timeouts));
  EXPECT_NEAR(r.goodput, e.goodput, tol)
      << "q=" << q << " model=" << e.goodput << " sigma=" << e.sigma << " timeouts=" << r.timeouts
      << " nacks=" << r.nacks << " retx=" << r.retx;
}

// A 100 us timeout, so that a 100 ms run holds enough timeouts to compare with the model
// (the model's RTO term is exact in RTO; the sweep uses the default 4 ms).
TEST(LossRecovery, GoBackNWithNackMatchesTheRenewalModel) {
  expect_model(Mode::kNack, 1e-3, Time::us(100), Time::ms(100));
  expect_model(Mode::kNack, 1e-2, Time::us(100), Time::ms(100));
}

TEST(LossRecovery, TimeoutOnlyGoBackNMatchesTheRenewalModel) {
  expect_model(Mode::kTimeoutOnly, 1e-4, Time::us(100), Time::ms(100));
  expect_model(Mode::kTimeoutOnly, 1e-3, Time::us(100), Time::ms(100));
}

TEST(LossRecovery, SelectiveAndIrnMatchTheRenewalModel) {
  expect_model(Mode::kSelective, 1e-2, Time::ms(4), Time::ms(20));
  // IRN with its RTO_high (320 us; RTO_low is not modelled). Its model is first order
  // in p x bdp_cap: with several losses per capped window other holes' retransmissions
  // often reveal a lost retransmission before the timeout, so the runs beat the model
  // (3e-3: 0.73 against 0.67; 1e-2: 0.53 against 0.27). Equality at 1e-3 (p N = 0.12);
  // at 3e-3 (p N = 0.35) only that the run is not below the model.
  expect_model(Mode::kIrn, 1e-3, Time::us(320), Time::ms(60));
  const Time d = Time::ms(60);
  const Measured r = run(Mode::kIrn, 3e-3, Time::us(320), d);
  const Model e = model(Mode::kIrn, 3e-3, 320e-6, static_cast<double>(d.ps()) * 1e-12 / kSlot);
  EXPECT_GE(r.goodput, e.goodput - 3 * e.sigma) << "model " << e.goodput;
  EXPECT_LE(r.goodput, e.goodput + 0.15) << "model " << e.goodput;
}

// With the default 4 ms timeout, at 1e-4 per link (4e-4 per frame): a lost frame costs
// go-back-N with NACK ~40 slots (model 98 %) and timeout-only recovery ~12,000 slots
// (model 17 %): the latter has collapsed two decades of loss before the former
// (collapse points, goodput < 50 %: ~2e-5 and ~1.5e-3 per link).
TEST(LossRecovery, TimeoutOnlyCollapsesLongBeforeNack) {
  const Measured nack = run(Mode::kNack, 1e-4, Time::ms(4), Time::ms(40));
  const Measured timeout = run(Mode::kTimeoutOnly, 1e-4, Time::ms(4), Time::ms(40));
  EXPECT_GT(nack.goodput, 0.9);
  EXPECT_LT(timeout.goodput, 0.5);
  EXPECT_GT(timeout.timeouts, 0);
  EXPECT_EQ(timeout.nacks, 0);  // nothing but the timeout recovers
}

TEST(LossRecovery, SelectiveStaysAboveNinetyPercentAtOnePerThousand) {
  const Measured r = run(Mode::kSelective, 1e-3, Time::ms(4), Time::ms(20));
  EXPECT_GT(r.goodput, 0.9);
  EXPECT_GT(r.retx, 0);  // it did lose and recover
}

}  // namespace
}  // namespace aifabric
