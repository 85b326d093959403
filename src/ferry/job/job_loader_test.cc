// The job loader (DESIGN 2 and 3): both layouts give one JobModel, and every mistake a user can
// make in a job file is reported as "file:line:col: json.path: what was expected" before any
// source or destination is touched.
#include "ferry/job/job_loader.h"

#include <gtest/gtest.h>

#include <string>

namespace ferry {

PluginInfo StreamPluginInfo();  // plugins/stream/stream_plugin.cc

namespace {

// A database-like plugin with the parameters a user misspells most (splitPk, writeMode...).
PluginInfo RdbmsPluginInfo() {
  PluginInfo info;
  info.name = "rdbms";
  info.description = "a database (tests)";
  info.make_reader = [] { return std::unique_ptr<Reader>(); };
  info.reader_params = {
      {.name = "table",
       .type = ParamType::kStringOrList,
       .required = true,
       .description = "tables to read"},
      {.name = "column",
       .type = ParamType::kStringList,
       .default_value = {"*"},
       .description = "columns"},
      {.name = "where", .type = ParamType::kString, .description = "filter"},
      {.name = "splitPk", .type = ParamType::kString, .description = "integer key to split on"},
      {.name = "fetchSize",
       .type = ParamType::kInteger,
       .default_value = 1024,
       .description = "rows per fetch"},
      {.name = "password", .type = ParamType::kString, .description = "password"},
      {.name = "querySql",
       .type = ParamType::kStringOrList,
       .description = "queries",
       .aliases = {"querysql"}},
  };
  info.split_pk = true;
  info.make_writer = [] { return std::unique_ptr<Writer>(); };
  info.writer_params = {
      {.name = "table",
       .type = ParamType::kString,
       .required = true,
       .description = "table to write"},
      {.name = "writeMode",
       .type = ParamType::kString,
       .default_value = "insert",
       .description = "how rows are written",
       .allowed = {"insert", "replace", "update"}},
      {.name = "batchSize",
       .type = ParamType::kInteger,
       .default_value = 1000,
       .description = "rows per statement"},
      {.name = "preSql", .type = ParamType::kStringOrList, .description = "SQL run first"},
  };
  info.transactional = true;
  return info;
}

// A plugin that only reads.
PluginInfo SourceOnlyPluginInfo() {
  PluginInfo info;
  info.name = "sourceonly";
  info.make_reader = [] { return std::unique_ptr<Reader>(); };
  return info;
}

const Registry& TestRegistry() {
  static const Registry* registry = [] {
    auto* r = new Registry();
    r->Add(RdbmsPluginInfo());
    r->Add(StreamPluginInfo());
    r->Add(SourceOnlyPluginInfo());
    return r;
  }();
  return *registry;
}

// The worked example of DESIGN 3: scheduled 2025-11-01 02:30:45, bizdate 20251031.
ParameterSet Params(std::vector<std::string> assignments = {}) {
  ParameterSet params(CivilTime{2025, 11, 1, 2, 30, 45});
  for (const std::string& a : assignments) EXPECT_TRUE(params.Add(a).ok()) << a;
  return params;
}

Result<LoadedJob> Load(std::string_view text, const ParameterSet& params = Params()) {
  return LoadJobText(text, "jobs/orders.json", params, TestRegistry());
}

JobModel LoadOk(std::string_view text, const ParameterSet& params = Params()) {
  Result<LoadedJob> r = Load(text, params);
  EXPECT_TRUE(r.ok()) << r.status().message();
  return r.ok() ? r->model : JobModel();
}

// Every error, one per line, as the user sees it.
std::string LoadError(std::string_view text, const ParameterSet& params = Params()) {
  Result<LoadedJob> r = Load(text, params);
  EXPECT_FALSE(r.ok()) << "loaded: " << std::string(text);
  if (r.ok()) return "";
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  return r.status().message();
}

// The warnings of a job that loads, one per line.
std::string LoadWarnings(std::string_view text) {
  Result<LoadedJob> r = Load(text, Params());
  EXPECT_TRUE(r.ok()) << r.status().message();
  if (!r.ok()) return "";
  std::string out;
  for (const std::string& w : r->warnings) out += (out.empty() ? "" : "\n") + w;
  return out;
}

// The errors of a job loaded with --strict.
std::string StrictError(std::string_view text) {
  LoadOptions options;
  options.strict = true;
  Result<LoadedJob> r = LoadJobText(text, "jobs/orders.json", Params(), TestRegistry(), options);
  EXPECT_FALSE(r.ok());
  return r.ok() ? "" : r.status().message();
}

std::string Replace(std::string text, std::string_view from, std::string_view to) {
  size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

// One job in both layouts. Line and column numbers below refer to these texts.
constexpr std::string_view kDataWorks = R"({
  "type": "job", "version": "2.0",
  "steps": [
    {"stepType": "rdbms", "category": "reader", "name": "Reader",
     "parameter": {"table": ["orders"], "column": ["id", "amount"], "splitPk": "id"}},
    {"stepType": "rdbms", "category": "writer", "name": "Writer",
     "parameter": {"table": "ods.orders", "writeMode": "replace"}}
  ],
  "setting": {"executeMode": null,
              "speed": {"concurrent": 3, "throttle": true, "mbps": 2, "record": 10000},
              "errorLimit": {"record": 5, "percentage": 0.02}},
  "order": {"hops": [{"from": "Reader", "to": "Writer"}]}
}
)";

constexpr std::string_view kDataX = R"({
  "job": {
    "setting": {"speed": {"channel": 3, "byte": 2097152, "record": 10000},
                "errorLimit": {"record": "5", "percentage": 0.02}},
    "content": [{
      "reader": {"name": "rdbmsreader",
                 "parameter": {"table": ["orders"], "column": ["id", "amount"], "splitPk": "id"}},
      "writer": {"name": "rdbmswriter", "parameter": {"table": "ods.orders", "writeMode": "REPLACE"}}
    }]
  }
}
)";

