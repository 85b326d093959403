#include "ferry/job/located_json.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <string>

namespace ferry {
namespace {

using Json = nlohmann::ordered_json;

LocatedJson ParseOk(std::string_view text) {
  Result<LocatedJson> r = ParseLocatedJson(text, "job.json");
  EXPECT_TRUE(r.ok()) << r.status().message();
  return r.ok() ? std::move(r).value() : LocatedJson();
}

// The error message for text that must not parse.
std::string ParseError(std::string_view text) {
  Result<LocatedJson> r = ParseLocatedJson(text, "job.json");
  EXPECT_FALSE(r.ok()) << "parsed: " << std::string(text);
  if (r.ok()) return "";
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  return r.status().message();
}

// "line:col", so that a failing comparison prints readably.
std::string At(SourcePos pos) { return std::to_string(pos.line) + ":" + std::to_string(pos.col); }

// ---- positions ----

TEST(LocatedJsonPositionTest, NestedValuesAndKeys) {
  const LocatedJson j = ParseOk(
      "{\n"
      "  \"job\": {\n"
      "    \"content\": [\n"
      "      {\"reader\": {\"name\": \"mysqlreader\"}},\n"
      "      {\"reader\": null}\n"
      "    ]\n"
      "  }\n"
      "}\n");
  EXPECT_EQ(At(j.ValuePos("")), "1:1");
  EXPECT_EQ(At(j.KeyPos("job")), "2:3");
  EXPECT_EQ(At(j.ValuePos("job")), "2:10");
  EXPECT_EQ(At(j.KeyPos("job.content")), "3:5");
  EXPECT_EQ(At(j.ValuePos("job.content")), "3:16");
  EXPECT_EQ(At(j.ValuePos("job.content[0]")), "4:7");
  EXPECT_EQ(At(j.KeyPos("job.content[0].reader")), "4:8");
  EXPECT_EQ(At(j.ValuePos("job.content[0].reader")), "4:18");
  EXPECT_EQ(At(j.KeyPos("job.content[0].reader.name")), "4:19");
  EXPECT_EQ(At(j.ValuePos("job.content[0].reader.name")), "4:27");
  EXPECT_EQ(At(j.ValuePos("job.content[1]")), "5:7");
  EXPECT_EQ(At(j.ValuePos("job.content[1].reader")), "5:18");
  EXPECT_EQ(j.value()["job"]["content"][0]["reader"]["name"], "mysqlreader");
}

TEST(LocatedJsonPositionTest, ColumnsCountCodePointsNotBytes) {
  // 名称 and 中文描述 are 3 bytes per character; 😀 is 4 bytes; é is 2 bytes.
  const LocatedJson j = ParseOk(
      "{\"名称\": \"中文描述\", \"next\": 1,\n"
      " \"😀\": \"é\", \"after\": true}");
  EXPECT_EQ(At(j.KeyPos(JoinPath("", "名称"))), "1:2");
  EXPECT_EQ(At(j.ValuePos(JoinPath("", "名称"))), "1:8");
  EXPECT_EQ(At(j.KeyPos("next")), "1:16");
  EXPECT_EQ(At(j.ValuePos("next")), "1:24");
  EXPECT_EQ(At(j.KeyPos(JoinPath("", "😀"))), "2:2");
  EXPECT_EQ(At(j.ValuePos(JoinPath("", "😀"))), "2:7");
  EXPECT_EQ(At(j.KeyPos("after")), "2:12");
  EXPECT_EQ(At(j.ValuePos("after")), "2:21");
  EXPECT_EQ(j.value()["名称"], "中文描述");
}

TEST(LocatedJsonPositionTest, AfterComments) {
  const LocatedJson j = ParseOk(
      "// leading comment with 中文\n"
      "{ /* block\n"
      "   comment */ \"a\": 1, // trailing\n"
      "  \"b\": /* inline */ [true, false,],\n"
      "}\n");
  EXPECT_EQ(At(j.ValuePos("")), "2:1");
  EXPECT_EQ(At(j.KeyPos("a")), "3:15");
  EXPECT_EQ(At(j.ValuePos("a")), "3:20");
  EXPECT_EQ(At(j.KeyPos("b")), "4:3");
  EXPECT_EQ(At(j.ValuePos("b")), "4:21");
  EXPECT_EQ(At(j.ValuePos("b[1]")), "4:28");
  EXPECT_EQ(j.value(), Json::parse(R"({"a": 1, "b": [true, false]})"));
}

TEST(LocatedJsonPositionTest, CrLfAndLoneCrEndLines) {
  const LocatedJson crlf = ParseOk("{\r\n  \"a\": 1,\r\n  \"b\": 2\r\n}\r\n");
  EXPECT_EQ(At(crlf.KeyPos("a")), "2:3");
  EXPECT_EQ(At(crlf.ValuePos("a")), "2:8");
  EXPECT_EQ(At(crlf.ValuePos("b")), "3:8");

  const LocatedJson cr = ParseOk("{\r\"a\": 1,\r\r\"b\": 2}");
  EXPECT_EQ(At(cr.KeyPos("a")), "2:1");
  EXPECT_EQ(At(cr.KeyPos("b")), "4:1");

  // A // comment ends at \r\n too.
  const LocatedJson comment = ParseOk("{ // x\r\n\"a\": 1}");
  EXPECT_EQ(At(comment.KeyPos("a")), "2:1");
}

TEST(LocatedJsonPositionTest, TabCountsAsOneColumn) {
  const LocatedJson j = ParseOk("{\t\"a\":\t1}");
  EXPECT_EQ(At(j.KeyPos("a")), "1:3");
  EXPECT_EQ(At(j.ValuePos("a")), "1:8");
}

TEST(LocatedJsonPositionTest, ByteOrderMarkIsSkipped) {
  const LocatedJson j = ParseOk("\xEF\xBB\xBF{\"a\": 1}");
  EXPECT_EQ(At(j.ValuePos("")), "1:1");
  EXPECT_EQ(At(j.KeyPos("a")), "1:2");
}

TEST(LocatedJsonPositionTest, KeysThatAreNotIdentifiers) {
  const LocatedJson j = ParseOk(R"({"x.y": {"a\"b": [0, {"": 5, "sp ace": 6}]}})");
  const std::string xy = JoinPath("", "x.y");
  EXPECT_EQ(xy, R"(["x.y"])");
  EXPECT_EQ(At(j.ValuePos(xy)), "1:9");
  const std::string quoted = JoinPath(xy, "a\"b");
  EXPECT_EQ(quoted, R"(["x.y"]["a\"b"])");
  EXPECT_EQ(At(j.KeyPos(quoted)), "1:10");
  EXPECT_EQ(At(j.ValuePos(IndexPath(quoted, 1))), "1:22");
  EXPECT_EQ(At(j.KeyPos(JoinPath(IndexPath(quoted, 1), ""))), "1:23");
  EXPECT_EQ(At(j.ValuePos(JoinPath(IndexPath(quoted, 1), "sp ace"))), "1:40");
  // An identifier written in brackets means the same member.
  EXPECT_EQ(At(j.ValuePos(R"(["x.y"]["a\"b"][1]["sp ace"])")), "1:40");
}

