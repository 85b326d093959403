// The ferry command line as a user meets it: parameters, templates, the schema, validation
// errors with their locations and exit codes, and stream jobs in both layouts.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/support/ferry_cli.h"

namespace ferry::testing {
namespace {

using ::testing::HasSubstr;

const char* kStreamJobV2 = R"({
  "type": "job", "version": "2.0",
  "steps": [
    {"stepType": "stream", "category": "reader", "name": "Reader",
     "parameter": {"column": [{"type": "long", "value": "7"},
                              {"type": "string", "value": "day ${bizdate}"}],
                   "sliceRecordCount": 3}},
    {"stepType": "stream", "category": "writer", "name": "Writer",
     "parameter": {"print": true, "fieldDelimiter": ","}}
  ],
  "setting": {"speed": {"concurrent": 2}, "errorLimit": {"record": 0}},
  "order": {"hops": [{"from": "Reader", "to": "Writer"}]}
})";

const char* kStreamJobDataX = R"({
  // the same job as DataX wrote it, comments and trailing commas included
  "job": {
    "setting": {"speed": {"channel": 2}, "errorLimit": {"record": 0},},
    "content": [{
      "reader": {"name": "streamreader",
                 "parameter": {"column": [{"type": "long", "value": "7"},
                                          {"type": "string", "value": "day ${bizdate}"}],
                               "sliceRecordCount": 3}},
      "writer": {"name": "streamwriter", "parameter": {"print": true, "fieldDelimiter": ","}}
    }]
  }
})";