// ---- One model for both layouts

TEST(JobLoaderTest, BothLayoutsGiveTheSameJobModel) {
  JobModel dataworks = LoadOk(kDataWorks);
  JobModel datax = LoadOk(kDataX);
  EXPECT_EQ(dataworks.layout, "dataworks");
  EXPECT_EQ(datax.layout, "datax");
  EXPECT_EQ(dataworks.ToJson(false).dump(2), datax.ToJson(false).dump(2));
}

TEST(JobLoaderTest, ModelHoldsNormalizedStepsAndDefaults) {
  JobModel m = LoadOk(kDataX);
  EXPECT_EQ(m.file, "jobs/orders.json");
  EXPECT_EQ(m.reader.name, "Reader");
  EXPECT_EQ(m.reader.plugin, "rdbms");  // the DataX name, normalized
  EXPECT_EQ(m.reader.path, "job.content[0].reader");
  EXPECT_EQ(m.writer.plugin, "rdbms");
  EXPECT_EQ(m.reader.parameter["fetchSize"], 1024);       // default filled in
  EXPECT_EQ(m.writer.parameter["writeMode"], "replace");  // allowed value, normalized
  EXPECT_EQ(m.writer.parameter["batchSize"], 1000);
  EXPECT_FALSE(m.reader.parameter.contains("where"));  // no default: left out
}

TEST(JobLoaderTest, DataXSpeedAndErrorLimitMapOntoTheJobSettings) {
  JobModel m = LoadOk(kDataX);
  EXPECT_EQ(m.setting.concurrent, 3);                // channel
  EXPECT_EQ(m.setting.bytes_per_second, 2097152.0);  // byte: job-global bytes/s
  EXPECT_EQ(m.setting.records_per_second, 10000.0);  // record
  EXPECT_EQ(m.setting.error_limit_records, 5);       // "5" as DataWorks writes it
  EXPECT_EQ(m.setting.error_limit_percentage, 0.02);
  EXPECT_EQ(m.setting.execute_mode, "");
}

TEST(JobLoaderTest, DataWorksThrottleIsInMegabytesPerSecond) {
  JobModel m = LoadOk(kDataWorks);
  EXPECT_EQ(m.setting.bytes_per_second, 2.0 * 1024 * 1024);
  JobModel unthrottled =
      LoadOk(Replace(std::string(kDataWorks), "\"throttle\": true", "\"throttle\": false"));
  EXPECT_EQ(unthrottled.setting.bytes_per_second, 0);  // mbps counts only with throttle
}

