// DCTCP in rate form on synthetic ACKs through a fake CcContext, against the rule of
// Alizadeh et al., "Data Center TCP", SIGCOMM 2010 (alpha = (1 - g) alpha + g F once per
// round trip, cut by alpha/2 when marked), and docs/add-a-congestion-control.md held to
// the source it quotes.
#include "aifabric/transport/cc/dctcp/dctcp.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "aifabric/transport/cc/congestion_control.h"
#include "aifabric/transport/cc/manual_cc_context.h"

namespace aifabric {
namespace {

using FakeCtx = ManualCcContext;

constexpr double kLine = 400e9;

struct Rig {
  DctcpParams p;
  FakeCtx ctx;
  Dctcp cc{p, BitRate::gbps(400), ctx};
  double rate() const { return static_cast<double>(cc.rate().bits_per_second()); }
  // `n` ACKs spread over one round trip of `rtt`, the first `marked` of them marked.
  void round(int n, int marked, Time rtt) {
    for (int i = 0; i < n; ++i) {
      AckEvent a;
      a.rtt = rtt;
      a.ecn_echo = i < marked;
      cc.on_ack(a);
      ctx.t += Time::ps(rtt.ps() / n);
    }
  }
};

TEST(Dctcp, AMarkedRoundTripCutsByAlphaOverTwoAnUnmarkedOneAddsAStep) {
  Rig r;
  const Time rtt = Time::us(10);
  const double g = r.p.g;
  const double ai = static_cast<double>(r.p.rate_ai.bits_per_second());
  r.round(10, 5, rtt);  // F = 0.5: applied at the next round trip's first ACK
  EXPECT_EQ(r.rate(), kLine);
  r.round(10, 0, rtt);  // its first ACK closes the marked round trip
  double alpha = (1 - g) * 1.0 + g * 0.5;
  double rate = kLine * (1 - alpha / 2);
  EXPECT_NEAR(r.cc.alpha(), alpha, 1e-12);
  EXPECT_NEAR(r.rate(), rate, 1.0);
  r.round(10, 0, rtt);  // closes an unmarked round trip: alpha decays, rate + AI
  alpha = (1 - g) * alpha;
  rate += ai;
  EXPECT_NEAR(r.cc.alpha(), alpha, 1e-12);
  EXPECT_NEAR(r.rate(), rate, 1.0);
}

TEST(Dctcp, NeverBelowMinRateNorAboveLine) {
  Rig r;
  for (int i = 0; i < 200; ++i) r.round(4, 4, Time::us(5));
  EXPECT_EQ(r.rate(), static_cast<double>(r.p.min_rate.bits_per_second()));
  for (int i = 0; i < 2000; ++i) r.round(4, 0, Time::us(5));
  EXPECT_EQ(r.rate(), kLine);
}

std::string read(const std::string& rel) {
  std::ifstream in(std::string(AIFABRIC_SOURCE_DIR) + "/" + rel);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(DctcpDoc, QuotesTheSourceItDescribes) {
  const std::string doc = read("docs/add-a-congestion-control.md");
  ASSERT_FALSE(doc.empty());
  for (const char* f :
       {"src/aifabric/transport/cc/dctcp/dctcp.h", "src/aifabric/transport/cc/dctcp/dctcp.cc"}) {
    const std::string src = read(f);
    ASSERT_FALSE(src.empty()) << f;
    EXPECT_NE(doc.find("```cpp\n" + src + "```"), std::string::npos)
        << f << " is no longer quoted whole in docs/add-a-congestion-control.md";
  }
  // The registry line the doc shows is the one in registry.cc, and it is registered.
  const std::string reg = read("src/aifabric/transport/cc/registry.cc");
  const std::string line =
      "cc_member<DctcpParams, Dctcp>(\n"
      "              \"dctcp\", \"ECN echoes -> marked fraction alpha per RTT -> cut by alpha/2, "
      "else +AI\"),";
  EXPECT_NE(reg.find(line), std::string::npos);
  EXPECT_NE(find_cc_algorithm("dctcp"), nullptr);
}

}  // namespace
}  // namespace aifabric
