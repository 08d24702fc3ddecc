// Unit parsing: exact values, units, and the refusals a user must see.
#include "aifabric/core/parse.h"

#include <gtest/gtest.h>

namespace aifabric {
namespace {

TEST(Parse, Times) {
  EXPECT_EQ(parse_time("1.5us")->ps(), 1'500'000);
  EXPECT_EQ(parse_time("0.001ms")->ps(), 1'000'000);
  EXPECT_EQ(parse_time("10ns")->ps(), 10'000);
  EXPECT_EQ(parse_time(" 2 s ")->ps(), 2'000'000'000'000);
  EXPECT_FALSE(parse_time("10").is_ok());
  EXPECT_NE(parse_time("10").status().message().find("needs a unit"), std::string::npos);
  EXPECT_FALSE(parse_time("3 fortnights").is_ok());
  EXPECT_NE(parse_time("-1us").status().message().find("negative"), std::string::npos);
}

TEST(Parse, Sizes) {
  EXPECT_EQ(parse_bytes("4KiB")->count(), 4096);
  EXPECT_EQ(parse_bytes("4KB")->count(), 4000);
  EXPECT_EQ(parse_bytes("16MiB")->count(), 16 * 1024 * 1024);
  EXPECT_EQ(parse_bytes("1500")->count(), 1500);
  EXPECT_EQ(parse_bytes("1.5GB")->count(), 1'500'000'000);
  EXPECT_FALSE(parse_bytes("-5").is_ok());
  EXPECT_FALSE(parse_bytes("5 parsecs").is_ok());
  EXPECT_FALSE(parse_bytes("abc").is_ok());
}

TEST(Parse, Rates) {
  EXPECT_EQ(parse_rate("400Gbps")->bits_per_second(), 400'000'000'000);
  EXPECT_EQ(parse_rate("100Gb/s")->bits_per_second(), 100'000'000'000);
  EXPECT_EQ(parse_rate("25G")->bits_per_second(), 25'000'000'000);
  EXPECT_EQ(parse_rate("80Mbps")->bits_per_second(), 80'000'000);
  EXPECT_FALSE(parse_rate("400").is_ok());
  EXPECT_FALSE(parse_rate("0Gbps").is_ok());
  EXPECT_FALSE(parse_rate("400Qbps").is_ok());
}

TEST(Parse, SerializationIsExact) {
  // 400 Gbps: 20 ps per byte; a 4178-byte frame takes 83.56 ns.
  EXPECT_EQ(BitRate::gbps(400).transmit_time(4178).ps(), 83'560);
  EXPECT_EQ(BitRate::gbps(25).transmit_time(1).ps(), 320);
  EXPECT_EQ(BitRate::gbps(400).bytes_in(Time::us(1)), 50'000);
}

TEST(Parse, RoundTripFormat) {
  EXPECT_EQ(format_time(Time::ps(1'500'000)), "1.5us");
  EXPECT_EQ(format_bytes(Bytes::mib(16)), "16MiB");
  EXPECT_EQ(format_rate(BitRate::gbps(400)), "400Gbps");
}

}  // namespace
}  // namespace aifabric