TEST(JobLoaderTest, ErrorLimitRecordAsTextZeroFailsOnTheFirst) {
  JobModel m = LoadOk(Replace(std::string(kDataX), "\"record\": \"5\"", "\"record\": \"0\""));
  ASSERT_TRUE(m.setting.error_limit_records.has_value());
  EXPECT_EQ(*m.setting.error_limit_records, 0);
}

TEST(JobLoaderTest, NoErrorLimitMeansDirtyRecordsAreAllowed) {
  JobModel m =
      LoadOk(Replace(std::string(kDataWorks),
                     ",\n              \"errorLimit\": {\"record\": 5, \"percentage\": 0.02}", ""));
  EXPECT_FALSE(m.setting.error_limit_records.has_value());
  EXPECT_FALSE(m.setting.error_limit_percentage.has_value());
}

TEST(JobLoaderTest, CommentsAndTrailingCommasAreAccepted) {
  JobModel m = LoadOk(R"({
  // a DataX job as users write them
  "job": {
    "setting": {"speed": {"channel": 2,},},  /* two channels */
    "content": [{
      "reader": {"name": "streamreader",
                 "parameter": {"column": [{"type": "long", "value": "1"},], "sliceRecordCount": 3,}},
      "writer": {"name": "streamwriter", "parameter": {"print": false,},},
    },],
  },
}
)");
  EXPECT_EQ(m.setting.concurrent, 2);
  EXPECT_EQ(m.reader.plugin, "stream");
  EXPECT_EQ(m.reader.parameter["sliceRecordCount"], 3);
  EXPECT_EQ(m.writer.parameter["print"], false);
}

TEST(JobLoaderTest, OrderMayBeLeftOutWithOneReaderAndOneWriter) {
  JobModel m = LoadOk(
      Replace(std::string(kDataWorks),
              ",\n  \"order\": {\"hops\": [{\"from\": \"Reader\", \"to\": \"Writer\"}]}", ""));
  EXPECT_EQ(m.reader.name, "Reader");
}

TEST(JobLoaderTest, SavedModelReadsBackUnchanged) {
  // What a run directory's job.json holds, and what --resume runs.
  for (std::string_view text : {kDataWorks, kDataX}) {
    JobModel m = LoadOk(text);
    Result<JobModel> back = JobModel::FromJson(m.ToJson(false), m.file);
    ASSERT_TRUE(back.ok()) << back.status().message();
    EXPECT_EQ(back->ToJson(false), m.ToJson(false));
    EXPECT_EQ(back->setting.bytes_per_second, m.setting.bytes_per_second);
  }
}

TEST(JobLoaderTest, PrintedJobOfASlowDataXLimitIsItselfAValidJob) {
  // `byte` below 1 MB/s cannot be written as mbps (which must be at least 1).
  std::string text = Replace(std::string(kDataX), "\"byte\": 2097152", "\"byte\": 500000");
  JobModel m = LoadOk(text);
  EXPECT_EQ(m.setting.bytes_per_second, 500000);
  std::string printed = m.ToJson(false).dump(2);
  JobModel again = LoadOk(printed);
  EXPECT_EQ(again.setting.bytes_per_second, 500000);
  Result<JobModel> saved = JobModel::FromJson(m.ToJson(false), m.file);
  ASSERT_TRUE(saved.ok());
  EXPECT_EQ(saved->setting.bytes_per_second, 500000);
}

TEST(JobLoaderTest, PasswordsAreMaskedInThePrintedJob) {
  JobModel m = LoadOk(Replace(std::string(kDataWorks), "\"splitPk\": \"id\"",
                              "\"splitPk\": \"id\", \"password\": \"s3cret\""));
  EXPECT_EQ(m.reader.parameter["password"], "s3cret");  // the run needs it
  std::string printed = m.ToJson(true).dump();
  EXPECT_EQ(printed.find("s3cret"), std::string::npos) << printed;
  EXPECT_NE(printed.find("\"password\":\"******\""), std::string::npos) << printed;
}