TEST(LocatedJsonPositionTest, TopLevelArrayAndScalar) {
  const LocatedJson arr = ParseOk("  [1,\n [2]]");
  EXPECT_EQ(At(arr.ValuePos("")), "1:3");
  EXPECT_EQ(At(arr.ValuePos("[1][0]")), "2:3");
  const LocatedJson scalar = ParseOk("\n  42 ");
  EXPECT_EQ(At(scalar.ValuePos("")), "2:3");
  EXPECT_EQ(scalar.value(), 42);
}

TEST(LocatedJsonPositionTest, ValuePosFallsBackToNearestAncestor) {
  const LocatedJson j = ParseOk(
      "{\"job\": {\n"
      "  \"content\": [{\"reader\": {}}],\n"
      "  \"setting\": 3}}");
  EXPECT_EQ(At(j.ValuePos("job.content[5].reader")), "2:14");  // index out of range
  EXPECT_EQ(At(j.ValuePos("job.nope.deeper")), "1:9");         // missing key
  EXPECT_EQ(At(j.ValuePos("job.content[0].reader.parameter")), "2:26");
  EXPECT_EQ(At(j.ValuePos("job.content.reader")), "2:14");  // key into an array
  EXPECT_EQ(At(j.ValuePos("job[0]")), "1:9");               // index into an object
  EXPECT_EQ(At(j.ValuePos("job.setting.speed")), "3:14");   // into a scalar
  EXPECT_EQ(At(j.ValuePos("missing")), "1:1");
  EXPECT_EQ(At(j.ValuePos("job..content")), "1:9");  // malformed tail
  EXPECT_EQ(At(j.ValuePos("job.content[x]")), "2:14");
  EXPECT_EQ(At(j.ValuePos("job.content[0")), "2:14");
}

