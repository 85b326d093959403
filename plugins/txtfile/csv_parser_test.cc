#include "plugins/txtfile/csv_parser.h"

#include <gtest/gtest.h>

namespace ferry::txtfile {
namespace {

using Outcome = CsvParser::Outcome;

struct Parsed {
  Outcome outcome;
  std::vector<std::string> fields;  // NULL fields as "<NULL>"
  std::string raw;
  size_t consumed = 0;
  int line_breaks = 0;
  std::string error;
};

Parsed ParseOne(const CsvParser& parser, std::string_view data, bool at_eof = true) {
  ParsedRecord record;
  Parsed p;
  p.outcome = parser.Parse(data, at_eof, &record);
  if (p.outcome == Outcome::kRecord || p.outcome == Outcome::kMalformed) {
    for (size_t f = 0; f < record.num_fields(); ++f) {
      p.fields.push_back(record.is_null(f) ? "<NULL>" : std::string(record.field(f)));
    }
    p.raw = std::string(record.raw());
    p.consumed = record.consumed();
    p.line_breaks = record.line_breaks();
    p.error = record.error();
  }
  return p;
}

// Every record of `data`, parsed with the window growing one byte at a time, so every
// kNeedMore boundary is exercised; malformed records appear as "!error".
std::vector<std::vector<std::string>> ParseAllByteByByte(const CsvParser& parser,
                                                         std::string_view data) {
  std::vector<std::vector<std::string>> out;
  size_t begin = 0, end = 0;
  ParsedRecord record;
  for (;;) {
    bool at_eof = end == data.size();
    Outcome o = parser.Parse(data.substr(begin, end - begin), at_eof, &record);
    if (o == Outcome::kEnd) break;
    if (o == Outcome::kNeedMore) {
      EXPECT_FALSE(at_eof);
      ++end;
      continue;
    }
    if (o == Outcome::kRecord) {
      std::vector<std::string> fields;
      for (size_t f = 0; f < record.num_fields(); ++f) {
        fields.push_back(record.is_null(f) ? "<NULL>" : std::string(record.field(f)));
      }
      out.push_back(fields);
    } else if (o == Outcome::kMalformed) {
      out.push_back({"!" + record.error()});
    }
    begin += record.consumed();
  }
  return out;
}

CsvParser Csv(char delimiter = ',') {
  return CsvParser(Dialect{FileFormat::kCsv, delimiter, "\\N"});
}
CsvParser Text(char delimiter = '\t') {
  return CsvParser(Dialect{FileFormat::kText, delimiter, "\\N"});
}

using Rows = std::vector<std::vector<std::string>>;

TEST(CsvParserTest, PlainFieldsAndLineEnd) {
  Parsed p = ParseOne(Csv(), "a,b,c\nnext");
  EXPECT_EQ(p.outcome, Outcome::kRecord);
  EXPECT_EQ(p.fields, (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(p.raw, "a,b,c");
  EXPECT_EQ(p.consumed, 6u);
  EXPECT_EQ(p.line_breaks, 1);
}

TEST(CsvParserTest, QuotedFieldsWithDelimiterQuotesAndLineBreaks) {
  Rows rows = ParseAllByteByByte(Csv(), "\"a,b\",\"say \"\"hi\"\"\",\"x\r\ny\nz\"\r\n2,,3\r\n");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0], (std::vector<std::string>{"a,b", "say \"hi\"", "x\r\ny\nz"}));
  EXPECT_EQ(rows[1], (std::vector<std::string>{"2", "", "3"}));
}

TEST(CsvParserTest, LineBreaksInsideQuotesAreCounted) {
  Parsed p = ParseOne(Csv(), "1,\"a\nb\nc\"\n2,x\n");
  EXPECT_EQ(p.fields, (std::vector<std::string>{"1", "a\nb\nc"}));
  EXPECT_EQ(p.line_breaks, 3);
  EXPECT_EQ(p.raw, "1,\"a\nb\nc\"");
}

TEST(CsvParserTest, EmptyFieldIsEmptyStringAndBareNullFormatIsNull) {
  Rows rows = ParseAllByteByByte(Csv(), ",\\N,\"\\N\",\"\",x\\N\n");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0], (std::vector<std::string>{"", "<NULL>", "\\N", "", "x\\N"}));
}

TEST(CsvParserTest, TrailingDelimiterMeansAnEmptyLastField) {
  EXPECT_EQ(ParseAllByteByByte(Csv(), "a,\nb,"), (Rows{{"a", ""}, {"b", ""}}));
}

TEST(CsvParserTest, LastLineWithoutNewline) {
  EXPECT_EQ(ParseAllByteByByte(Csv(), "1,2\n3,4"), (Rows{{"1", "2"}, {"3", "4"}}));
  EXPECT_EQ(ParseAllByteByByte(Csv(), "1,\"2\""), (Rows{{"1", "2"}}));
}