TEST(JobLoaderTest, AliasIsRenamedToTheParameterName) {
  JobModel m = LoadOk(Replace(std::string(kDataWorks), "\"splitPk\": \"id\"",
                              "\"splitPk\": \"id\", \"querysql\": \"select 1\""));
  EXPECT_EQ(m.reader.parameter["querySql"], "select 1");
  EXPECT_FALSE(m.reader.parameter.contains("querysql"));
}

// ---- Scheduling parameters

TEST(JobLoaderTest, SchedulingParametersAreSubstitutedInParameterStrings) {
  std::string text = Replace(std::string(kDataWorks), "\"splitPk\": \"id\"",
                             "\"splitPk\": \"id\", \"where\": \"dt = '${bizdate}' and "
                             "ts < '$[yyyy-mm-dd hh24:mi:ss]' and d >= '$[yyyymmdd-1]' and "
                             "w >= '${yyyymmdd-7}' and region = '${region}'\"");
  text = Replace(text, "\"table\": \"ods.orders\"", "\"table\": \"ods.orders_${bizdate}\"");
  JobModel m = LoadOk(text, Params({"region=cn-east"}));
  EXPECT_EQ(m.reader.parameter["where"],
            "dt = '20251031' and ts < '2025-11-01 02:30:45' and d >= '20251031' and "
            "w >= '20251024' and region = 'cn-east'");
  EXPECT_EQ(m.writer.parameter["table"], "ods.orders_20251031");
}

TEST(JobLoaderTest, ParameterMayHoldAnExpressionAndFeedANumber) {
  // -p n=10 fills an integer parameter; -p d=$[yyyymmdd] is rendered against the cyctime.
  std::string text =
      Replace(std::string(kDataWorks), "\"splitPk\": \"id\"",
              "\"splitPk\": \"id\", \"fetchSize\": \"${n}\", \"where\": \"d = ${d}\"");
  JobModel m = LoadOk(text, Params({"n=10", "d=$[yyyymmdd]"}));
  EXPECT_EQ(m.reader.parameter["fetchSize"], 10);
  EXPECT_EQ(m.reader.parameter["where"], "d = 20251101");
}

TEST(JobLoaderTest, UndefinedPlaceholdersAreAllListed) {
  std::string text =
      Replace(std::string(kDataWorks), "\"splitPk\": \"id\"",
              "\"splitPk\": \"id\", \"where\": \"r = '${region}' and s = ${shard}\"");
  text = Replace(text, "\"table\": \"ods.orders\"", "\"table\": \"ods.${target}_${region}\"");
  EXPECT_EQ(LoadError(text),
            "jobs/orders.json:5:95: steps[0].parameter.where: no value for ${region}, ${shard}; "
            "pass them with -p NAME=VALUE or --params \"NAME=VALUE\"\n"
            "jobs/orders.json:7:29: steps[1].parameter.table: no value for ${target}; "
            "pass it with -p NAME=VALUE or --params \"NAME=VALUE\"");
}

// ---- Every mistake, located

TEST(JobLoaderTest, MalformedJsonNamesTheSpot) {
  std::string text =
      Replace(std::string(kDataWorks), "\"name\": \"Reader\",", "\"name\": \"Reader\"");
  EXPECT_EQ(LoadError(text),
            "jobs/orders.json:5:6: expected ',' or '}' after object member, found '\"'; is a ',' "
            "missing before it?");
}

TEST(JobLoaderTest, EmptyFileIsAnError) {
  EXPECT_EQ(LoadError(""), "jobs/orders.json:1:1: empty file, expected a JSON object");
}

TEST(JobLoaderTest, JobThatIsNotAnObjectIsAnError) {
  EXPECT_EQ(LoadError("[1, 2]"),
            "jobs/orders.json:1:1: expected a job object ({\"type\": \"job\", \"steps\": ...} or "
            "{\"job\": ...})");
}

TEST(JobLoaderTest, UnknownPluginSuggestsTheClosest) {
  EXPECT_EQ(
      LoadError(Replace(std::string(kDataWorks), "\"rdbms\"", "\"rdbsm\"")),
      "jobs/orders.json:4:18: steps[0].stepType: unknown plugin \"rdbsm\"; did you mean rdbms?");
}