TEST(LocatedJsonPositionTest, KeyPosFallsBackToValuePos) {
  const LocatedJson j = ParseOk("{\"job\": {\"content\": [{\"a\": 1}]}}");
  EXPECT_EQ(At(j.KeyPos("job.content")), "1:10");
  EXPECT_EQ(At(j.KeyPos("job.content[0]")), "1:22");    // array element: no key
  EXPECT_EQ(At(j.KeyPos("job.content[0].b")), "1:22");  // missing: nearest ancestor
  EXPECT_EQ(At(j.KeyPos("")), "1:1");
}

TEST(LocatedJsonPositionTest, MutationDoesNotMovePositions) {
  LocatedJson j = ParseOk("{\"a\": 1,\n \"b\": 2}");
  j.mutable_value()["a"] = "changed";
  j.mutable_value().erase("b");
  EXPECT_EQ(j.value()["a"], "changed");
  EXPECT_EQ(At(j.ValuePos("b")), "2:7");
  const LocatedJson copy = j;
  EXPECT_EQ(At(copy.ValuePos("a")), "1:7");
  EXPECT_EQ(copy.file(), "job.json");
}

TEST(LocatedJsonPositionTest, DefaultConstructedHasNoPositions) {
  const LocatedJson j;
  EXPECT_TRUE(j.value().is_null());
  EXPECT_EQ(At(j.ValuePos("a.b")), "0:0");
  EXPECT_EQ(At(j.KeyPos("")), "0:0");
}

// ---- values ----

TEST(LocatedJsonValueTest, TrailingCommas) {
  EXPECT_EQ(ParseOk("[1,2,]").value(), Json::parse("[1,2]"));
  EXPECT_EQ(ParseOk("{\"a\":1,}").value(), Json::parse(R"({"a":1})"));
  EXPECT_EQ(ParseOk("{\"a\": [ {\"b\": [],}, ],\n}").value(), Json::parse(R"({"a":[{"b":[]}]})"));
}

TEST(LocatedJsonValueTest, KeepsMemberOrder) {
  const LocatedJson j = ParseOk(R"({"z": 1, "a": 2, "m": 3})");
  EXPECT_EQ(j.value().dump(), R"({"z":1,"a":2,"m":3})");
}

TEST(LocatedJsonValueTest, Literals) {
  const LocatedJson j = ParseOk("[true, false, null, {}, []]");
  EXPECT_EQ(j.value().dump(), "[true,false,null,{},[]]");
}

TEST(LocatedJsonValueTest, StringEscapes) {
  const LocatedJson j = ParseOk(R"(["\"\\\/\b\f\n\r\t", "\u00e9\u4E2D\u0000x", "\uD83D\uDE00"])");
  EXPECT_EQ(j.value()[0], "\"\\/\b\f\n\r\t");
  EXPECT_EQ(j.value()[1], std::string("é中\0x", 7));
  EXPECT_EQ(j.value()[2], "😀");
}

TEST(LocatedJsonValueTest, RawUtf8IsKept) {
  const LocatedJson j = ParseOk("[\"中文 😀 é \xE2\x80\x8B\"]");
  EXPECT_EQ(j.value()[0], "中文 😀 é \xE2\x80\x8B");
}