TEST(CsvParserTest, NeedsMoreWhenTheWindowEndsInsideARecord) {
  EXPECT_EQ(ParseOne(Csv(), "1,2", false).outcome, Outcome::kNeedMore);
  EXPECT_EQ(ParseOne(Csv(), "1,\"2\n", false).outcome, Outcome::kNeedMore);
  EXPECT_EQ(ParseOne(Csv(), "1,\"2\"", false).outcome, Outcome::kNeedMore);  // "" or the end?
  EXPECT_EQ(ParseOne(Csv(), "1,2\r", false).outcome, Outcome::kNeedMore);    // CRLF?
  EXPECT_EQ(ParseOne(Csv(), "", false).outcome, Outcome::kNeedMore);
  EXPECT_EQ(ParseOne(Csv(), "", true).outcome, Outcome::kEnd);
}

TEST(CsvParserTest, BlankLinesAreSkipped) {
  Parsed p = ParseOne(Csv(), "\r\n1\n");
  EXPECT_EQ(p.outcome, Outcome::kBlank);
  EXPECT_EQ(ParseAllByteByByte(Csv(), "\n1,2\n\r\n\n3,4\n\n"), (Rows{{"1", "2"}, {"3", "4"}}));
}

TEST(CsvParserTest, QuotedEmptyStringIsARecordNotABlankLine) {
  EXPECT_EQ(ParseAllByteByByte(Csv(), "\"\"\n\\N\n"), (Rows{{""}, {"<NULL>"}}));
}

TEST(CsvParserTest, LoneCarriageReturnEndsALine) {
  EXPECT_EQ(ParseAllByteByByte(Csv(), "1,2\r3,4\r"), (Rows{{"1", "2"}, {"3", "4"}}));
}

TEST(CsvParserTest, UnterminatedQuoteIsMalformedAndParsingResumesOnTheNextLine) {
  Parsed p = ParseOne(Csv(), "1,\"abc\n2,x\n");
  EXPECT_EQ(p.outcome, Outcome::kMalformed);
  EXPECT_EQ(p.raw, "1,\"abc");
  EXPECT_EQ(p.line_breaks, 1);
  EXPECT_EQ(p.error, "unterminated quoted field");
  EXPECT_EQ(ParseAllByteByByte(Csv(), "1,\"abc\n2,x\n3,y"),
            (Rows{{"!unterminated quoted field"}, {"2", "x"}, {"3", "y"}}));
}

TEST(CsvParserTest, TextAfterAClosingQuoteIsMalformed) {
  EXPECT_EQ(ParseAllByteByByte(Csv(), "\"a\"b,c\n1,2\n"),
            (Rows{{"!unexpected character after a closing quote"}, {"1", "2"}}));
}

TEST(CsvParserTest, QuoteInsideAnUnquotedFieldIsText) {
  EXPECT_EQ(ParseAllByteByByte(Csv(), "5\" pipe,x\n"), (Rows{{"5\" pipe", "x"}}));
}

TEST(CsvParserTest, OtherDelimiters) {
  EXPECT_EQ(ParseAllByteByByte(Csv('\t'), "a b\tc,d\n"), (Rows{{"a b", "c,d"}}));
  EXPECT_EQ(ParseAllByteByByte(Csv('\x01'),
                               "a\x01"
                               "b\n"),
            (Rows{{"a", "b"}}));
}

TEST(CsvParserTest, RefuseFirstLineSpansOneLine) {
  ParsedRecord record;
  CsvParser parser = Csv();
  EXPECT_EQ(parser.RefuseFirstLine("abc", false, "too long", &record), Outcome::kNeedMore);
  EXPECT_EQ(parser.RefuseFirstLine("ab\r\ncd", false, "too long", &record), Outcome::kMalformed);
  EXPECT_EQ(record.raw(), "ab");
  EXPECT_EQ(record.consumed(), 4u);
  EXPECT_EQ(record.error(), "too long");
}

TEST(TextParserTest, BackslashEscapes) {
  Rows rows = ParseAllByteByByte(Text(), "a\\tb\\nc\\rd\\\\e\tx\\\ty\t\\q\\x41\n");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0], (std::vector<std::string>{"a\tb\nc\rd\\e", "x\ty", "\\q\\x41"}));
}

TEST(TextParserTest, NullIsTheRawNullFormat) {
  Rows rows = ParseAllByteByByte(Text(), "\\N\t\\\\N\t\t\"q\"\n");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0], (std::vector<std::string>{"<NULL>", "\\N", "", "\"q\""}));
}

TEST(TextParserTest, EscapedDelimiterAndCrLf) {
  EXPECT_EQ(ParseAllByteByByte(Text('|'), "a\\|b|c\r\nd|e"), (Rows{{"a|b", "c"}, {"d", "e"}}));
}

TEST(TextParserTest, EmptyLineIsOneEmptyField) {
  EXPECT_EQ(ParseAllByteByByte(Text(), "\n1\t2\n"), (Rows{{""}, {"1", "2"}}));
}

TEST(TextParserTest, TrailingBackslashIsKept) {
  EXPECT_EQ(ParseAllByteByByte(Text(), "a\\\n"), (Rows{{"a\\"}}));
}

}  // namespace
}  // namespace ferry::txtfile