TEST(JobLoaderTest, UnknownPluginWithNothingCloseListsThemAll) {
  EXPECT_EQ(LoadError(Replace(std::string(kDataWorks), "\"rdbms\"", "\"oracle\"")),
            "jobs/orders.json:4:18: steps[0].stepType: unknown plugin \"oracle\"; "
            "available: rdbms, stream, sourceonly");
}

TEST(JobLoaderTest, UnknownDataXPluginSuggestsTheDataXName) {
  EXPECT_EQ(LoadError(Replace(std::string(kDataX), "\"rdbmsreader\"", "\"rdbmsreadr\"")),
            "jobs/orders.json:6:26: job.content[0].reader.name: unknown plugin \"rdbmsreadr\"; "
            "did you mean rdbmsreader?");
}

TEST(JobLoaderTest, DataXWriterNameInTheReaderPlaceIsAnError) {
  EXPECT_EQ(LoadError(Replace(std::string(kDataX), "\"rdbmsreader\"", "\"rdbmswriter\"")),
            "jobs/orders.json:6:26: job.content[0].reader.name: \"rdbmswriter\" is a writer; "
            "did you mean rdbmsreader?");
}

TEST(JobLoaderTest, PluginWithoutTheNeededSideIsAnError) {
  std::string text =
      Replace(std::string(kDataWorks), "{\"stepType\": \"rdbms\", \"category\": \"writer\"",
              "{\"stepType\": \"sourceonly\", \"category\": \"writer\"");
  EXPECT_EQ(LoadError(text),
            "jobs/orders.json:6:18: steps[1].stepType: plugin \"sourceonly\" has no writer");
}

TEST(JobLoaderTest, MisspelledParameterSuggestsTheRightSpelling) {
  // A warning (DataX and DataWorks ignore keys they do not know); --strict makes it an error.
  std::string text = Replace(std::string(kDataWorks), "\"splitPk\"", "\"splitpk\"");
  EXPECT_EQ(LoadWarnings(text),
            "jobs/orders.json:5:69: warning: steps[0].parameter.splitpk: unknown parameter, "
            "ignored; did you mean splitPk?");
  EXPECT_EQ(StrictError(text),
            "jobs/orders.json:5:69: steps[0].parameter.splitpk: unknown parameter, ignored; "
            "did you mean splitPk? (an error under --strict)");
}

TEST(JobLoaderTest, MisspelledDataXParameterSuggestsTheRightSpelling) {
  EXPECT_EQ(LoadWarnings(Replace(std::string(kDataX), "\"writeMode\"", "\"writemode\"")),
            "jobs/orders.json:8:78: warning: job.content[0].writer.parameter.writemode: unknown "
            "parameter, ignored; did you mean writeMode?");
}

TEST(JobLoaderTest, UnknownParameterWithNothingCloseListsTheParameters) {
  EXPECT_EQ(LoadWarnings(Replace(std::string(kDataWorks), "\"writeMode\"", "\"compression\"")),
            "jobs/orders.json:7:43: warning: steps[1].parameter.compression: unknown parameter, "
            "ignored; this plugin takes table, writeMode, batchSize, preSql");
}

TEST(JobLoaderTest, KeysDataWorksWritesAreWarningsThatSayWhy) {
  std::string text = Replace(std::string(kDataWorks), "\"splitPk\"",
                             "\"envType\": 1, \"useSpecialSecret\": false, \"splitPk\"");
  std::string warnings = LoadWarnings(text);
  EXPECT_NE(warnings.find("warning: steps[0].parameter.envType: ignored parameter: DataWorks "
                          "writes it"),
            std::string::npos)
      << warnings;
  EXPECT_NE(warnings.find("warning: steps[0].parameter.useSpecialSecret: ignored parameter"),
            std::string::npos)
      << warnings;
}