TEST(LocatedJsonValueTest, Integers) {
  const LocatedJson j = ParseOk(
      "[0, -0, 42, -7, 9223372036854775807, -9223372036854775808, 9223372036854775808, "
      "18446744073709551615, 18446744073709551616, -9223372036854775809]");
  const Json& v = j.value();
  EXPECT_TRUE(v[0].is_number_integer() && !v[0].is_number_unsigned());
  EXPECT_EQ(v[0].get<int64_t>(), 0);
  EXPECT_EQ(v[1].get<int64_t>(), 0);
  EXPECT_TRUE(v[2].is_number_integer() && !v[2].is_number_unsigned());
  EXPECT_EQ(v[2].get<int64_t>(), 42);
  EXPECT_EQ(v[3].get<int64_t>(), -7);
  EXPECT_FALSE(v[4].is_number_unsigned());
  EXPECT_EQ(v[4].get<int64_t>(), std::numeric_limits<int64_t>::max());
  EXPECT_EQ(v[5].get<int64_t>(), std::numeric_limits<int64_t>::min());
  EXPECT_TRUE(v[6].is_number_unsigned());
  EXPECT_EQ(v[6].get<uint64_t>(), 9223372036854775808ULL);
  EXPECT_TRUE(v[7].is_number_unsigned());
  EXPECT_EQ(v[7].get<uint64_t>(), std::numeric_limits<uint64_t>::max());
  EXPECT_TRUE(v[8].is_number_float());
  EXPECT_DOUBLE_EQ(v[8].get<double>(), 18446744073709551616.0);
  EXPECT_TRUE(v[9].is_number_float());
  EXPECT_DOUBLE_EQ(v[9].get<double>(), -9223372036854775809.0);
}

TEST(LocatedJsonValueTest, Doubles) {
  const LocatedJson j =
      ParseOk("[1.0, -2.5, 1e2, 1E-2, 0.5e+1, 1.7976931348623157e308, 1e-400, -1e-400]");
  const Json& v = j.value();
  for (const Json& d : v) EXPECT_TRUE(d.is_number_float()) << d.dump();
  EXPECT_EQ(v[0].dump(), "1.0");
  EXPECT_EQ(v[1].get<double>(), -2.5);
  EXPECT_EQ(v[2].get<double>(), 100.0);
  EXPECT_EQ(v[3].get<double>(), 0.01);
  EXPECT_EQ(v[4].get<double>(), 5.0);
  EXPECT_EQ(v[5].get<double>(), std::numeric_limits<double>::max());
  EXPECT_EQ(v[6].get<double>(), 0.0);  // underflow rounds to zero
  EXPECT_TRUE(std::signbit(v[7].get<double>()));
}

TEST(LocatedJsonValueTest, DeepNestingUpToTheLimit) {
  const std::string text = std::string(256, '[') + std::string(256, ']');
  EXPECT_TRUE(ParseLocatedJson(text, "job.json").ok());
}

TEST(LocatedJsonValueTest, SameKeyInDifferentObjectsIsFine) {
  const LocatedJson j = ParseOk(R"({"a": {"a": 1}, "b": [{"a": 1}, {"a": 2}]})");
  EXPECT_EQ(j.value()["b"][1]["a"], 2);
}

// ---- errors ----

TEST(LocatedJsonErrorTest, MissingComma) {
  EXPECT_EQ(ParseError("{\n    \"a\": 1\n    \"b\": 2\n}"),
            "job.json:3:5: expected ',' or '}' after object member, found '\"'; is a ',' missing "
            "before it?");
  EXPECT_EQ(ParseError("[1 2]"),
            "job.json:1:4: expected ',' or ']' after array element, found '2'; is a ',' missing "
            "before it?");
  EXPECT_EQ(ParseError("{\"a\": 1，\"b\": 2}"),
            "job.json:1:8: expected ',' or '}' after object member, found '，' (U+FF0C)");
}

TEST(LocatedJsonErrorTest, EmptyFile) {
  EXPECT_EQ(ParseError(""), "job.json:1:1: empty file, expected a JSON object");
  EXPECT_EQ(ParseError(" \r\n\t\n"), "job.json:1:1: empty file, expected a JSON object");
  EXPECT_EQ(ParseError("\xEF\xBB\xBF"), "job.json:1:1: empty file, expected a JSON object");
  EXPECT_EQ(ParseError("// only a comment\n"),
            "job.json:2:1: expected a JSON value, found end of file");
}

