// The trimmer at its threshold (NDP's 8-packet data queue), the header it leaves, the
// header queue's limit, and the configs it refuses.
#include "aifabric/fabric/switch/trim/trimmer.h"

#include <gtest/gtest.h>

#include <vector>

#include "aifabric/fabric/switch/switch_config.h"

namespace aifabric {
namespace {

struct Rig {
  PacketPool pool;
  EgressQueues e;
  std::vector<Packet*> owned;
  ~Rig() {
    for (Packet* p : owned) pool.release(p);
  }
  Packet* data(uint8_t prio = 3, uint64_t psn = 0) {
    Packet* p = pool.acquire();
    p->type = PacketType::kData;
    p->priority = prio;
    p->psn = psn;
    p->payload = 4096;
    p->wire = 4096 + kRoceHeaderBytes + kL1OverheadBytes;
    owned.push_back(p);
    return p;
  }
};

TEST(Trimmer, TrimsTheArrivalThatFindsTheDataQueueAtItsThreshold) {
  TrimmingConfig cfg;
  cfg.enabled = true;
  const Trimmer t(cfg);
  Rig r;
  uint32_t cut = 0;
  for (int i = 0; i < cfg.data_queue_packets; ++i) {
    Packet* p = r.data(3, static_cast<uint64_t>(i));
    ASSERT_EQ(t.on_arrival(*p, r.e, cut), Trimmer::Verdict::kPass) << "packet " << i;
    r.e.push(p);
  }
  Packet* ninth = r.data(3, 8);
  ASSERT_EQ(t.on_arrival(*ninth, r.e, cut), Trimmer::Verdict::kTrimmed);
  EXPECT_EQ(cut, 4096u);
  EXPECT_EQ(ninth->payload, 0u);
  EXPECT_EQ(ninth->wire, 82u);  // 62 B of RoCEv2 headers + 20 B preamble/IFG
  EXPECT_TRUE(ninth->trimmed);
  EXPECT_EQ(ninth->priority, 6) << "headers go to the header priority";
  EXPECT_EQ(ninth->psn, 8u) << "the header names the packet";
  // A header passes on at later hops, and other priorities are never trimmed.
  EXPECT_EQ(t.on_arrival(*ninth, r.e, cut), Trimmer::Verdict::kPass);
  Packet* other = r.data(2);
  for (int i = 0; i < 20; ++i) r.e.push(r.data(2));
  EXPECT_EQ(t.on_arrival(*other, r.e, cut), Trimmer::Verdict::kPass);
}

TEST(Trimmer, DropsAHeaderThatFindsTheHeaderQueueFull) {
  TrimmingConfig cfg;
  cfg.enabled = true;
  cfg.data_queue_packets = 1;
  cfg.header_queue_packets = 2;
  const Trimmer t(cfg);
  Rig r;
  uint32_t cut = 0;
  r.e.push(r.data());
  for (int i = 0; i < 2; ++i) {
    Packet* p = r.data();
    ASSERT_EQ(t.on_arrival(*p, r.e, cut), Trimmer::Verdict::kTrimmed);
    r.e.push(p);
  }
  Packet* p = r.data();
  EXPECT_EQ(t.on_arrival(*p, r.e, cut), Trimmer::Verdict::kDrop);
  EXPECT_EQ(p->payload, 4096u) << "a dropped packet is left whole";
}

TEST(TrimmingConfig, RefusesALosslessTrimmedPriorityAndHeadersAmongTheTrimmed) {
  SwitchConfig sw;
  sw.trimming.enabled = true;  // priority 3, which PFC protects by default
  Status s = sw.validate();
  ASSERT_FALSE(s.is_ok());
  EXPECT_NE(s.message().find("trimming.priorities: priority 3 is lossless"), std::string::npos)
      << s.message();
  sw.pfc.enabled = false;
  EXPECT_TRUE(sw.validate().is_ok());
  sw.pfc.enabled = true;
  sw.pfc.priorities = {4};
  EXPECT_TRUE(sw.validate().is_ok());
  TrimmingConfig t;
  t.priorities = {3, 6};
  s = t.validate();
  ASSERT_FALSE(s.is_ok());
  EXPECT_NE(s.message().find("header_priority 6"), std::string::npos) << s.message();
}

}  // namespace
}  // namespace aifabric