TEST(ParamsCommand, RendersTheWorkedExampleOfTheDesign) {
  CliResult r = RunFerry({"params", "--cyctime", "2025-11-01 02:30:45", "--raw", "$[yyyy-mm-dd]",
                          "${yyyy-mm-dd}", "$[hh24:mi:ss-1/24]", "$bizdate", "$cyctime",
                          "${yyyymmdd-1}", "$[add_months(yyyymmdd,-1)]"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out,
            "2025-11-01\n2025-10-31\n01:30:45\n20251031\n20251101023045\n20251030\n20251001\n");
}

TEST(ParamsCommand, BizdateAloneMeansTheNextDayAtMidnight) {
  CliResult r =
      RunFerry({"params", "--bizdate", "20240229", "$[yyyy-mm-dd hh24:mi:ss]", "${yyyymmdd}"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "$[yyyy-mm-dd hh24:mi:ss] = 2024-03-01 00:00:00\n${yyyymmdd} = 20240229\n");
}

TEST(ParamsCommand, BadExpressionIsExitTwo) {
  CliResult r = RunFerry({"params", "--cyctime", "2025-11-01 02:30:45", "$[hh24-1/25]"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("$[hh24-1/25]"));
}

TEST(RunCommand, StreamJobPrintsEveryRecordAndExactSummary) {
  TempDir dir;
  WriteTextFile(dir / "job.json", kStreamJobV2);
  CliResult r = RunFerry({"run", dir / "job.json", "-p", "bizdate=20251031", "--summary-json",
                          dir / "summary.json", "--run-dir", dir / "run"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::string expected;
  for (int k = 0; k < 6; ++k) expected += "7,day 20251031\n";
  EXPECT_EQ(r.out, expected);
  auto summary = nlohmann::json::parse(ReadTextFile(dir / "summary.json"));
  EXPECT_EQ(summary["status"], "SUCCEEDED");
  EXPECT_EQ(summary["records_read"], 6);
  EXPECT_EQ(summary["records_written"], 6);
  EXPECT_EQ(summary["dirty_records"], 0);
  EXPECT_EQ(summary["splits_total"], 2);
  EXPECT_EQ(summary["splits_done"], 2);
  EXPECT_TRUE(summary["error"].is_null());
  EXPECT_THAT(r.err, HasSubstr("Job status            : SUCCEEDED"));
  EXPECT_THAT(r.err, HasSubstr("Records written       : 6"));
}

TEST(RunCommand, DataXAndDataWorksLayoutsGiveTheSameResult) {
  TempDir dir;
  WriteTextFile(dir / "v2.json", kStreamJobV2);
  WriteTextFile(dir / "datax.json", kStreamJobDataX);
  CliResult a = RunFerry({"run", dir / "v2.json", "--bizdate", "20251031", "--run-dir", dir / "a"});
  CliResult b =
      RunFerry({"run", dir / "datax.json", "--bizdate", "20251031", "--run-dir", dir / "b"});
  ASSERT_EQ(a.exit_code, 0) << a.err;
  ASSERT_EQ(b.exit_code, 0) << b.err;
  EXPECT_EQ(a.out, b.out);
  CliResult pa = RunFerry({"check", dir / "v2.json", "--bizdate", "20251031", "--print"});
  CliResult pb = RunFerry({"check", dir / "datax.json", "--bizdate", "20251031", "--print"});
  ASSERT_EQ(pa.exit_code, 0) << pa.err;
  EXPECT_EQ(pa.out, pb.out);
}

TEST(CheckCommand, MisspelledKeyIsLocatedWithASuggestion) {
  TempDir dir;
  WriteTextFile(dir / "job.json", R"({"type": "job", "version": "2.0",
  "steps": [
    {"stepType": "stream", "category": "reader", "name": "Reader",
     "parameter": {"column": [{"type": "long", "value": "1"}], "slicerecordcount": 3}},
    {"stepType": "stream", "category": "writer", "name": "Writer", "parameter": {}}
  ],
  "order": {"hops": [{"from": "Reader", "to": "Writer"}]}})");
  // sliceRecordCount is required, so the misspelling leaves the job invalid; the warning about
  // the misspelt key says why.
  CliResult r = RunFerry({"check", dir / "job.json"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr(dir / "job.json" + ":4:64: warning: steps[0].parameter."
                                                  "slicerecordcount: unknown parameter, ignored; "
                                                  "did you mean sliceRecordCount?"));
}

TEST(CheckCommand, UnknownKeyIsAWarningAndStrictMakesItAnError) {
  TempDir dir;
  WriteTextFile(dir / "job.json", R"({"type": "job", "version": "2.0",
  "steps": [
    {"stepType": "stream", "category": "reader", "name": "Reader",
     "parameter": {"column": [{"type": "long", "value": "1"}], "sliceRecordCount": 3,
                   "envType": 1}},
    {"stepType": "stream", "category": "writer", "name": "Writer", "parameter": {}}
  ],
  "setting": {"errorLimit": {"record": ""}, "speed": {"concurrent": "2"}},
  "order": {"hops": [{"from": "Reader", "to": "Writer"}]}})");
  CliResult r = RunFerry({"check", dir / "job.json"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr(dir / "job.json" + ":5:20: warning: steps[0].parameter.envType: "
                                                  "ignored parameter"));
  EXPECT_THAT(r.err, HasSubstr("2 channel(s), 1 warning(s); --strict makes them errors"));
  CliResult strict = RunFerry({"check", "--strict", dir / "job.json"});
  EXPECT_EQ(strict.exit_code, 2);
  EXPECT_THAT(strict.err, HasSubstr(dir / "job.json" + ":5:20: steps[0].parameter.envType: "
                                                       "ignored parameter"));
  CliResult run = RunFerry({"run", "--strict", dir / "job.json", "--run-dir", dir / "run"});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_FALSE(FileExists(dir / "run"));
}

TEST(CheckCommand, DataxPyParameterListIsAccepted) {
  // datax.py -p "-Dbizdate=20251031 -Dregion=cn", beside Ferry's own -p NAME=VALUE.
  TempDir dir;
  WriteTextFile(dir / "job.json", R"({"job": {"content": [{
  "reader": {"name": "streamreader", "parameter": {"sliceRecordCount": 1,
             "column": [{"type": "string", "value": "${region}-${bizdate}-${shard}"}]}},
  "writer": {"name": "streamwriter", "parameter": {"print": true}}}],
  "setting": {"speed": {"channel": 1}}}})");
  CliResult r = RunFerry({"run", dir / "job.json", "--run-dir", dir / "run", "-p",
                          "-Dbizdate=20251031 -Dregion=cn", "-p", "shard=7"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "cn-20251031-7\n");
  CliResult bad = RunFerry({"check", dir / "job.json", "-p", "-Dbizdate=20251031 region=cn"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_THAT(bad.err, HasSubstr("expected -DNAME=VALUE items"));
}

TEST(CheckCommand, MalformedJsonNamesLineAndColumn) {
  TempDir dir;
  WriteTextFile(dir / "job.json", "{\n  \"type\": \"job\"\n  \"steps\": []\n}\n");
  CliResult r = RunFerry({"check", dir / "job.json"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr(dir / "job.json:3:3:"));
}

TEST(CheckCommand, UndefinedVariablesAreAllNamed) {
  TempDir dir;
  std::string job = kStreamJobV2;
  job.replace(job.find("day ${bizdate}"), 14, "${region}-${shard}");
  WriteTextFile(dir / "job.json", job);
  CliResult r = RunFerry({"run", dir / "job.json", "--run-dir", dir / "run"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("${region}"));
  EXPECT_THAT(r.err, HasSubstr("${shard}"));
  EXPECT_FALSE(FileExists(dir / "run"));
}

TEST(CheckCommand, UnknownPluginSuggestsTheClosestOne) {
  TempDir dir;
  std::string job = kStreamJobV2;
  job.replace(job.find("\"stream\""), 8, "\"streem\"");
  WriteTextFile(dir / "job.json", job);
  CliResult r = RunFerry({"check", dir / "job.json"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err,
              HasSubstr("steps[0].stepType: unknown plugin \"streem\"; did you mean stream?"));
}

TEST(CheckCommand, ThrottleWithMbpsBelowOneIsRefused) {
  TempDir dir;
  std::string job = kStreamJobV2;
  job.replace(job.find("\"concurrent\": 2"), 15,
              "\"concurrent\": 2, \"throttle\": true, \"mbps\": 0.5");
  WriteTextFile(dir / "job.json", job);
  CliResult r = RunFerry({"check", dir / "job.json"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("setting.speed.mbps: throttle is true, so mbps must be"));
}

TEST(TemplateCommand, SkeletonIsAValidJobWithEveryParameter) {
  CliResult t = RunFerry({"template", "stream", "stream"});
  ASSERT_EQ(t.exit_code, 0) << t.err;
  EXPECT_THAT(t.out, HasSubstr("\"sliceRecordCount\""));
  EXPECT_THAT(t.out, HasSubstr("\"fieldDelimiter\""));
  EXPECT_THAT(t.out, HasSubstr("// Reader \"stream\" parameters"));
  CliResult c = RunFerry({"check", "-"}, "", t.out);  // ferry template ... | ferry check -
  EXPECT_EQ(c.exit_code, 0) << c.err;
  EXPECT_THAT(c.err, HasSubstr("<stdin>: OK (stream -> stream"));
}

TEST(TemplateCommand, UnknownPluginIsExitTwo) {
  CliResult t = RunFerry({"template", "nosuch", "stream"});
  EXPECT_EQ(t.exit_code, 2);
  EXPECT_THAT(t.err, HasSubstr("no reader plugin \"nosuch\""));
}

TEST(SchemaCommand, DescribesEveryPluginParameter) {
  CliResult r = RunFerry({"schema"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto schema = nlohmann::json::parse(r.out);
  EXPECT_EQ(schema["$schema"], "https://json-schema.org/draft/2020-12/schema");
  EXPECT_THAT(r.out, HasSubstr("\"sliceRecordCount\""));
  EXPECT_THAT(r.out, HasSubstr("\"splitPk\""));
  EXPECT_THAT(r.out, HasSubstr("\"nullFormat\""));
  EXPECT_THAT(r.out, HasSubstr("\"commitMarker\""));
  // A DataWorks processor step validates in an editor as it runs here.
  EXPECT_THAT(r.out, HasSubstr("\"processor\""));
}

TEST(PluginsCommand, ListsTheFirstWave) {
  CliResult r = RunFerry({"plugins"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const char* name : {"stream", "txtfile", "sqlite"}) EXPECT_THAT(r.out, HasSubstr(name));
}

}  // namespace
}  // namespace ferry::testing