TEST(LocatedJsonErrorTest, UnterminatedStringPointsAtItsStart) {
  EXPECT_EQ(ParseError("{\"a\": \"abc"),
            "job.json:1:7: unterminated string, expected a closing '\"' before the end of file");
  EXPECT_EQ(
      ParseError("{\n  \"name\": \"abc,\n  \"x\": 1\n}"),
      "job.json:2:11: unterminated string, expected a closing '\"' before the end of the line");
  EXPECT_EQ(ParseError("[\"abc\\"),
            "job.json:1:2: unterminated string, expected a closing '\"' before the end of file");
}

TEST(LocatedJsonErrorTest, Comments) {
  EXPECT_EQ(ParseError("{\"a\": 1 /* oops\n}"),
            "job.json:1:9: unterminated comment, expected '*/' to close the comment opened here");
  EXPECT_EQ(ParseError("{\"a\": 1 / }"),
            "job.json:1:10: expected '/' or '*' after '/' to start a comment, found ' '");
  EXPECT_EQ(ParseError("{\"a\": 1 /"),
            "job.json:1:10: expected '/' or '*' after '/' to start a comment, found end of file");
  // Comment markers inside strings are text.
  EXPECT_EQ(ParseOk(R"({"url": "jdbc://h/db", "c": "/* x */"})").value()["url"], "jdbc://h/db");
}

TEST(LocatedJsonErrorTest, CommasWithoutValues) {
  EXPECT_EQ(ParseError("[,]"), "job.json:1:2: expected a JSON value or ']', found ','");
  EXPECT_EQ(ParseError("[1,,2]"),
            "job.json:1:4: expected a JSON value or ']' after ',', found ','");
  EXPECT_EQ(ParseError("[1, /* c */ ,]"),
            "job.json:1:13: expected a JSON value or ']' after ',', found ','");
  EXPECT_EQ(ParseError("{,}"), "job.json:1:2: expected a string key or '}', found ','");
  EXPECT_EQ(ParseError("{\"a\":1,,}"),
            "job.json:1:8: expected a string key or '}' after ',', found ','");
  EXPECT_EQ(ParseError("{\"a\": }"), "job.json:1:7: expected a JSON value, found '}'");
}

TEST(LocatedJsonErrorTest, DuplicateKey) {
  EXPECT_EQ(ParseError("{\n  \"a\": 1,\n  \"b\": 2,\n  \"a\": 3\n}"),
            "job.json:4:3: duplicate key \"a\", first defined at line 2, column 3; "
            "expected each key once");
  EXPECT_EQ(ParseError("{\"x\": {\"名\": 1, \"\\u540D\": 2}}"),
            "job.json:1:16: duplicate key \"名\", first defined at line 1, column 8; "
            "expected each key once");
}

TEST(LocatedJsonErrorTest, LoneSurrogates) {
  EXPECT_EQ(ParseError(R"(["\uD800"])"),
            "job.json:1:3: expected a low surrogate \\uDC00-\\uDFFF after high surrogate \\uD800, "
            "found '\"'");
  EXPECT_EQ(ParseError(R"(["\uD800\u0041"])"),
            "job.json:1:3: expected a low surrogate \\uDC00-\\uDFFF after high surrogate \\uD800, "
            "found \\u0041");
  EXPECT_EQ(ParseError(R"(["x\uDC00"])"),
            "job.json:1:4: expected a high surrogate \\uD800-\\uDBFF before low surrogate \\uDC00, "
            "found it unpaired");
}

TEST(LocatedJsonErrorTest, BadEscapes) {
  EXPECT_EQ(ParseError(R"(["C:\dir"])"),
            "job.json:1:5: expected an escape (\\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX) after "
            "'\\', found 'd' (write a backslash as \\\\)");
  EXPECT_EQ(ParseError(R"(["\u12G4"])"),
            "job.json:1:7: expected 4 hex digits after '\\u', found 'G'");
  EXPECT_EQ(ParseError(R"(["\u12"])"),
            "job.json:1:7: expected 4 hex digits after '\\u', found '\"'");
}

TEST(LocatedJsonErrorTest, InvalidUtf8InString) {
  EXPECT_EQ(ParseError("[\"a\xFF"
                       "b\"]"),
            "job.json:1:4: expected UTF-8 text in string, found invalid byte sequence 0xFF");
  EXPECT_EQ(ParseError("[\"中\xE4\xB8\"]"),
            "job.json:1:4: expected UTF-8 text in string, found invalid byte sequence 0xE4 0xB8");
  EXPECT_EQ(ParseError("[\"\xC0\xAF\"]"),  // overlong '/'
            "job.json:1:3: expected UTF-8 text in string, found invalid byte sequence 0xC0 0xAF");
  EXPECT_EQ(ParseError("[\"\xED\xA0\x80\"]"),  // an encoded surrogate
            "job.json:1:3: expected UTF-8 text in string, found invalid byte sequence "
            "0xED 0xA0 0x80");
  EXPECT_EQ(ParseError("[\"\xF4\x90\x80\x80\"]"),  // above U+10FFFF
            "job.json:1:3: expected UTF-8 text in string, found invalid byte sequence "
            "0xF4 0x90 0x80 0x80");
  // Outside strings, bytes in comments are not checked.
  EXPECT_TRUE(ParseLocatedJson("// caf\xE9\n{}", "job.json").ok());
  EXPECT_EQ(ParseError("{\xFF}"), "job.json:1:2: expected a string key or '}', found byte 0xFF");
}

TEST(LocatedJsonErrorTest, ControlCharacterInString) {
  EXPECT_EQ(ParseError("[\"a\tb\"]"),
            "job.json:1:4: expected control characters in strings to be escaped, found raw "
            "U+0009 (tab; write \\t)");
  EXPECT_EQ(ParseError(std::string_view("[\"a\x01\"]")),
            "job.json:1:4: expected control characters in strings to be escaped, found raw U+0001");
  EXPECT_EQ(ParseError(std::string_view("[\"\0\"]", 5)),
            "job.json:1:3: expected control characters in strings to be escaped, found raw U+0000");
}

TEST(LocatedJsonErrorTest, Numbers) {
  EXPECT_EQ(ParseError("[01]"),
            "job.json:1:2: expected a number without leading zeros, found '01'");
  EXPECT_EQ(ParseError("[-007]"),
            "job.json:1:2: expected a number without leading zeros, found '-007'");
  EXPECT_EQ(ParseError("[-]"), "job.json:1:3: expected a digit after '-', found ']'");
  EXPECT_EQ(ParseError("[1.]"), "job.json:1:4: expected a digit after '.' in number, found ']'");
  EXPECT_EQ(ParseError("[1e]"),
            "job.json:1:4: expected a digit in the exponent of number, found ']'");
  EXPECT_EQ(ParseError("[1e+]"),
            "job.json:1:5: expected a digit in the exponent of number, found ']'");
  EXPECT_EQ(ParseError("[+1]"), "job.json:1:2: expected a JSON value or ']', found '+'");
  EXPECT_EQ(ParseError("[.5]"), "job.json:1:2: expected a JSON value or ']', found '.'");
  EXPECT_EQ(ParseError("{\"a\":\n  1e400}"),
            "job.json:2:3: expected a number within the range of a double, found '1e400'");
  EXPECT_EQ(ParseError("[-1.5E+999]"),
            "job.json:1:2: expected a number within the range of a double, found '-1.5E+999'");
}

TEST(LocatedJsonErrorTest, BareWords) {
  EXPECT_EQ(ParseError("[True]"),
            "job.json:1:2: expected a JSON value or ']', found 'True' (JSON literals are "
            "lowercase: true, false, null)");
  EXPECT_EQ(ParseError("{\"a\": tru}"), "job.json:1:7: expected a JSON value, found 'tru'");
  EXPECT_EQ(ParseError("{\"a\": nulll}"), "job.json:1:7: expected a JSON value, found 'nulll'");
  EXPECT_EQ(ParseError("{\"a\": NaN}"),
            "job.json:1:7: expected a JSON value, found 'NaN' (JSON has no NaN or Infinity)");
  EXPECT_EQ(ParseError("{\"a\": mysql}"),
            "job.json:1:7: expected a JSON value, found 'mysql' (JSON strings are written in "
            "double quotes)");
  EXPECT_EQ(ParseError("{\"a\": 'x'}"),
            "job.json:1:7: expected a JSON value, found \"'\" (JSON strings are written in double "
            "quotes)");
  EXPECT_EQ(ParseError("{name: 1}"),
            "job.json:1:2: expected a string key or '}', found 'name' (object keys are written "
            "in double quotes)");
  EXPECT_EQ(ParseError("{\"a\" 1}"), "job.json:1:6: expected ':' after object key, found '1'");
}

TEST(LocatedJsonErrorTest, UnclosedContainersAndTrailingText) {
  EXPECT_EQ(ParseError("{\"a\": [1, 2"),
            "job.json:1:12: expected ',' or ']' after array element, found end of file (the array "
            "opened at 1:7 is not closed)");
  EXPECT_EQ(ParseError("{\n\"a\": 1,\n"),
            "job.json:3:1: expected a string key or '}' after ',', found end of file (the object "
            "opened at 1:1 is not closed)");
  EXPECT_EQ(ParseError("[1,\n"),
            "job.json:2:1: expected a JSON value or ']' after ',', found end of file (the array "
            "opened at 1:1 is not closed)");
  EXPECT_EQ(ParseError("{} {}"),
            "job.json:1:4: expected end of file after the JSON value, found '{'");
  EXPECT_EQ(ParseError("{\"a\": 1}}"),
            "job.json:1:9: expected end of file after the JSON value, found '}'");
}

TEST(LocatedJsonErrorTest, DepthLimit) {
  const std::string too_deep = std::string(257, '[') + std::string(257, ']');
  EXPECT_EQ(ParseError(too_deep),
            "job.json:1:257: expected at most 256 nested arrays and objects, found deeper nesting");
  const std::string way_too_deep = std::string(1'000'000, '[');
  EXPECT_EQ(ParseError(way_too_deep),
            "job.json:1:257: expected at most 256 nested arrays and objects, found deeper nesting");
  std::string objects;
  for (int i = 0; i < 300; ++i) objects += "{\"a\":\n";
  EXPECT_EQ(ParseError(objects),
            "job.json:257:1: expected at most 256 nested arrays and objects, found deeper nesting");
}

TEST(LocatedJsonErrorTest, FileNameIsUsed) {
  const Result<LocatedJson> r = ParseLocatedJson("[1 2]", "jobs/orders.json");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "jobs/orders.json:1:4: expected ',' or ']' after array element, found '2'; is a ',' "
            "missing before it?");
}

// ---- messages and paths ----

TEST(LocatedJsonFormatTest, FormatPointsAtValueOrKey) {
  const LocatedJson j = ParseOk(
      "{\"job\": {\n"
      "  \"setting\": {\"speed\": {\"channel\": \"3\"}},\n"
      "  \"settting\": 1}}");
  EXPECT_EQ(j.Format("job.setting.speed.channel", "expected an integer, found a string"),
            "job.json:2:36: job.setting.speed.channel: expected an integer, found a string");
  EXPECT_EQ(j.FormatKey("job.settting", "unknown key; did you mean setting?"),
            "job.json:3:3: job.settting: unknown key; did you mean setting?");
  EXPECT_EQ(j.Format("job.settting", "x"), "job.json:3:15: job.settting: x");
  EXPECT_EQ(j.Format("", "expected a DataX or DataWorks job"),
            "job.json:1:1: expected a DataX or DataWorks job");
  EXPECT_EQ(j.Format("job.content", "required key is missing"),
            "job.json:1:9: job.content: required key is missing");
  EXPECT_EQ(j.FormatKey("job.content", "required key is missing"),
            "job.json:1:9: job.content: required key is missing");
}

TEST(LocatedJsonPathTest, JoinPath) {
  EXPECT_EQ(JoinPath("steps[0]", "parameter"), "steps[0].parameter");
  EXPECT_EQ(JoinPath("", "job"), "job");
  EXPECT_EQ(JoinPath("a", "x.y"), "a[\"x.y\"]");
  EXPECT_EQ(JoinPath("", "x.y"), "[\"x.y\"]");
  EXPECT_EQ(JoinPath("a", "_b9"), "a._b9");
  EXPECT_EQ(JoinPath("a", "9b"), "a[\"9b\"]");
  EXPECT_EQ(JoinPath("a", ""), "a[\"\"]");
  EXPECT_EQ(JoinPath("a", "q\"b\\c"), "a[\"q\\\"b\\\\c\"]");
  EXPECT_EQ(JoinPath("a", "tab\there\n"), "a[\"tab\\there\\n\"]");
  EXPECT_EQ(JoinPath("a", std::string_view("\x01", 1)), "a[\"\\u0001\"]");
  EXPECT_EQ(JoinPath("a", "名称"), "a[\"名称\"]");
  EXPECT_EQ(JoinPath("a", "split-pk"), "a[\"split-pk\"]");
}

TEST(LocatedJsonPathTest, IndexPath) {
  EXPECT_EQ(IndexPath("column", 2), "column[2]");
  EXPECT_EQ(IndexPath("", 0), "[0]");
  EXPECT_EQ(JoinPath(IndexPath("steps", 0), "parameter"), "steps[0].parameter");
  EXPECT_EQ(IndexPath(JoinPath("a", "x.y"), 10), "a[\"x.y\"][10]");
}

TEST(LocatedJsonPathTest, JoinedPathsFindEveryKey) {
  const std::string keys[] = {"plain", "x.y", "q\"b\\c", "tab\t", "名称", "", "[0]", "a b"};
  Json doc = Json::object();
  for (const std::string& k : keys) doc[k] = Json::array({1, 2});
  const LocatedJson j = ParseOk(doc.dump(2));
  for (const std::string& k : keys) {
    const std::string path = JoinPath("", k);
    EXPECT_EQ(j.KeyPos(path).col, 3) << path;
    EXPECT_EQ(j.ValuePos(IndexPath(path, 1)).col, 5) << path;
    EXPECT_NE(At(j.ValuePos(path)), At(j.ValuePos(""))) << path;
  }
}

// ---- files ----

TEST(LocatedJsonFileTest, ReadsAFile) {
  const std::string path = testing::TempDir() + "located_json_test_job.json";
  std::FILE* f = std::fopen(path.c_str(), "wb");
  ASSERT_NE(f, nullptr);
  const std::string text = "// a job\n{\"job\": {},}\n";
  std::fwrite(text.data(), 1, text.size(), f);
  std::fclose(f);
  const Result<LocatedJson> r = ReadLocatedJsonFile(path);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->file(), path);
  EXPECT_EQ(r->Format("job", "m"), path + ":2:9: job: m");
  std::remove(path.c_str());
}

TEST(LocatedJsonFileTest, ParseErrorNamesTheFile) {
  const std::string path = testing::TempDir() + "located_json_test_bad.json";
  std::FILE* f = std::fopen(path.c_str(), "wb");
  ASSERT_NE(f, nullptr);
  std::fputs("{\n  \"a\" 1\n}", f);
  std::fclose(f);
  const Result<LocatedJson> r = ReadLocatedJsonFile(path);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), path + ":2:7: expected ':' after object key, found '1'");
  std::remove(path.c_str());
}

TEST(LocatedJsonFileTest, MissingFileIsNotFound) {
  const std::string path = testing::TempDir() + "located_json_test_does_not_exist.json";
  const Result<LocatedJson> r = ReadLocatedJsonFile(path);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  EXPECT_NE(r.status().message().find(path), std::string::npos) << r.status().message();
}

TEST(LocatedJsonFileTest, DirectoryIsIOError) {
  const Result<LocatedJson> r = ReadLocatedJsonFile(testing::TempDir());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kIOError);
  EXPECT_NE(r.status().message().find(testing::TempDir()), std::string::npos);
}

}  // namespace
}  // namespace ferry