TEST(JobLoaderTest, EmptyTextIsUnsetWhereANumberIsExpected) {
  // What the DataWorks UI writes when no limit is set; DataX reads "10" as 10.
  JobModel m = LoadOk(Replace(std::string(kDataWorks),
                              "\"errorLimit\": {\"record\": 5, \"percentage\": 0.02}",
                              "\"errorLimit\": {\"record\": \"\", \"percentage\": \"\"}"));
  EXPECT_FALSE(m.setting.error_limit_records.has_value());
  EXPECT_FALSE(m.setting.error_limit_percentage.has_value());
}

TEST(JobLoaderTest, EmptyProcessorStepIsIgnoredAndOneWithConfigurationWarns) {
  std::string steps = R"({"type": "job", "steps": [
  {"stepType": "stream", "category": "reader", "name": "Reader",
   "parameter": {"column": [{"type": "long", "value": "1"}], "sliceRecordCount": 1}},
  {"stepType": null, "category": "processor", "name": "Processor", "parameter": PARAM},
  {"stepType": "stream", "category": "writer", "name": "Writer", "parameter": {}}],
  "order": {"hops": [{"from": "Reader", "to": "Processor"}, {"from": "Processor", "to": "Writer"}]}}
)";
  JobModel m = LoadOk(Replace(steps, "PARAM", "{}"));
  EXPECT_EQ(m.reader.plugin, "stream");
  EXPECT_EQ(m.writer.plugin, "stream");
  EXPECT_EQ(LoadWarnings(Replace(steps, "PARAM", "{}")), "");
  EXPECT_EQ(
      LoadWarnings(Replace(steps, "PARAM", "{\"filter\": \"id > 1\"}")),
      "jobs/orders.json:4:3: warning: steps[1]: processor step ignored: Ferry runs the reader "
      "straight into the writer, so its configuration has no effect");
}

TEST(JobLoaderTest, StreamReaderParameterTypo) {
  // The stream plugin's own definitions: sliceRecordCount is required, so both errors show.
  std::string text = R"({"job": {"content": [{
  "reader": {"name": "streamreader",
             "parameter": {"column": [{"type": "long", "value": "1"}], "slicerecordcount": 3}},
  "writer": {"name": "streamwriter", "parameter": {}}}]}}
)";
  EXPECT_EQ(LoadError(text),
            "jobs/orders.json:3:27: job.content[0].reader.parameter: missing required parameter "
            "\"sliceRecordCount\" (records each channel generates)\n"
            "jobs/orders.json:3:72: warning: job.content[0].reader.parameter.slicerecordcount: "
            "unknown parameter, ignored; did you mean sliceRecordCount?");
}

TEST(JobLoaderTest, WrongTypeNamesWhatWasExpected) {
  std::string text = Replace(std::string(kDataWorks), "\"splitPk\": \"id\"",
                             "\"splitPk\": \"id\", \"fetchSize\": \"lots\"");
  text = Replace(text, "\"table\": \"ods.orders\"", "\"table\": 42");
  EXPECT_EQ(
      LoadError(text),
      "jobs/orders.json:5:99: steps[0].parameter.fetchSize: expected an integer, found a string\n"
      "jobs/orders.json:7:29: steps[1].parameter.table: expected a string, found a number");
}

TEST(JobLoaderTest, ValueOutsideAnEnumerationListsTheAllowedOnes) {
  EXPECT_EQ(LoadError(Replace(std::string(kDataWorks), "\"replace\"", "\"upsert\"")),
            "jobs/orders.json:7:56: steps[1].parameter.writeMode: expected one of insert, replace, "
            "update, found \"upsert\"");
}

TEST(JobLoaderTest, MissingRequiredParameterPointsAtTheParameterObject) {
  EXPECT_EQ(LoadError(Replace(std::string(kDataWorks), "\"table\": [\"orders\"], ", "")),
            "jobs/orders.json:5:19: steps[0].parameter: missing required parameter \"table\" "
            "(tables to read)");
}

TEST(JobLoaderTest, MissingParameterObjectIsAnError) {
  std::string text =
      Replace(std::string(kDataWorks),
              ",\n     \"parameter\": {\"table\": \"ods.orders\", \"writeMode\": \"replace\"}", "");
  EXPECT_EQ(LoadError(text), "jobs/orders.json:6:5: steps[1]: missing \"parameter\" object");
}

