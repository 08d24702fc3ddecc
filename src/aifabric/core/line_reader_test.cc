// Line reading for the plain-text importers: skipped lines still count, CRLF is
// stripped, and numbers are parsed strictly.
#include "aifabric/core/line_reader.h"

#include <gtest/gtest.h>

#include <sstream>

namespace aifabric {
namespace {

TEST(Ns3LineReader, SkipsBlankAndCommentLinesButCountsThem) {
  std::istringstream in("\n  # note\r\nfirst\r\n\t\n#x\nsecond");
  LineReader r(in, "f.txt", /*skip_comments=*/true);
  ASSERT_TRUE(r.next());
  EXPECT_EQ(r.line(), "first");
  EXPECT_EQ(r.line_number(), 3u);
  ASSERT_TRUE(r.next());
  EXPECT_EQ(r.line(), "second");
  EXPECT_EQ(r.line_number(), 6u);
  EXPECT_FALSE(r.next());
  EXPECT_EQ(r.error("the end").message(), "f.txt:6: the end");
}

TEST(Ns3LineReader, CommentsAreOrdinaryLinesUnlessSkipped) {
  std::istringstream in("# not a comment\n");
  LineReader r(in, "f.txt");
  ASSERT_TRUE(r.next());
  EXPECT_EQ(r.line(), "# not a comment");
}

TEST(Ns3LineReader, EmptyInputReportsLineOne) {
  std::istringstream in("");
  LineReader r(in, "f.txt");
  EXPECT_FALSE(r.next());
  EXPECT_EQ(r.error("empty").message(), "f.txt:1: empty");
}

TEST(Ns3LineReader, Splitting) {
  EXPECT_EQ(split_blanks("  0 4\t100Gbps  0.001ms 0 \r"),
            (std::vector<std::string_view>{"0", "4", "100Gbps", "0.001ms", "0"}));
  EXPECT_TRUE(split_blanks(" \t ").empty());
  EXPECT_EQ(split_commas(" src , dst,,bytes "),
            (std::vector<std::string_view>{"src", "dst", "", "bytes"}));
  EXPECT_EQ(split_commas(""), (std::vector<std::string_view>{""}));
}

TEST(Ns3LineReader, ParsesWholeNumbersStrictly) {
  EXPECT_EQ(*parse_uint("42", "n"), 42u);
  EXPECT_EQ(*parse_uint("18446744073709551615", "n"), UINT64_MAX);
  EXPECT_EQ(parse_uint("18446744073709551616", "n").status().message(),
            "n '18446744073709551616' is too large");
  EXPECT_EQ(parse_uint("-1", "n").status().message(), "n '-1' is negative");
  EXPECT_EQ(parse_uint("+1", "n").status().message(), "n '+1' is not a whole number");
  EXPECT_EQ(parse_uint("0x10", "n").status().message(), "n '0x10' is not a whole number");
  EXPECT_EQ(parse_uint("1.0", "n").status().message(), "n '1.0' is not a whole number");
  EXPECT_EQ(parse_uint("", "n").status().message(), "n is empty");
}

TEST(Ns3LineReader, ParsesDecimalsStrictly) {
  EXPECT_EQ(*parse_decimal("2", "t"), 2.0);
  EXPECT_EQ(*parse_decimal("0.000001", "t"), 1e-6);
  EXPECT_EQ(*parse_decimal("1e-6", "t"), 1e-6);
  EXPECT_EQ(parse_decimal("-0.5", "t").status().message(), "t '-0.5' is negative");
  EXPECT_EQ(parse_decimal("2s", "t").status().message(), "t '2s' is not a number");
  EXPECT_EQ(parse_decimal("0x1p3", "t").status().message(), "t '0x1p3' is not a number");
  EXPECT_EQ(parse_decimal("inf", "t").status().message(), "t 'inf' is not finite");
  EXPECT_EQ(parse_decimal("1e999", "t").status().message(), "t '1e999' is out of range");
}

TEST(Ns3LineReader, TextChecks) {
  {
    std::istringstream in(
        "\xEF\xBB\xBF"
        "first\n");
    LineReader r(in, "f.txt");
    ASSERT_TRUE(r.next());
    EXPECT_EQ(r.line(), "first");  // the byte order mark is dropped
  }
  {
    std::istringstream in("a\rb\rc\r");
    LineReader r(in, "f.txt");
    EXPECT_FALSE(r.next());
    EXPECT_EQ(r.status().message(),
              "f.txt:1: line ends are CR only (old Mac line ends); save the "
              "file with LF or CRLF");
  }
  {
    std::istringstream in(std::string("ok\nx\0y\n", 7));
    LineReader r(in, "f.txt");
    ASSERT_TRUE(r.next());
    EXPECT_FALSE(r.next());
    EXPECT_EQ(r.status().message(),
              "f.txt:2: byte \\x00 at column 2 is not text (is this a binary file?)");
  }
  {
    std::istringstream in("\xFF\xFEs\0");
    LineReader r(in, "f.txt");
    EXPECT_FALSE(r.next());
    EXPECT_NE(r.status().message().find("UTF-16"), std::string::npos);
  }
  {
    std::istringstream in(std::string(100, 'x'));
    LineReader r(in, "f.txt", false, 10);
    EXPECT_FALSE(r.next());
    EXPECT_EQ(r.status().message(), "f.txt: larger than 0 MiB; not read");
  }
}

TEST(Ns3LineReader, CountsWithoutSplitting) {
  std::istringstream in("head\n1\n\n2");
  LineReader r(in, "f.txt");
  ASSERT_TRUE(r.next());
  EXPECT_EQ(r.lines_left(), 3u);
  EXPECT_EQ(r.bytes_left(), 4u);
  EXPECT_EQ(count_blank_fields(" a  b\tc "), 3u);
  EXPECT_EQ(count_comma_fields("a,,b"), 3u);
  EXPECT_EQ(check_text("a\r\nb\n", "t").message(), "");
  EXPECT_EQ(check_text("a\nb\x01\n", "t").message(),
            "t:2: byte \\x01 at column 2 is not text (is this a binary file?)");
}

}  // namespace
}  // namespace aifabric
