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

TEST(Parse, DecimalsAreExactAndSizesWhole) {
  EXPECT_EQ(parse_time("0.1us")->ps(), 100'000);
  EXPECT_EQ(parse_time("1e3ns")->ps(), 1'000'000);
  EXPECT_EQ(parse_time("0.4ps")->ps(), 0);  // rounded to the picosecond
  EXPECT_EQ(parse_time("0.5ps")->ps(), 1);
  EXPECT_EQ(parse_bytes("1.5KiB")->count(), 1536);
  EXPECT_EQ(parse_bytes("0.3KB")->count(), 300);
  EXPECT_EQ(parse_bytes("1.5B").status().message(), "size '1.5B' is not a whole number of bytes");
  EXPECT_FALSE(parse_bytes("1.1KiB").is_ok());  // 1126.4 B
  EXPECT_EQ(parse_bytes("9223372036854775807B")->count(), INT64_MAX);
  EXPECT_NE(parse_bytes("9223372036854775808B").status().message().find("too large"),
            std::string::npos);
  EXPECT_NE(parse_time("1.23456789012345678901us").status().message().find("19 significant"),
            std::string::npos);
  for (const char* bad : {"0x10us", "infs", "nan", "1e400us", "0x0.8p0s"}) {
    EXPECT_FALSE(parse_time(bad).is_ok()) << bad;
  }
}

TEST(Parse, FormatReadsBackExactly) {
  for (int64_t ps : std::initializer_list<int64_t>{1234567, 1, 999, 123456789012345, INT64_MAX}) {
    EXPECT_EQ(parse_time(format_time(Time::ps(ps)))->ps(), ps) << format_time(Time::ps(ps));
  }
  EXPECT_EQ(format_time(Time::ps(1'234'567)), "1.234567us");  // was "1.23457us"
  for (int64_t bps : std::initializer_list<int64_t>{1, 1234567891, 400000000001}) {
    EXPECT_EQ(parse_rate(format_rate(BitRate::bps(bps)))->bits_per_second(), bps);
  }
}

TEST(Parse, StrictPlainNumbers) {
  EXPECT_EQ(*parse_integer("-12"), -12);
  EXPECT_EQ(*parse_integer("+7"), 7);
  EXPECT_EQ(parse_integer("0x10").status().message(), "'0x10' is not an integer");
  EXPECT_FALSE(parse_integer("1e3").is_ok());
  EXPECT_FALSE(parse_integer(" 1").is_ok());
  EXPECT_NE(parse_integer("99999999999999999999").status().message().find("out of range"),
            std::string::npos);
  EXPECT_EQ(*parse_number(".5"), 0.5);
  EXPECT_EQ(*parse_number("-2e-3"), -0.002);
  for (const char* bad : {"0x0.8p0", "inf", ".nan", "nan", "1e", "1.2.3", "", "1e999"}) {
    EXPECT_FALSE(parse_number(bad).is_ok()) << bad;
  }
}

TEST(Parse, QuotedInputIsEscapedAndCut) {
  EXPECT_EQ(quote_input(std::string("a\0b\x1b", 4)), "'a\\x00b\\x1b'");
  EXPECT_EQ(quote_input("\xff\xc3\xa9"), "'\\xff\xc3\xa9'");  // bad byte escaped, UTF-8 kept
  EXPECT_EQ(quote_input(std::string(100, 'x'), 3), "'xxx'...");
  EXPECT_EQ(printable("tab\there"), "tab\\x09here");
}

}  // namespace
}  // namespace aifabric