TEST(JobLoaderTest, ThrottleWithMbpsBelowOneIsRefused) {
  EXPECT_EQ(LoadError(Replace(std::string(kDataWorks), "\"mbps\": 2", "\"mbps\": 0.5")),
            "jobs/orders.json:10:68: setting.speed.mbps: throttle is true, so mbps must be a "
            "number of MB/s of at least 1");
}

TEST(JobLoaderTest, ThrottleWithoutARateIsRefused) {
  EXPECT_EQ(LoadError(Replace(std::string(kDataWorks), ", \"mbps\": 2", "")),
            "jobs/orders.json:10:24: setting.speed: throttle is true, so mbps must be a number of "
            "MB/s of at least 1");
}

TEST(JobLoaderTest, ChannelCountOutOfRangeIsRefused) {
  EXPECT_EQ(LoadError(Replace(std::string(kDataX), "\"channel\": 3", "\"channel\": 0")),
            "jobs/orders.json:3:38: job.setting.speed.channel: expected a whole number of channels "
            "from 1 to 1024");
}

TEST(JobLoaderTest, SpeedThatIsNotAnObjectIsRefused) {
  std::string text =
      Replace(std::string(kDataX), "{\"channel\": 3, \"byte\": 2097152, \"record\": 10000}", "3");
  EXPECT_EQ(
      LoadError(text),
      "jobs/orders.json:3:26: job.setting.speed: expected an object such as {\"channel\": 2}, "
      "found a number");
}

TEST(JobLoaderTest, ErrorLimitOutOfRangeIsRefused) {
  std::string text = Replace(std::string(kDataWorks), "\"record\": 5", "\"record\": -1");
  text = Replace(text, "\"percentage\": 0.02", "\"percentage\": 2");
  EXPECT_EQ(
      LoadError(text),
      "jobs/orders.json:11:40: setting.errorLimit.record: expected a whole number of records, "
      "0 or more\n"
      "jobs/orders.json:11:58: setting.errorLimit.percentage: expected a fraction from 0 to 1 "
      "(0.02 = 2%)");
}

TEST(JobLoaderTest, HopNamingAMissingStepIsAnError) {
  EXPECT_EQ(
      LoadError(Replace(std::string(kDataWorks), "\"to\": \"Writer\"", "\"to\": \"Writr\"")),
      "jobs/orders.json:12:47: order.hops[0].to: no step is named \"Writr\"; steps are "
      "Reader, Writer\n"
      "jobs/orders.json:6:5: steps[1]: step \"Writer\" is not joined by any hop in order.hops");
}

TEST(JobLoaderTest, StepLeftOutOfTheHopsIsAnError) {
  EXPECT_EQ(
      LoadError(
          Replace(std::string(kDataWorks), "[{\"from\": \"Reader\", \"to\": \"Writer\"}]", "[]")),
      "jobs/orders.json:4:5: steps[0]: step \"Reader\" is not joined by any hop in order.hops\n"
      "jobs/orders.json:6:5: steps[1]: step \"Writer\" is not joined by any hop in order.hops");
}

TEST(JobLoaderTest, HopFromTheWriterIsAnError) {
  std::string text = Replace(std::string(kDataWorks), "{\"from\": \"Reader\", \"to\": \"Writer\"}",
                             "{\"from\": \"Writer\", \"to\": \"Reader\"}");
  EXPECT_EQ(LoadError(text),
            "jobs/orders.json:12:31: order.hops[0].from: a hop must go from the reader to the "
            "writer");
}

TEST(JobLoaderTest, HopEndThatIsNotANameIsAnError) {
  EXPECT_EQ(
      LoadError(Replace(std::string(kDataWorks), "\"to\": \"Writer\"", "\"to\": 1")),
      "jobs/orders.json:12:47: order.hops[0].to: expected a step name, found a number\n"
      "jobs/orders.json:6:5: steps[1]: step \"Writer\" is not joined by any hop in order.hops");
}

TEST(JobLoaderTest, TwoReadersAreRefused) {
  std::string text =
      Replace(std::string(kDataWorks),
              "{\"stepType\": \"rdbms\", \"category\": \"writer\", \"name\": \"Writer\"",
              "{\"stepType\": \"rdbms\", \"category\": \"reader\", \"name\": \"Reader2\"");
  text = Replace(text, "\"table\": \"ods.orders\", \"writeMode\": \"replace\"", "\"table\": \"t\"");
  text = Replace(text, "\"to\": \"Writer\"", "\"to\": \"Reader2\"");
  EXPECT_EQ(LoadError(text),
            "jobs/orders.json:3:12: steps: expected exactly one reader and one writer, found "
            "2 readers and 0 writers");
}

TEST(JobLoaderTest, TwoStepsWithOneNameAreRefused) {
  std::string text =
      Replace(std::string(kDataWorks), "\"name\": \"Writer\"", "\"name\": \"Reader\"");
  text = Replace(text, "\"to\": \"Writer\"", "\"to\": \"Reader\"");
  std::string error = LoadError(text);
  EXPECT_NE(error.find("jobs/orders.json:6:57: steps[1].name: another step (steps[0]) is already "
                       "named \"Reader\"; step names must be unique"),
            std::string::npos)
      << error;
}

TEST(JobLoaderTest, StepNameThatIsNotAStringIsAnError) {
  std::string error =
      LoadError(Replace(std::string(kDataWorks), "\"name\": \"Writer\"", "\"name\": 7"));
  EXPECT_NE(error.find("jobs/orders.json:6:57: steps[1].name: expected a string, found a number"),
            std::string::npos)
      << error;
}

TEST(JobLoaderTest, WrongTypeOrVersionIsRefused) {
  std::string text = Replace(std::string(kDataWorks), "\"type\": \"job\", \"version\": \"2.0\"",
                             "\"type\": \"pipeline\", \"version\": \"3.0\"");
  EXPECT_EQ(LoadError(text),
            "jobs/orders.json:2:11: type: expected \"job\"\n"
            "jobs/orders.json:2:34: version: expected \"2.0\"");
}

TEST(JobLoaderTest, UnknownSettingKeySuggestsTheRightOne) {
  EXPECT_EQ(LoadWarnings(Replace(std::string(kDataWorks), "\"errorLimit\"", "\"errorlimit\"")),
            "jobs/orders.json:11:15: warning: setting.errorlimit: unknown key, ignored; did you "
            "mean errorLimit?");
}

TEST(JobLoaderTest, DistributeNeedsEightChannels) {
  EXPECT_EQ(LoadError(Replace(std::string(kDataWorks), "\"executeMode\": null",
                              "\"executeMode\": \"distribute\"")),
            "jobs/orders.json:9:30: setting.executeMode: executeMode \"distribute\" needs "
            "speed.concurrent of at least 8");
}

TEST(JobLoaderTest, EveryProblemIsReportedAtOnce) {
  std::string text = Replace(std::string(kDataWorks), "\"splitPk\"", "\"splitpk\"");
  text = Replace(text, "\"mbps\": 2", "\"mbps\": 0.5");
  std::string error = LoadError(text);
  EXPECT_EQ(std::count(error.begin(), error.end(), '\n'), 1) << error;
}

TEST(JobLoaderTest, PluginErrorIsLocatedAtItsField) {
  Result<LoadedJob> job = Load(kDataWorks);
  ASSERT_TRUE(job.ok());
  Status st =
      Status::FailedPrecondition("column \"id\" is varchar; splitPk needs an integer column")
          .WithField("splitPk");
  EXPECT_EQ(LocateStepError(*job, job->model.reader, st),
            "jobs/orders.json:5:80: steps[0].parameter.splitPk: column \"id\" is varchar; splitPk "
            "needs an integer column");
  EXPECT_EQ(LocateStepError(*job, job->model.writer, Status::FailedPrecondition("no such table")),
            "jobs/orders.json:6:5: steps[1]: no such table");
}

TEST(JobLoaderTest, MissingJobFileIsNotFound) {
  Result<LoadedJob> r = LoadJob("/nonexistent/job.json", Params(), TestRegistry());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  EXPECT_NE(r.status().message().find("/nonexistent/job.json"), std::string::npos);
}

}  // namespace
}  // namespace ferry
